"""Doublons possibles: groups of likely duplicate leads, merged two at a time."""
from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.security import DUPLICATES
from app.services.duplicates import likely_duplicates, merge
from app.services.errors import DomainError
from models import Lead
from models.audit import MERGE
from views.privacy.audit_trail import audit
from views.scoping import current_user, current_viewer, scope_leads

CRITERIA_LABELS = {"email": _l("Même e-mail"), "phone": _l("Même téléphone"),
                   "name_company": _l("Même nom et même société")}


class DuplicatesView(BaseView):
    route_base = "/duplicates"
    class_permission_name = DUPLICATES
    default_view = "index"

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        return self.render_template("duplicates/index.html", groups=likely_duplicates(db.session, current_viewer()),
                                    criteria=CRITERIA_LABELS)

    @expose("/merge", methods=["POST"])
    @has_access
    @permission_name("merge")
    def merge(self):
        ids = [request.form.get("keep", ""), request.form.get("other", "")]
        if not all(i.isdigit() for i in ids):
            abort(400, description=_("Choisissez les deux prospects à fusionner."))
        keep, other = (scope_leads(db.session.query(Lead)).filter(Lead.id == int(i)).first()
                       for i in ids)
        if keep is None or other is None:
            abort(404)
        try:
            audit(MERGE, keep.id, merged_lead_id=other.id)
            merge(db.session, keep, other, current_user())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("DuplicatesView.index"))
        flash(_("Prospects fusionnés."), "success")
        return redirect(url_for("LeadView.show", pk=keep.id))
