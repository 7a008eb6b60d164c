"""Reminders (rappels): set on a lead by a rep, notified once when due, done from the sheet."""
import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.services.errors import DomainError
from app.services.events import record_event
from models import Reminder
from models.base import utcnow


def add_reminder(session, lead, user_id, due_at, what):
    what = " ".join((what or "").split())
    if not what:
        raise DomainError(_("Indiquez l'objet du rappel."), field="what")
    if len(what) > 500:
        raise DomainError(_("Objet trop long (500 caractères au plus)."), field="what")
    if due_at is None:
        raise DomainError(_("Indiquez la date et l'heure du rappel."), field="due_at")
    if due_at < utcnow() - dt.timedelta(days=1):
        raise DomainError(_("La date du rappel est passée."), field="due_at")
    reminder = Reminder(lead_id=lead.id, user_id=user_id, due_at=due_at, what=what)
    session.add(reminder)
    return reminder


def complete(session, reminder, user_id):
    if reminder.done_at is None:
        reminder.done_at = utcnow()
        record_event(session, reminder.lead_id, "reminder_done", reminder.what, user_id=user_id)


def claim(session, reminder_id, now=None):
    """Mark a due reminder notified; True only for the one caller that did it (a reminder
    fires once, whether its own job or the periodic tick gets there first)."""
    now = now or utcnow()
    result = session.execute(update(Reminder).where(
        Reminder.id == reminder_id, Reminder.notified_at.is_(None), Reminder.done_at.is_(None),
        Reminder.due_at <= now).values(notified_at=now))
    return result.rowcount == 1


def due_ids(session, now=None, limit=500):
    return session.scalars(select(Reminder.id).where(
        Reminder.notified_at.is_(None), Reminder.due_at <= (now or utcnow()),
        Reminder.done_at.is_(None)).order_by(Reminder.due_at).limit(limit)).all()


def buckets(reminders, now, zone_today_end):
    """Open reminders split for "Mes rappels": overdue, today, upcoming."""
    overdue, today, upcoming = [], [], []
    for reminder in reminders:
        if reminder.due_at < now:
            overdue.append(reminder)
        elif reminder.due_at <= zone_today_end:
            today.append(reminder)
        else:
            upcoming.append(reminder)
    return overdue, today, upcoming
