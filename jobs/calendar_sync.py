"""Jobs keeping each rep's CalDAV calendar in step: push after a change in the CRM, pull
every few minutes from the tick (what moved or vanished there, and the busy times)."""
import datetime as dt

from flask import current_app

from app.extensions import db
from app.services.caldav_sync import FAILURES, failure_message, pull, push, remove_copy
from app.services.errors import DomainError
from jobs.appointments import email_lead, schedule_lead_reminders
from jobs.notifications import notify_appointment
from jobs.queue import enqueue
from models import Appointment, CalendarAccount
from models.base import utcnow


def _failed(account, exc):
    account.last_error = failure_message(exc)[:500]
    db.session.commit()


def push_appointment(appointment_id):
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        return False
    try:
        pushed = push(db.session, appointment)
        db.session.commit()
    except (DomainError, *FAILURES) as exc:
        db.session.rollback()
        _failed(db.session.get(CalendarAccount, appointment.owner_id), exc)
        raise  # rq keeps it; the agenda page shows the account's last error
    return pushed


def move_calendar_copy(appointment_id, former_owner_id, former_href):
    """An appointment given to another rep with its lead: its copy leaves the former rep's
    calendar, and goes to the new rep's."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        return False
    # The new rep's copy first: the former rep's server being down must not keep it from them
    # (a retry pushes again, replacing the event by its UID).
    pushed = push_appointment(appointment_id)
    if former_owner_id != appointment.owner_id:  # not given back meanwhile
        try:
            remove_copy(db.session, former_owner_id, former_href)
        except (DomainError, *FAILURES) as exc:
            db.session.rollback()
            _failed(db.session.get(CalendarAccount, former_owner_id), exc)
            raise
    return pushed


def sync_account(user_id, now=None):
    """Pull one account; the lead and the rep hear of what moved or was cancelled there."""
    account = db.session.get(CalendarAccount, user_id)
    if account is None or not account.active:
        return []
    try:
        changes = pull(db.session, account, now)
        db.session.commit()
    except (DomainError, *FAILURES) as exc:
        db.session.rollback()
        _failed(db.session.get(CalendarAccount, user_id), exc)
        return []
    for appointment, change in changes:
        if appointment.starts_at > utcnow():
            enqueue(email_lead, appointment.id, change)
            schedule_lead_reminders(appointment)
        enqueue(notify_appointment, appointment.id, change)
    return changes


def sync_due_accounts(now=None):
    """From the tick: the accounts not pulled for CRM_CALDAV_SYNC_MINUTES."""
    now = now or utcnow()
    limit = now - dt.timedelta(minutes=current_app.config["CRM_CALDAV_SYNC_MINUTES"])
    ids = [uid for (uid,) in db.session.query(CalendarAccount.user_id).filter(
        CalendarAccount.active.is_(True),
        (CalendarAccount.last_sync_at.is_(None)) | (CalendarAccount.last_sync_at < limit))]
    return sum(len(sync_account(uid, now)) for uid in ids)
