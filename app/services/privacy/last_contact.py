"""The lead's last contact as the CNIL counts it (retention runs from it): the person came to
us — an inbound interaction (a call, a reply, or a contact a rep logs for a legitimate reason),
a booking, a form or a webhook delivered again. Outbound e-mails and their opens do not count.

Set at flush time, whatever wrote the contact (sheet, API, booking page, intake job); bulk
imports call `touch` for the existing leads a file brings again."""
from sqlalchemy import event, inspect, or_, update
from sqlalchemy.orm import Session

from models import Appointment, IntakeDelivery, Interaction, Lead
from models.base import utcnow

_CONTACT_DELIVERIES = ("created", "duplicate")


def touch(session, lead_ids, when=None):
    """The leads were contacted at `when` (now): moves last_contact_at forward, never back."""
    when = min(when or utcnow(), utcnow())
    ids = sorted(set(lead_ids))
    for start in range(0, len(ids), 500):
        session.execute(
            update(Lead).where(Lead.id.in_(ids[start:start + 500]), Lead.anonymised_at.is_(None),
                               or_(Lead.last_contact_at.is_(None), Lead.last_contact_at < when))
            # Bookkeeping, not an edit of the lead: updated_at (the sync API's cursor) stays.
            .values(last_contact_at=when, updated_at=Lead.updated_at),
            execution_options={"synchronize_session": False})


def _contact(item, new):
    """(lead id, when) if this row, just written, is the person contacting us."""
    if isinstance(item, Interaction) and item.direction == "inbound":
        return item.lead_id, item.occurred_at
    if isinstance(item, Appointment) and new and item.booking_page_id is not None:
        return item.lead_id, item.created_at
    if isinstance(item, IntakeDelivery) and item.lead_id and item.status in _CONTACT_DELIVERIES \
            and inspect(item).attrs.status.history.has_changes():
        return item.lead_id, item.processed_at or item.received_at
    return None


@event.listens_for(Session, "after_flush")
def _contacted(session, _context):
    """Rows the flush wrote (ids known, the session's lists not yet reset)."""
    found = {}
    for items, new in ((session.new, True), (session.dirty, False)):
        for item in items:
            contact = _contact(item, new)
            if contact and contact[0] and contact[1]:
                found[contact[0]] = max(contact[1], found.get(contact[0], contact[1]))
    for lead_id, when in found.items():
        touch(session, [lead_id], when)
