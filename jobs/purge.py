"""The scheduled purge of stored files (a step of `tick`): each batch committed on its own, so
a long first run after an upgrade neither holds locks for long nor starts over if stopped."""
from flask import current_app

from app.extensions import db
from app.services.privacy.purge import purge_stored_files


def purge_files(now=None):
    config = current_app.config
    counts = purge_stored_files(db.session, config["CRM_PURGE_IMPORT_DAYS"],
                                config["CRM_PURGE_EXPORT_DAYS"], db.session.commit, now)
    db.session.commit()
    return sum(counts.values())
