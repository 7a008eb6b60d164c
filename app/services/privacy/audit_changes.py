"""Field changes of leads in the audit log, written at flush time from SQLAlchemy's history.

One place rather than a call in each service: the edit form and the API's PUT (FAB's
datamodel), the sheet's status, the bulk actions, a merge, an assignment rule all reach the
lead through a flush, and the flush is the only moment that knows both values of every field
whoever changed it. Only sessions given an audit context (`act_as`: the request's user and
address, or a job's user) are audited: imports and other bulk work by nobody in particular
write none (and pay nothing).

Other models that hold a lead's data (issue 15's custom field values) join with `watch`."""
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.services.privacy.audit import clip, record
from models import Lead
from models.audit import DELETE, FIELD_CHANGE, REASSIGN

CONTEXT = "crm_audit"  # session.info key: (user id, ip address)
# Columns the CRM keeps up to date itself: their changes say nothing about who did what.
UNAUDITED = frozenset({"updated_at", "name_key", "last_contact_at"})
_WATCHED = {}


def act_as(session, user_id, ip=None):
    """Audit the session's next flushes as done by `user_id` from `ip`; None stops it."""
    if user_id is None:
        session.info.pop(CONTEXT, None)
    else:
        session.info[CONTEXT] = (user_id, ip)


def watch(model, changes_of):
    """Audit changes of `model`: changes_of(item) -> (lead id, {field: (before, after)})."""
    _WATCHED[model] = changes_of


def _value_of(item):
    return item.id if item is not None else None


def column_changes(item, skipped=UNAUDITED):
    """{field: (before, after)} of an item's changed columns and many-to-one relations (FAB's
    forms set the relation, its foreign key follows only inside the flush: named by the key)."""
    state = inspect(item)
    found = {}
    for attribute in state.mapper.column_attrs:
        if attribute.key in skipped:
            continue
        history = state.attrs[attribute.key].history
        if history.added or history.deleted:
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                found[attribute.key] = (clip(before), clip(after))
    for relation in state.mapper.relationships:
        if relation.direction.name != "MANYTOONE":
            continue
        history = state.attrs[relation.key].history
        if not (history.added or history.deleted):
            continue
        key = next(iter(relation.local_columns)).key
        before = (_value_of(history.deleted[0]) if history.deleted
                  else state.attrs[key].loaded_value)
        after = _value_of(history.added[0]) if history.added else None
        if before != after:
            found[key] = (before, after)
    return found


def _lead_changes(lead):
    return lead.id, column_changes(lead)


watch(Lead, _lead_changes)


@event.listens_for(Session, "before_flush")
def _before_flush(session, _context, _instances):
    actor = session.info.get(CONTEXT)
    if actor is None:
        return
    user_id, ip = actor
    for item in session.dirty:
        changes_of = _WATCHED.get(type(item))
        if changes_of is None:
            continue
        lead_id, changes = changes_of(item)
        owner = changes.pop("owner_id", None)
        if owner is not None:
            record(session, REASSIGN, user_id, ip, lead_id, owner_id=list(owner))
        if changes:
            record(session, FIELD_CHANGE, user_id, ip, lead_id,
                   fields={name: list(pair) for name, pair in changes.items()})
    for item in session.deleted:
        if isinstance(item, Lead):
            record(session, DELETE, user_id, ip, item.id)
