"""Registre des traitements (RGPD art. 30): the register gathered from the configuration, its
PDF, and the controller's and DPO's contacts the admin enters. Admin only."""
import io

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import PRIVACY_REGISTER
from app.services.errors import DomainError
from app.services.privacy.register import (CONTACT_FIELDS, processing_register, save_contacts,
                                           write_register_pdf)
from models.base import utcnow
from views.scoping import current_user


class RegisterView(BaseView):
    route_base = "/privacy/register"
    class_permission_name = PRIVACY_REGISTER
    base_permissions = ["can_show", "can_edit"]
    method_permission_name = {"index": "show", "pdf": "show", "contacts": "edit"}
    default_view = "index"

    def _page(self, status=200, form=None, error=None):
        register = processing_register(db.session, current_app.config)
        return self.render_template("privacy/register.html", register=register, error=error,
                                    form=form or register["contacts"],
                                    title=_("Registre des traitements")), status

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/contacts", methods=["POST"])
    @has_access
    def contacts(self):
        form = {name: request.form.get(name, "") for name in CONTACT_FIELDS}
        try:
            save_contacts(db.session, current_user().id, form)
        except DomainError as exc:
            db.session.rollback()
            return self._page(400, form, exc)
        db.session.commit()
        flash(_("Responsable du traitement et délégué enregistrés."), "success")
        return redirect(url_for("RegisterView.index"))

    @expose("/pdf")
    @has_access
    def pdf(self):
        data = io.BytesIO()
        write_register_pdf(processing_register(db.session, current_app.config), data)
        data.seek(0)
        return send_file(data, mimetype="application/pdf", as_attachment=True, max_age=0,
                         download_name=f"registre-des-traitements-{utcnow():%Y%m%d}.pdf")
