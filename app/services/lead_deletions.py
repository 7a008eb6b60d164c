"""Tombstones written at delete time, whatever deleted the lead (sheet, list, API, duplicate
merge, import undo), so that an integration syncing by cursor learns of every deletion."""
from sqlalchemy import event, insert, inspect, literal, select
from sqlalchemy.orm import Session

from models import Lead, LeadDeletion
from models.base import utcnow

_KEPT = ("owner_id", "external_id", "gclid", "fbclid")


@event.listens_for(Lead, "after_delete")
def _lead_deleted(_mapper, connection, lead):
    connection.execute(insert(LeadDeletion.__table__).values(
        lead_id=lead.id, deleted_at=utcnow(), **{name: getattr(lead, name) for name in _KEPT}))


@event.listens_for(Session, "do_orm_execute")
def _leads_deleted_in_bulk(state):
    """`query(Lead).filter(...).delete()` runs no mapper event: record its rows first."""
    if not state.is_delete or state.bind_mapper is not inspect(Lead):
        return
    rows = select(Lead.id, *(getattr(Lead, name) for name in _KEPT), literal(utcnow()))
    if state.statement.whereclause is not None:
        rows = rows.where(state.statement.whereclause)
    state.session.execute(insert(LeadDeletion).from_select(
        ["lead_id", *_KEPT, "deleted_at"], rows))
