"""Exporting the lead list as it is filtered and sorted: the file at once up to
CRM_EXPORT_INLINE_ROWS, a job beyond (the user is notified when it is ready). Both read the
rows through app/services/lead_list.py with the user's viewer: the row-level rule applies."""
import io
import os
from urllib.parse import urlencode

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.security import LEAD_EXPORT
from app.services.errors import DomainError
from app.services.lead_exports import FORMATS, record_inline_export, write_export
from app.services.lead_list import list_query, parse_list_args
from app.services.viewer import scope
from jobs.exports import run_lead_export
from jobs.queue import enqueue
from models import ExportFile
from models.audit import EXPORT, EXPORT_DOWNLOAD
from models.base import utcnow
from views.privacy.audit_trail import audit, audit_read
from views.scoping import current_viewer


def download_name(file_format):
    return f"prospects-{utcnow():%Y%m%d-%H%M}.{FORMATS[file_format][1]}"


class LeadExportView(BaseView):
    route_base = "/exports"
    class_permission_name = LEAD_EXPORT
    base_permissions = ["can_export"]
    method_permission_name = {"leads": "export", "download": "export"}

    @expose("/leads")
    @has_access
    def leads(self):
        file_format = request.args.get("format", "csv")
        if file_format not in FORMATS:
            abort(400, description=_("Format d'export inconnu : %(value)s", value=file_format[:20]))
        args = MultiDict((k, v) for k, v in request.args.items(multi=True) if k != "format")
        viewer = current_viewer()
        try:
            query = list_query(db.session, viewer, parse_list_args(args))
        except DomainError as exc:
            abort(400, description=exc.message)
        limit = current_app.config["CRM_EXPORT_INLINE_ROWS"]
        arguments = urlencode(list(args.items(multi=True)))
        if query.order_by(None).limit(limit + 1).count() > limit:
            export = ExportFile(user_id=viewer.user_id, kind="leads", file_format=file_format,
                                query=arguments)
            db.session.add(export)
            db.session.flush()
            audit(EXPORT, filter=args.to_dict(), format=file_format, export_id=export.id,
                  queued=True)  # the job records the file it writes
            db.session.commit()
            enqueue(run_lead_export, export.id)
            flash(_("Plus de %(limit)s prospects : l'export est préparé en tâche de fond. Vous "
                    "serez prévenu quand il sera prêt.", limit=f"{limit:,}".replace(",", "\u202f")),
                  "info")
            return redirect(url_for("LeadView.list") + "?" + arguments)
        return self._send(query, file_format, viewer.user_id, arguments, args.to_dict())

    @staticmethod
    def _send(query, file_format, user_id, arguments, wanted):
        title = _("Prospects")
        if file_format in ("csv", "csv-fr"):
            text = io.StringIO(newline="")
            rows = write_export(query, file_format, text, title)
            data = io.BytesIO(text.getvalue().encode("utf-8"))
        else:
            data = io.BytesIO()
            rows = write_export(query, file_format, data, title)
            data.seek(0)
        # Recorded even though no file is kept: the person's access request lists it.
        record_inline_export(db.session, user_id, file_format, arguments, query, rows)
        name = download_name(file_format)
        audit_read(EXPORT, filter=wanted, format=file_format, rows=rows, file=name)  # commits
        return send_file(data, mimetype=FORMATS[file_format][0], as_attachment=True,
                         download_name=name, max_age=0)

    @expose("/<int:export_id>")
    @has_access
    def download(self, export_id):
        export = scope(db.session.query(ExportFile), ExportFile, current_viewer()).filter(
            ExportFile.id == export_id).first()
        if export is None:
            abort(404)
        if export.purged_at is not None:
            abort(410, description=_("Fichier supprimé (conservation %(days)d jours).",
                                     days=current_app.config["CRM_PURGE_EXPORT_DAYS"]))
        if export.status != "done" or not export.path or not os.path.exists(export.path):
            abort(404, description=_("Cet export n'est pas (ou plus) disponible."))
        path, file_format = export.path, export.file_format
        audit_read(EXPORT_DOWNLOAD, export_id=export.id, rows=export.rows,
                   file=os.path.basename(path))
        return send_file(path, mimetype=FORMATS[file_format][0], as_attachment=True,
                         download_name=download_name(file_format), max_age=0)
