"""Follow-up rules (relances): a lead left without activity notifies its rep, then the rep's
manager. Each (rule, lead, level, quiet period) fires once: the unique key of followup_alert."""
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.services.viewer import user_sees_lead
from models import FollowUpAlert, FollowUpRule, Interaction, Lead, UserProfile
from models.base import utcnow


def last_activity_column():
    """The lead's last activity: its latest interaction, or its creation."""
    latest = (select(func.max(Interaction.occurred_at)).where(Interaction.lead_id == Lead.id)
              .correlate(Lead).scalar_subquery())
    return func.coalesce(latest, Lead.created_at)


def quiet_leads(session, rule, hours, now, lookback_hours):
    """(lead, last activity) of the rule's status, quiet for `hours`, but not for longer than
    `hours + lookback_hours`: a rule fires when a lead crosses the line, not for every old lead
    the day it is created."""
    activity = last_activity_column().label("activity")
    threshold = now - dt.timedelta(hours=hours)
    oldest = threshold - dt.timedelta(hours=lookback_hours)
    query = (select(Lead, activity).where(Lead.status == rule.status, Lead.owner_id.is_not(None))
             .where(activity <= threshold, activity > oldest))
    return session.execute(query).all()


def _claim(session, rule, lead, level, since):
    try:
        with session.begin_nested():
            session.add(FollowUpAlert(rule_id=rule.id, lead_id=lead.id, level=level, since=since))
        return True
    except IntegrityError:
        return False


def due_alerts(session, now=None, lookback_hours=72):
    """Claims the alerts due now; returns (rule, lead, user id to notify, level)."""
    now = now or utcnow()
    alerts = []
    for rule in session.query(FollowUpRule).filter_by(active=True).order_by(FollowUpRule.id):
        for lead, since in quiet_leads(session, rule, rule.after_hours, now, lookback_hours):
            if _claim(session, rule, lead, "rep", since):
                alerts.append((rule, lead, lead.owner_id, "rep"))
        if not rule.escalate_after_hours:
            continue
        for lead, since in quiet_leads(session, rule, rule.escalate_after_hours, now,
                                       lookback_hours):
            profile = session.get(UserProfile, lead.owner_id)
            # A "manager" named in a profile may be a colleague who does not see the lead.
            if profile and profile.manager_id \
                    and user_sees_lead(session, profile.manager_id, lead.id) \
                    and _claim(session, rule, lead, "manager", since):
                alerts.append((rule, lead, profile.manager_id, "manager"))
    return alerts
