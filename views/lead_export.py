"""Exporting the lead list as it is filtered and sorted: the file at once up to
CRM_EXPORT_INLINE_ROWS, a job beyond (the user is notified when it is ready). The row-level
rule applies: the list's own query is used, base filters included."""
import io
import os
from urllib.parse import parse_qsl, urlencode

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.security import LEAD_EXPORT
from app.services.lead_exports import FORMATS, leads_in, write_csv, write_pdf, write_xlsx
from jobs.queue import enqueue
from models import ExportFile
from models.base import utcnow
from views.scoping import current_user


def lead_view():
    from views.leads import LeadView

    return next(v for v in current_app.appbuilder.baseviews if isinstance(v, LeadView))


def export_query(args):
    """The lead list's query for these list arguments (400 if they are invalid)."""
    view = lead_view()
    filters, order_column, order_direction = view._list_query(args)
    if order_column not in view.order_columns:
        abort(400, description=_("Colonne de tri inconnue : %(name)s", name=order_column))
    joined = filters.get_joined_filters(view._base_filters)
    return view.datamodel.apply_all(view.datamodel.session.query(view.datamodel.obj), joined,
                                    order_column, order_direction)


def write_export(query, file_format, handle_or_path, title):
    leads = leads_in(query)
    if file_format == "xlsx":
        return write_xlsx(leads, handle_or_path, title)
    if file_format == "pdf":
        return write_pdf(leads, handle_or_path, title)
    return write_csv(leads, handle_or_path, ";" if file_format == "csv-fr" else ",")


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
        query = export_query(args)
        limit = current_app.config["CRM_EXPORT_INLINE_ROWS"]
        if query.order_by(None).limit(limit + 1).count() > limit:
            export = ExportFile(user_id=current_user().id, kind="leads", file_format=file_format,
                                query=urlencode(list(args.items(multi=True))))
            db.session.add(export)
            db.session.commit()
            from jobs.exports import run_lead_export  # the job replays this module's query

            enqueue(run_lead_export, export.id)
            flash(_("Plus de %(limit)s prospects : l'export est préparé en tâche de fond. Vous "
                    "serez prévenu quand il sera prêt.", limit=f"{limit:,}".replace(",", "\u202f")),
                  "info")
            return redirect(url_for("LeadView.list") + "?" + urlencode(list(args.items(multi=True))))
        return self._send(query, file_format)

    @staticmethod
    def _send(query, file_format):
        title = _("Prospects")
        if file_format in ("csv", "csv-fr"):
            text = io.StringIO(newline="")
            write_export(query, file_format, text, title)
            data = io.BytesIO(text.getvalue().encode("utf-8"))
        else:
            data = io.BytesIO()
            write_export(query, file_format, data, title)
            data.seek(0)
        return send_file(data, mimetype=FORMATS[file_format][0], as_attachment=True,
                         download_name=download_name(file_format), max_age=0)

    @expose("/<int:export_id>")
    @has_access
    def download(self, export_id):
        export = db.session.get(ExportFile, export_id)
        if export is None or export.user_id != current_user().id:
            abort(404)
        if export.status != "done" or not export.path or not os.path.exists(export.path):
            abort(404, description=_("Cet export n'est pas (ou plus) disponible."))
        return send_file(export.path, mimetype=FORMATS[export.file_format][0], as_attachment=True,
                         download_name=download_name(export.file_format), max_age=0)


def replay_args(export):
    return MultiDict(parse_qsl(export.query, keep_blank_values=True))
