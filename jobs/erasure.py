"""Erasure and retention as the screen, the CLI and the scheduled work run them: erase, commit,
then have the CalDAV servers delete the appointments' copies (a job: a server that is down must
not undo an erasure already committed; rq retries the job)."""
from flask import current_app

from app.extensions import db
from app.services.caldav_sync import FAILURES, failure_message, remove_copy
from app.services.errors import DomainError
from app.services.privacy.erasure import erase_leads
from jobs.queue import enqueue
from models import CalendarAccount


def erase_and_commit(lead_ids, actor_id=None, reason="request", ip=None):
    """Returns the erasure's summary (see app.services.privacy.erasure)."""
    try:
        summary = erase_leads(db.session, lead_ids, actor_id=actor_id, reason=reason, ip=ip,
                              attachment_dir=current_app.config["CRM_ATTACHMENT_DIR"],
                              region=current_app.config["CRM_PHONE_REGION"])
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if summary["calendar_copies"]:
        enqueue(delete_calendar_copies, summary["calendar_copies"])
    return summary


def delete_calendar_copies(copies):
    """Delete [(rep id, event href)] from the reps' calendars. Every copy is tried; a failure
    is written on the account (the agenda page shows it) and raised once all were tried, so
    that rq retries (deleting a copy already gone is a no-op)."""
    failed = None
    for user_id, href in copies:
        try:
            remove_copy(db.session, user_id, href)
        except (DomainError, *FAILURES) as exc:
            db.session.rollback()
            account = db.session.get(CalendarAccount, user_id)
            account.last_error = failure_message(exc)[:500]
            db.session.commit()
            failed = exc
    if failed is not None:
        raise failed
    return len(copies)
