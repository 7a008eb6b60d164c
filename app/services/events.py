"""Facts written at flush time, whatever wrote the change (form, API, bulk action, import
update, job), so that no caller has to think of them: a lead's status changes for its timeline
(the session's info["actor_id"] says who), what a lead given to another rep takes with it, and
what follows from an appointment's change."""
from sqlalchemy import delete, event, inspect, select, update
from sqlalchemy.orm import Session

from app.services.reassignment import follow_owners
from models import STATUSES, Appointment, AppointmentBlock, Lead, LeadEvent
from models.appointment import ICAL_FIELDS
from models.base import utcnow


def record_event(session, lead_id, kind, detail=None, user_id=None):
    session.add(LeadEvent(lead_id=lead_id, kind=kind, detail=(detail or "")[:500] or None,
                          user_id=user_id if user_id is not None else session.info.get("actor_id"),
                          at=utcnow()))


@event.listens_for(Session, "before_flush")
def _before_flush(session, _context, _instances):
    leads = [item for item in session.dirty if isinstance(item, Lead)]
    for lead in leads:
        _status_changed(session, lead)
    changes = list(filter(None, map(_new_owner, leads)))
    follow_owners(session, {lead_id: new for lead_id, new, _former in changes},
                  {lead_id: former for lead_id, _new, former in changes})
    # After the leads: the appointments they took with them are dirty now.
    for item in list(session.dirty):
        if isinstance(item, Appointment):
            _appointment_changed(session, item)


def _status_changed(session, lead):
    history = inspect(lead).attrs.status.history
    if history.deleted and history.added and history.deleted[0] != history.added[0]:
        old, new = history.deleted[0], history.added[0]
        if old in STATUSES and new in STATUSES:
            record_event(session, lead.id, "status", f"{old}>{new}")


def _owner_change(item):
    """(changed, new owner id) of a lead or an appointment. FAB's forms set the relationship
    (its column follows only during the flush), the services the column."""
    attrs = inspect(item).attrs
    if attrs.owner.history.has_changes():
        return True, item.owner.id if item.owner is not None else None
    return attrs.owner_id.history.has_changes(), item.owner_id


def _new_owner(lead):
    """(lead id, new rep id, former rep id or None) when this flush gives the lead a rep."""
    changed, owner_id = _owner_change(lead)
    return (lead.id, owner_id, _former_owner(lead)) if changed and owner_id is not None else None


def _former_owner(lead):
    attrs = inspect(lead).attrs
    if attrs.owner.history.deleted:
        former = attrs.owner.history.deleted[0]
        return former.id if former is not None else None
    return attrs.owner_id.history.deleted[0] if attrs.owner_id.history.deleted else None


def _appointment_changed(session, appointment):
    """Whatever moved or cancelled it (form, API, agenda, booking link, CalDAV):
    - a change calendars must see (time, place, title, status) raises the iCalendar SEQUENCE,
      so that Google and Outlook replace their copy of the event;
    - a new start time sends the lead's reminders again;
    - a new time or a cancellation frees the quarter hours a booking held; a new rep takes
      them over."""
    state = inspect(appointment)
    changed = {name for name in ICAL_FIELDS if state.attrs[name].history.has_changes()}
    owner_changed, owner_id = _owner_change(appointment)
    if owner_changed:
        changed.add("owner_id")
    if not changed:
        return
    if changed & set(ICAL_FIELDS):
        appointment.sequence = (appointment.sequence or 0) + 1
    if "starts_at" in changed:
        appointment.reminded_day_at = appointment.reminded_hour_at = None
    blocks = AppointmentBlock.__table__
    if changed & {"starts_at", "ends_at"} or appointment.status == "cancelled" \
            or owner_id is None:
        session.execute(delete(blocks).where(blocks.c.appointment_id == appointment.id))
    elif owner_changed:
        _hand_over_blocks(session, blocks, appointment.id, owner_id)


def _hand_over_blocks(session, blocks, appointment_id, owner_id):
    """The booking's quarter hours go to its new rep, but for those the rep already holds for
    another booking (held first: a manager may still give them overlapping appointments)."""
    own = blocks.c.appointment_id == appointment_id
    held = blocks.alias("held")  # not correlated with the table the DELETE works on
    session.execute(delete(blocks).where(own, blocks.c.starts_at.in_(
        select(held.c.starts_at).where(held.c.user_id == owner_id))))
    session.execute(update(blocks).where(own).values(user_id=owner_id))
