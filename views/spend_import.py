"""Uploading the ad platforms' spend exports (menu Pilotage)."""
import os
import tempfile

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.body_limits import FORM_OVERHEAD, body_limit
from app.extensions import db
from app.security import CAMPAIGN_SPEND
from app.services.errors import DomainError
from app.services.spend import import_spend

EXTENSIONS = (".csv", ".xlsx")


class SpendImportView(BaseView):
    route_base = "/spend"
    class_permission_name = CAMPAIGN_SPEND
    base_permissions = ["can_import"]
    method_permission_name = {"index": "import", "upload": "import"}
    default_view = "index"

    def _page(self, status=200):
        return self.render_template("performance/spend.html", title=_("Importer des dépenses")), status

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/", methods=["POST"])
    @body_limit("CRM_SPEND_IMPORT_MAX_BYTES", FORM_OVERHEAD)
    @has_access
    def upload(self):
        upload = request.files.get("file")
        extension = os.path.splitext(upload.filename or "")[1].lower() if upload else ""
        if extension not in EXTENSIONS:
            flash(_("Choisissez un fichier CSV ou Excel (.xlsx)."), "danger")
            return self._page(400)
        handle, path = tempfile.mkstemp(suffix=extension)
        os.close(handle)
        try:
            upload.save(path)
            result = import_spend(db.session, path)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return self._page(exc.status)
        finally:
            os.remove(path)
        flash(_("%(days)d jour(s) de dépense importé(s).", days=result["days"]), "success")
        if result["unknown"]:
            flash(_("Campagnes inconnues du CRM (ignorées) : %(names)s",
                    names=", ".join(result["unknown"][:20])), "warning")
        if result["rejected"]:
            flash(_("%(count)d ligne(s) illisible(s) ignorée(s).", count=result["rejected"]), "warning")
        return redirect(url_for("PerformanceView.index"))
