"""The import job: runs a batch to the end; a failure is recorded on the batch and re-raised."""
from flask import current_app

from app.extensions import db
from app.services.importing.runner import run_batch
from models import ImportBatch


def commit_progress(batch):
    """Checkpoint of an import run: the chunk and the batch's counts become visible."""
    db.session.commit()


def run_import_job(batch_id):
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status in ("done", "undone"):
        return None  # delivered twice, or undone meanwhile: nothing to do
    try:
        return run_batch(db.session, batch, commit_progress, current_app.config["CRM_PHONE_REGION"])
    except Exception as exc:
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.error = "failed", str(exc)[:2000]
        db.session.commit()
        raise
