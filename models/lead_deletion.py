"""Tombstones of deleted leads, so that an integration syncing by cursor learns of deletions."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String

from models.base import utcnow


class LeadDeletion(Model):
    """One deleted lead: its id and the ids other systems know it by, never its contact data
    (a deletion may be an erasure request). `owner_id` is its rep when deleted: the row-level
    rule shows a rep the tombstones of the leads that were theirs."""

    __tablename__ = "lead_deletion"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, nullable=False)
    owner_id = Column(Integer)  # no foreign key: a tombstone outlives its rep's account
    external_id = Column(String(100))
    gclid = Column(String(200))
    fbclid = Column(String(200))
    deleted_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        # Cursor order of the sync (deleted_at, id), for everyone and per rep.
        Index("ix_lead_deletion_cursor", "deleted_at", "id"),
        Index("ix_lead_deletion_owner_cursor", "owner_id", "deleted_at", "id"),
    )
