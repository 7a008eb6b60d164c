"""Facts of a lead's life written to its timeline without each caller thinking of it.

Status changes are caught at flush time, whatever wrote them (form, API, bulk action, import
update, job): the session's info["actor_id"] says who (set per request, or by the job)."""
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from models import STATUSES, Lead, LeadEvent
from models.base import utcnow


def record_event(session, lead_id, kind, detail=None, user_id=None):
    session.add(LeadEvent(lead_id=lead_id, kind=kind, detail=(detail or "")[:500] or None,
                          user_id=user_id if user_id is not None else session.info.get("actor_id"),
                          at=utcnow()))


@event.listens_for(Session, "before_flush")
def _status_changes(session, _context, _instances):
    for item in list(session.dirty):
        if not isinstance(item, Lead):
            continue
        history = inspect(item).attrs.status.history
        if history.deleted and history.added and history.deleted[0] != history.added[0]:
            old, new = history.deleted[0], history.added[0]
            if old in STATUSES and new in STATUSES:
                record_event(session, item.id, "status", f"{old}>{new}")
