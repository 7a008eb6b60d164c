"""Exports too large for a request: written to CRM_EXPORT_DIR, then the user is notified."""
import os
import secrets

from flask import current_app
from flask_babel import gettext as _
from flask_login import login_user

from app.extensions import db
from app.services.notifications import notify
from jobs.notifications import dispatch
from models import ExportFile, User
from models.base import utcnow


def run_lead_export(export_id):
    """Write the file with the list's own query, as the user who asked (their row-level rule)."""
    from views.lead_export import export_query, replay_args, write_export

    export = db.session.get(ExportFile, export_id)
    if export is None or export.status == "done":
        return False
    user = db.session.get(User, export.user_id)
    directory = current_app.config["CRM_EXPORT_DIR"]
    os.makedirs(directory, exist_ok=True)
    extension = "csv" if export.file_format.startswith("csv") else export.file_format
    path = os.path.join(directory, f"export-{export.id}-{secrets.token_hex(8)}.{extension}")
    try:
        with current_app.test_request_context("/exports/leads?" + export.query):
            login_user(user)
            query = export_query(replay_args(export))
            if extension == "csv":
                with open(path, "w", encoding="utf-8", newline="") as handle:
                    rows = write_export(query, export.file_format, handle, _("Prospects"))
            elif extension == "pdf":
                with open(path, "wb") as handle:
                    rows = write_export(query, export.file_format, handle, _("Prospects"))
            else:
                rows = write_export(query, export.file_format, path, _("Prospects"))
    except Exception as exc:
        db.session.rollback()
        export.status, export.error = "failed", str(exc)[:500]
        db.session.commit()
        raise
    export.status, export.rows, export.path, export.finished_at = "done", rows, path, utcnow()
    item = notify(db.session, user.id, "export",
                  lambda: _("Votre export de %(count)s prospects est prêt.", count=rows),
                  url=f"/exports/{export.id}")
    db.session.commit()
    dispatch([item])
    return True
