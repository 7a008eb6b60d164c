"""Saved custom reports: what to group by, what to measure, which leads; who else may run them."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from models.base import utcnow


class SavedReport(Model):
    __tablename__ = "saved_report"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    owner_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False,
                      index=True)
    owner = relationship(User)
    definition = Column(Text, nullable=False)  # JSON: dimensions, measures, days, filters
    shared_roles = Column(Text, nullable=False, default="[]")  # JSON list of role names
    weekly_email = Column(Boolean, nullable=False, default=False)
    last_sent_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utcnow)
