"""A lead given to another rep takes with it what is still ahead: its future appointments
(planned or confirmed, starting after now) and its open reminders. Past appointments and done
reminders stay as they were: they are the lead's history. Those of someone else who still sees
the lead (a manager's own meeting or reminder) stay theirs.

Run at flush by app/services/events.py, whatever gave the lead its new rep (sheet, list, API,
form, assignment rule, merge); a lead sent back to the pool (no rep) keeps them until its
next rep. What follows the commit (CalDAV copies, both reps told) is jobs/appointment_moves.py,
from the moves noted in session.info[MOVED]."""
from typing import NamedTuple

from sqlalchemy import select

from app.services.viewer import Viewer
from models import Appointment, Reminder
from models.base import utcnow

LIVE = ("planned", "confirmed")
MOVED = "crm_moved_appointments"


class Move(NamedTuple):
    appointment_id: int
    former_owner_id: int | None
    owner_id: int
    former_caldav_href: str | None  # its copy in the former rep's calendar
    actor_id: int | None  # who made the change (not told of it)


def follow_owners(session, owners, formers=None):
    """`owners`: {lead id: its new rep's id}; `formers`: {lead id: its former rep's id}, when
    known. Gives each lead's future appointments and open reminders to its new rep, and notes
    each appointment moved in session.info[MOVED]. When the former rep is known, what belongs
    to someone else who sees every lead (a manager's own meeting) stays theirs; a lead out of
    the pool or a merge gives everything."""
    if not owners:
        return
    formers = formers or {}
    sees_all = {}

    def stays(user_id, lead_id):
        former = formers.get(lead_id)
        if former is None or user_id is None or user_id == former:
            return False
        if user_id not in sees_all:
            sees_all[user_id] = Viewer.for_user(session, user_id).sees_all_leads
        return sees_all[user_id]

    moved = session.info.setdefault(MOVED, [])
    # lead_id read from the row: a merge moves appointments by a bulk UPDATE.
    rows = session.execute(select(Appointment, Appointment.lead_id).where(
        Appointment.lead_id.in_(owners), Appointment.status.in_(LIVE),
        Appointment.starts_at > utcnow()))
    for appointment, lead_id in rows:
        owner_id = owners[lead_id]
        if appointment.owner_id != owner_id and not stays(appointment.owner_id, lead_id):
            moved.append(Move(appointment.id, appointment.owner_id, owner_id,
                              appointment.caldav_href, session.info.get("actor_id")))
            # Not pushed to the new rep's calendar yet: their sync must not take it as deleted.
            appointment.owner_id, appointment.caldav_href = owner_id, None
    reminders = session.execute(select(Reminder, Reminder.lead_id).where(
        Reminder.lead_id.in_(owners), Reminder.done_at.is_(None)))
    for reminder, lead_id in reminders:
        if not stays(reminder.user_id, lead_id):
            reminder.user_id = owners[lead_id]
