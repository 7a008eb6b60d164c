"""Facts written at flush time, whatever wrote the change (form, API, bulk action, import
update, job), so that no caller has to think of them: a lead's status changes for its timeline
(the session's info["actor_id"] says who), and what follows from an appointment's change."""
from sqlalchemy import delete, event, inspect
from sqlalchemy.orm import Session

from models import STATUSES, Appointment, AppointmentBlock, Lead, LeadEvent
from models.appointment import ICAL_FIELDS
from models.base import utcnow


def record_event(session, lead_id, kind, detail=None, user_id=None):
    session.add(LeadEvent(lead_id=lead_id, kind=kind, detail=(detail or "")[:500] or None,
                          user_id=user_id if user_id is not None else session.info.get("actor_id"),
                          at=utcnow()))


@event.listens_for(Session, "before_flush")
def _status_changes(session, _context, _instances):
    for item in list(session.dirty):
        if isinstance(item, Appointment):
            _appointment_changed(session, item)
        if not isinstance(item, Lead):
            continue
        history = inspect(item).attrs.status.history
        if history.deleted and history.added and history.deleted[0] != history.added[0]:
            old, new = history.deleted[0], history.added[0]
            if old in STATUSES and new in STATUSES:
                record_event(session, item.id, "status", f"{old}>{new}")


def _appointment_changed(session, appointment):
    """Whatever moved or cancelled it (form, API, agenda, booking link, CalDAV):
    - a change calendars must see (time, place, title, status) raises the iCalendar SEQUENCE,
      so that Google and Outlook replace their copy of the event;
    - a new start time sends the lead's reminders again;
    - a new time, rep or a cancellation frees the quarter hours a booking held."""
    state = inspect(appointment)
    changed = {name for name in ICAL_FIELDS + ("owner_id",)
               if state.attrs[name].history.has_changes()}
    if not changed:
        return
    if changed & set(ICAL_FIELDS):
        appointment.sequence = (appointment.sequence or 0) + 1
    if "starts_at" in changed:
        appointment.reminded_day_at = appointment.reminded_hour_at = None
    if changed & {"starts_at", "ends_at", "owner_id"} or appointment.status == "cancelled":
        session.execute(delete(AppointmentBlock.__table__).where(
            AppointmentBlock.appointment_id == appointment.id))
