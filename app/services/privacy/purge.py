"""Purges of stored files (RGPD, storage limitation): what the CRM kept only to process or hand
over data goes once its period is over, while the rows and their counts stay for the figures.

- the files of imports and the raw payloads of intake deliveries, `import_days` after they
  came in (CRM_PURGE_IMPORT_DAYS);
- the rejected-row and warnings files of imports and the stored export files, `export_days`
  after they were written (CRM_PURGE_EXPORT_DAYS).

Each kind goes in batches; `checkpoint()` is called after each batch (the caller commits there:
a service never commits). A file is deleted before its row is updated: if the commit fails, the
row still names a file that is gone and the next run nulls it; the other way round, a crash
would leave a file on disk that nothing names any more."""
import datetime as dt
import os

from sqlalchemy import func, or_, select, update

from models import ExportFile, ImportBatch, IntakeDelivery
from models.base import utcnow

BATCH_SIZE = 500


def purge_stored_files(session, import_days, export_days, checkpoint, now=None):
    """Run every purge; returns {kind: number of rows purged}."""
    now = now or utcnow()
    import_before = now - dt.timedelta(days=import_days)
    export_before = now - dt.timedelta(days=export_days)
    return {
        "import_files": _in_batches(session, checkpoint, lambda: _import_files(
            session, import_before)),
        "intake_payloads": _in_batches(session, checkpoint, lambda: _intake_payloads(
            session, import_before)),
        "import_reports": _in_batches(session, checkpoint, lambda: _import_reports(
            session, export_before, now)),
        "export_files": _in_batches(session, checkpoint, lambda: _export_files(
            session, export_before, now)),
    }


def _in_batches(session, checkpoint, purge_one_batch):
    total = 0
    while True:
        count = purge_one_batch()
        if count:
            session.flush()
            checkpoint()
        total += count
        if count < BATCH_SIZE:
            return total


def _remove(*paths):
    for path in paths:
        if path:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass  # already gone (a previous run, an erasure): only the row is left to null


def _import_files(session, before):
    # A running import is reading its file: it goes at the next run after the import ends.
    batches = session.scalars(select(ImportBatch).where(
        ImportBatch.stored_path.is_not(None), ImportBatch.created_at < before,
        ImportBatch.status != "running").order_by(ImportBatch.id).limit(BATCH_SIZE)).all()
    for batch in batches:
        _remove(batch.stored_path)
        batch.stored_path = None
    return len(batches)


def _intake_payloads(session, before):
    ids = select(IntakeDelivery.id).where(
        IntakeDelivery.body.is_not(None), IntakeDelivery.received_at < before,
    ).order_by(IntakeDelivery.received_at).limit(BATCH_SIZE)
    result = session.execute(update(IntakeDelivery).where(IntakeDelivery.id.in_(
        ids.scalar_subquery())).values(body=None).execution_options(synchronize_session=False))
    return result.rowcount


def _import_reports(session, before, now):
    batches = session.scalars(select(ImportBatch).where(
        ImportBatch.reports_purged_at.is_(None),
        or_(ImportBatch.rejected_path.is_not(None), ImportBatch.warnings_path.is_not(None)),
        func.coalesce(ImportBatch.finished_at, ImportBatch.created_at) < before,
        ImportBatch.status != "running").order_by(ImportBatch.id).limit(BATCH_SIZE)).all()
    for batch in batches:
        _remove(batch.rejected_path, batch.warnings_path)
        batch.rejected_path = batch.warnings_path = None
        batch.reports_purged_at = now
    return len(batches)


def _export_files(session, before, now):
    exports = session.scalars(select(ExportFile).where(
        ExportFile.path.is_not(None), ExportFile.created_at < before,
    ).order_by(ExportFile.created_at).limit(BATCH_SIZE)).all()
    for export in exports:
        _remove(export.path)
        export.path = None
        export.purged_at = now
    return len(exports)
