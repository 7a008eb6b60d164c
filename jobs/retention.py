"""The retention step of the scheduled work (`tick`): notices first, then the leads due,
erased by batches each committed on its own (a crash loses at most one batch of work, and a
batch never holds the database for long)."""
from flask import current_app

from app.extensions import db
from app.services.privacy.retention import Policy, due_ids, send_notices
from jobs.erasure import erase_and_commit
from jobs.notifications import dispatch
from models.base import utcnow

BATCH = 1000


def run_retention(now=None, batch=BATCH):
    """Returns {"notices": notifications sent, "erased": leads anonymised}."""
    now = now or utcnow()
    policy = Policy.from_config(current_app.config)
    notifications = send_notices(db.session, policy, now)
    db.session.commit()
    dispatch(notifications)
    ids, erased = due_ids(db.session, policy, now), 0
    for start in range(0, len(ids), batch):
        still_due = due_ids(db.session, policy, now, among=ids[start:start + batch])
        if still_due:
            erase_and_commit(still_due, reason="retention")
            erased += len(still_due)
    return {"notices": len(notifications), "erased": erased}
