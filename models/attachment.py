"""Files attached to a lead, stored outside the web root under random names."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import relationship

from models.base import utcnow


class Attachment(Model):
    __tablename__ = "attachment"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    lead = relationship("Lead")
    filename = Column(String(200), nullable=False)  # as uploaded, cleaned: shown, never a path
    stored_name = Column(String(64), nullable=False, unique=True)
    content_type = Column(String(100), nullable=False)
    size = Column(Integer, nullable=False)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_by = relationship(User, lazy="joined")
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_attachment_lead_created", "lead_id", "created_at"),)
