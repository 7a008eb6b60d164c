"""A user's CalDAV calendar (Nextcloud, iCloud, Fastmail, Google...), kept in step with the
CRM, and the busy times read from it."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import relationship

from models.sealed import Sealed


class CalendarAccount(Model):
    __tablename__ = "calendar_account"
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    user = relationship(User)
    server_url = Column(String(500), nullable=False)
    username = Column(String(200), nullable=False)
    password_secret = Column(Sealed, nullable=False)
    calendar_url = Column(String(500), nullable=False)
    calendar_name = Column(String(200))
    active = Column(Boolean, nullable=False, default=True)
    last_sync_at = Column(DateTime)
    last_error = Column(String(500))


class ExternalBusy(Model):
    """An event of the user's own calendar (not one of ours): it blocks booking slots."""
    __tablename__ = "external_busy"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    starts_at = Column(DateTime, nullable=False)
    ends_at = Column(DateTime, nullable=False)

    __table_args__ = (Index("ix_external_busy_user_start", "user_id", "starts_at"),)
