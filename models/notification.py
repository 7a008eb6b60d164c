"""Notifications (in the app, by e-mail, by SMS), each user's choices, and the user profile
fields FAB's user table lacks (manager, mobile phone, language)."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint, text)
from sqlalchemy.orm import relationship

from models.base import utcnow

EVENTS = {
    "assigned": _l("Un prospect m'est attribué"),
    "mentioned": _l("On me mentionne"),
    "reminder": _l("Un rappel arrive à échéance"),
    "followup": _l("Une relance automatique"),
    "appointment": _l("Un rendez-vous est pris, modifié ou annulé"),
    "campaign_lead": _l("Nouveau prospect d'une de mes campagnes"),
    "export": _l("Un export que j'ai demandé est prêt"),
    "privacy_overdue": _l("Une demande RGPD dépasse son délai"),
    "retention": _l("Des prospects sans contact vont être anonymisés (durée de conservation)"),
}
CHANNELS = {"app": _l("Dans l'application"), "email": _l("E-mail"), "sms": _l("SMS")}
# What a user gets before choosing: everything in the app, the important things by e-mail.
DEFAULT_CHANNELS = {
    "app": set(EVENTS),
    "email": {"assigned", "mentioned", "reminder", "followup", "appointment", "privacy_overdue",
              "retention"},
    "sms": set(),
}


class Notification(Model):
    __tablename__ = "notification"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    user = relationship(User)
    event = Column(String(20), nullable=False)
    title = Column(String(300), nullable=False)
    url = Column(String(300))
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # A notification the user wants only by e-mail or SMS is born read: the bell ignores it.
    in_app = Column(Boolean, nullable=False, default=True)
    read_at = Column(DateTime)
    # E-mail and SMS copies: None (not wanted), pending, sent or failed (sent by a job).
    email_state = Column(String(10))
    sms_state = Column(String(10))

    __table_args__ = (
        # The list of what the bell shows. Partial, so that the unread count below has one
        # index to use (SQLite would otherwise pick this one and read every notification).
        Index("ix_notification_user_created", "user_id", "created_at",
              sqlite_where=text("in_app = 1"), postgresql_where=text("in_app")),
        # The bell's count reads this index alone.
        Index("ix_notification_unread", "user_id", sqlite_where=text("read_at IS NULL"),
              postgresql_where=text("read_at IS NULL")),
    )


class NotificationPreference(Model):
    __tablename__ = "notification_preference"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    event = Column(String(20), nullable=False)
    channel = Column(String(10), nullable=False)
    enabled = Column(Boolean, nullable=False)

    __table_args__ = (UniqueConstraint("user_id", "event", "channel", name="uq_notification_pref"),)


class UserProfile(Model):
    __tablename__ = "user_profile"
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    user = relationship(User, foreign_keys=[user_id])
    manager_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    manager = relationship(User, foreign_keys=[manager_id])
    mobile = Column(String(20))  # E.164, for SMS
    locale = Column(String(5), nullable=False, default="fr")
    # The secret of the user's iCalendar subscription (/calendar/<token>.ics); a new one revokes it.
    calendar_token = Column(String(64))

    __table_args__ = (UniqueConstraint("calendar_token", name="uq_user_profile_calendar_token"),)
