"""Exports too large for a request: written to CRM_EXPORT_DIR, then the user is notified."""
import os
from urllib.parse import parse_qsl

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.services.lead_exports import record_export_leads, write_export_file
from app.services.lead_list import list_query, parse_list_args
from app.services.notifications import notify
from app.services.privacy.audit import record
from app.services.viewer import Viewer
from jobs.notifications import dispatch
from models import ExportFile
from models.audit import EXPORT
from models.base import utcnow


def run_lead_export(export_id):
    """Write the file of the list's arguments, as the user who asked sees the leads (their
    viewer, built from their id: no request). A failure is recorded on the export, then raised."""
    export = db.session.get(ExportFile, export_id)
    if export is None or export.status == "done":
        return False
    try:
        viewer = Viewer.for_user(db.session, export.user_id)
        args = parse_list_args(MultiDict(parse_qsl(export.query, keep_blank_values=True)))
        query = list_query(db.session, viewer, args)
        path, rows = write_export_file(query, export.file_format,
                                       current_app.config["CRM_EXPORT_DIR"], f"export-{export.id}")
        record_export_leads(db.session, export, query)
    except Exception as exc:
        db.session.rollback()
        export.status, export.error = "failed", str(exc)[:500]
        db.session.commit()
        raise
    export.status, export.rows, export.path, export.finished_at = "done", rows, path, utcnow()
    # No address: the request that asked for it has its own entry (queued, with its address).
    record(db.session, EXPORT, export.user_id, None, export_id=export.id,
           format=export.file_format, filter=dict(parse_qsl(export.query, keep_blank_values=True)),
           rows=rows, file=os.path.basename(path))
    item = notify(db.session, export.user_id, "export",
                  lambda: _("Votre export de %(count)s prospects est prêt.", count=rows),
                  url=f"/exports/{export.id}")
    db.session.commit()
    dispatch([item])
    return True
