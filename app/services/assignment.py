"""Giving leads to reps: the rule that applies, the rep it picks, the record it leaves."""
from sqlalchemy import case, or_

from models import AssignmentMember, AssignmentRule, LeadAssignment, User
from models.base import utcnow


def rule_for(session, source_id=None, campaign_id=None):
    """The active rule for a lead: one for its campaign, else its source, else for all."""
    specificity = case((AssignmentRule.campaign_id.isnot(None), 0),
                       (AssignmentRule.source_id.isnot(None), 1), else_=2)
    return session.query(AssignmentRule).filter(
        AssignmentRule.active.is_(True),
        or_(AssignmentRule.campaign_id.is_(None), AssignmentRule.campaign_id == campaign_id),
        or_(AssignmentRule.source_id.is_(None), AssignmentRule.source_id == source_id),
    ).order_by(specificity, AssignmentRule.id).first()


def pick_owner(session, rule):
    """The rep the rule designates now (None: the lead stays in the managers' pool).

    Round robin, weighted: the available, active member with the fewest leads per unit of
    weight; its counter is raised in the same transaction (rows locked on PostgreSQL)."""
    if rule is None or rule.mode == "pool":
        return None
    if rule.mode == "fixed":
        owner = session.get(User, rule.owner_id) if rule.owner_id else None
        return owner if owner is not None and owner.active else None
    members = (session.query(AssignmentMember).join(User, User.id == AssignmentMember.user_id)
               .filter(AssignmentMember.rule_id == rule.id, AssignmentMember.available.is_(True),
                       AssignmentMember.weight > 0, User.active.is_(True))
               .with_for_update(of=AssignmentMember).all())
    if not members:
        return None
    chosen = min(members, key=lambda m: (m.assigned_count / m.weight, m.id))
    chosen.assigned_count += 1
    return chosen.user


def record(session, lead, owner_id, previous_id=None, by_user_id=None, rule_id=None):
    session.add(LeadAssignment(lead_id=lead.id, user_id=owner_id, previous_user_id=previous_id,
                               assigned_by_id=by_user_id, rule_id=rule_id, at=utcnow()))


def auto_assign(session, lead):
    """Give an unassigned (flushed) lead to the rep its rule picks. Returns that rep or None."""
    if lead.owner_id is not None:
        return None
    rule = rule_for(session, lead.source_id, lead.campaign_id)
    owner = pick_owner(session, rule)
    if owner is None:
        return None
    lead.owner_id = owner.id
    record(session, lead, owner.id, rule_id=rule.id)
    return owner


class BulkAssigner:
    """auto_assign for imports: one rule lookup per (source, campaign), counters kept in memory
    and written with the chunk."""

    def __init__(self, session):
        self.session = session
        self.rules = {}

    def owner_for(self, source_id, campaign_id):
        key = (source_id, campaign_id)
        if key not in self.rules:
            self.rules[key] = rule_for(self.session, source_id, campaign_id)
        rule = self.rules[key]
        owner = pick_owner(self.session, rule)
        return (owner.id, rule.id) if owner is not None else (None, None)
