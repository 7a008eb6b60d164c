"""Who gets new leads: assignment rules, their reps, and the history of every assignment."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, utcnow

RULE_MODES = {
    "round_robin": _l("Tour à tour entre les commerciaux de la règle"),
    "fixed": _l("Toujours le même commercial"),
    "pool": _l("Personne : les responsables attribuent"),
}


class AssignmentRule(TimestampMixin, Model):
    __tablename__ = "assignment_rule"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), unique=True, nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    # The most specific rule wins: campaign, then source, then a rule for everything.
    source_id = Column(Integer, ForeignKey("source.id", ondelete="CASCADE"))
    source = relationship("Source")
    campaign_id = Column(Integer, ForeignKey("campaign.id", ondelete="CASCADE"))
    campaign = relationship("Campaign")
    mode = Column(String(20), nullable=False, default="round_robin")
    owner_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    owner = relationship(User, foreign_keys=[owner_id])
    members = relationship("AssignmentMember", back_populates="rule", cascade="all, delete-orphan")

    def mode_label(self):
        return str(RULE_MODES.get(self.mode, self.mode))

    def __repr__(self):
        return self.name


class AssignmentMember(Model):
    """A rep in a round-robin rule: weight 2 receives twice as many leads as weight 1."""

    __tablename__ = "assignment_member"
    id = Column(Integer, primary_key=True)
    rule_id = Column(Integer, ForeignKey("assignment_rule.id", ondelete="CASCADE"), nullable=False)
    rule = relationship("AssignmentRule", back_populates="members")
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    user = relationship(User)
    weight = Column(Integer, nullable=False, default=1)
    available = Column(Boolean, nullable=False, default=True)  # off while away
    assigned_count = Column(Integer, nullable=False, default=0)

    __table_args__ = (UniqueConstraint("rule_id", "user_id", name="uq_assignment_member"),)

    def __repr__(self):
        return f"{self.user} ({self.weight})"


class LeadAssignment(Model):
    """One change of a lead's rep, automatic (rule) or by someone (assigned_by)."""

    __tablename__ = "lead_assignment"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    lead = relationship("Lead")
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    user = relationship(User, foreign_keys=[user_id])
    previous_user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    previous_user = relationship(User, foreign_keys=[previous_user_id])
    assigned_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    assigned_by = relationship(User, foreign_keys=[assigned_by_id])
    rule_id = Column(Integer, ForeignKey("assignment_rule.id", ondelete="SET NULL"))
    rule = relationship("AssignmentRule")
    at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_lead_assignment_lead", "lead_id", "at"),)
