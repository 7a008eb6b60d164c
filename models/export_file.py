"""An export too large for a request: written by a job, downloaded by the one who asked."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, text

from models.base import utcnow


class ExportFile(Model):
    __tablename__ = "export_file"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False,
                     index=True)
    kind = Column(String(20), nullable=False, default="leads")
    file_format = Column(String(10), nullable=False)
    query = Column(Text, nullable=False, default="")  # the list's arguments
    status = Column(String(10), nullable=False, default="pending")  # pending, done, failed
    rows = Column(Integer)
    path = Column(String(500))
    # When the stored file was deleted (CRM_PURGE_EXPORT_DAYS) and `path` nulled; an export
    # sent at once never had a file.
    purged_at = Column(DateTime)
    error = Column(String(500))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    finished_at = Column(DateTime)

    __table_args__ = (
        # The purge's look-up: exports still holding a file.
        Index("ix_export_file_stored", "created_at", sqlite_where=text("path IS NOT NULL"),
              postgresql_where=text("path IS NOT NULL")),
    )


class ExportLead(Model):
    """A lead that an export contained: the access request lists the exports that held a
    person, and an erasure deletes the stored files that hold them."""

    __tablename__ = "export_lead"
    export_file_id = Column(Integer, ForeignKey("export_file.id", ondelete="CASCADE"),
                            primary_key=True)
    lead_id = Column(Integer, primary_key=True, index=True)  # no foreign key: kept after erasure
