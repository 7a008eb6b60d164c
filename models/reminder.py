"""Reminders (rappels) set by reps, and follow-up rules (relances) set by admins."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint, text)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, utcnow

RULE_STATUSES = {"new": _l("Nouveau"), "in_progress": _l("En cours")}


class Reminder(TimestampMixin, Model):
    __tablename__ = "reminder"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    lead = relationship("Lead", lazy="joined")
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    user = relationship(User, lazy="joined")
    due_at = Column(DateTime, nullable=False)  # UTC
    what = Column(String(500), nullable=False)
    notified_at = Column(DateTime)  # set once: a reminder never fires twice
    done_at = Column(DateTime)

    __table_args__ = (
        Index("ix_reminder_user_due", "user_id", "due_at"),
        Index("ix_reminder_lead", "lead_id", "due_at"),
        # What the tick looks for: due and not yet notified.
        Index("ix_reminder_pending", "due_at", sqlite_where=text("notified_at IS NULL"),
              postgresql_where=text("notified_at IS NULL")),
    )


class FollowUpRule(TimestampMixin, Model):
    """A lead in `status` with no activity for `after_hours` notifies its rep, and, if
    `escalate_after_hours` is set, the rep's manager after that many hours."""
    __tablename__ = "followup_rule"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, unique=True)
    active = Column(Boolean, nullable=False, default=True)
    status = Column(String(20), nullable=False, default="new")
    after_hours = Column(Integer, nullable=False)
    escalate_after_hours = Column(Integer)
    message = Column(Text)

    __table_args__ = (
        CheckConstraint("after_hours > 0", name="ck_followup_after_positive"),
        CheckConstraint("escalate_after_hours IS NULL OR escalate_after_hours > after_hours",
                        name="ck_followup_escalate_later"),
    )

    def status_label(self):
        return str(RULE_STATUSES.get(self.status, self.status))

    def __repr__(self):
        return self.name


class FollowUpAlert(Model):
    """One row per (rule, lead, level, quiet period): the unique key is what keeps a follow-up
    from firing twice, whichever worker or cron run gets there first."""
    __tablename__ = "followup_alert"
    id = Column(Integer, primary_key=True)
    rule_id = Column(Integer, ForeignKey("followup_rule.id", ondelete="CASCADE"), nullable=False)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    level = Column(String(10), nullable=False)  # "rep" or "manager"
    since = Column(DateTime, nullable=False)  # the last activity the alert is about
    sent_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("rule_id", "lead_id", "level", "since",
                                       name="uq_followup_alert"),)
