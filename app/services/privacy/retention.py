"""Retention (RGPD): a lead is anonymised when its retention period, counted from its last
contact (lead.last_contact_at), is over: CRM_RETENTION_YEARS for prospects,
CRM_RETENTION_CUSTOMER_YEARS for customers (status "converted").

CRM_RETENTION_NOTICE_DAYS before, its rep (and the rep's manager; the managers for a lead
without rep) get one notification listing their leads concerned, recorded as a LeadEvent
"retention_notice" so that it is not sent twice. A lead is anonymised only once its notice is
that many days old: nobody loses a lead without warning, even the first time the rule runs on
old data. A contact in between (see last_contact.py) moves the whole period forward, and the
next notice is sent again when the new period nears its end."""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import ngettext
from sqlalchemy import and_, exists, insert, or_, select

from app.services.notifications import notify
from models import STATUS_CONVERTED, Lead, LeadEvent, User, UserProfile
from models.base import utcnow

NOTICE_KIND = "retention_notice"
MANAGER_ROLE = "Responsable"  # app.security.ROLE_MANAGER (not imported: it imports services)


@dataclass(frozen=True)
class Policy:
    prospect_years: int = 3
    customer_years: int = 5
    notice_days: int = 30

    @classmethod
    def from_config(cls, config):
        return cls(config["CRM_RETENTION_YEARS"], config["CRM_RETENTION_CUSTOMER_YEARS"],
                   config["CRM_RETENTION_NOTICE_DAYS"])

    @property
    def notice(self):
        return dt.timedelta(days=self.notice_days)

    def years_for(self, status):
        return self.customer_years if status == STATUS_CONVERTED else self.prospect_years

    def expires_at(self, status, last_contact_at):
        return years_after(last_contact_at, self.years_for(status))


def years_after(moment, years):
    """The same day and time `years` later (29 February gives 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _expired_by(policy, moment):
    """Live leads whose period is over at `moment` (reached counts as over)."""
    prospects = years_after(moment, -policy.prospect_years)
    customers = years_after(moment, -policy.customer_years)
    return and_(Lead.anonymised_at.is_(None),
                Lead.last_contact_at <= max(prospects, customers),  # the index's range
                or_(and_(Lead.status != STATUS_CONVERTED, Lead.last_contact_at <= prospects),
                    and_(Lead.status == STATUS_CONVERTED, Lead.last_contact_at <= customers)))


def _noticed(before=None):
    """A notice sent since the lead's last contact (and before `before`)."""
    conditions = [LeadEvent.lead_id == Lead.id, LeadEvent.kind == NOTICE_KIND,
                  LeadEvent.at >= Lead.last_contact_at]
    if before is not None:
        conditions.append(LeadEvent.at <= before)
    return exists(select(LeadEvent.id).where(*conditions))


def due_ids(session, policy, now=None, among=None):
    """Ids of the leads to anonymise now, in id order (`among`: only these, re-checked just
    before a batch is erased, so that a contact logged meanwhile keeps its lead)."""
    now = now or utcnow()
    query = select(Lead.id).where(_expired_by(policy, now), _noticed(now - policy.notice))
    if among is not None:
        query = query.where(Lead.id.in_(among))
    return list(session.scalars(query.order_by(Lead.id)))


def _recipients(session):
    """A function giving the users to tell about a lead of a rep."""
    managers_of = dict(session.execute(select(UserProfile.user_id, UserProfile.manager_id).where(
        UserProfile.manager_id.is_not(None))).all())
    role_managers = None

    def recipients(owner_id):
        nonlocal role_managers
        if owner_id is not None:
            return {owner_id} | ({managers_of[owner_id]} if owner_id in managers_of else set())
        if role_managers is None:
            role_managers = {user.id for user in session.scalars(select(User).where(
                User.active.is_(True))) if any(r.name == MANAGER_ROLE for r in user.roles)}
        return role_managers
    return recipients


def send_notices(session, policy, now=None):
    """Tell the reps of the leads whose period ends within the notice delay, once per period
    and user (one notification listing them). Returns the notifications written."""
    now = now or utcnow()
    rows = session.execute(select(Lead.id, Lead.owner_id, Lead.status, Lead.last_contact_at)
                           .where(_expired_by(policy, now + policy.notice), ~_noticed())
                           .order_by(Lead.id)).all()
    if not rows:
        return []
    recipients = _recipients(session)
    leads_of = defaultdict(list)
    for row in rows:
        for user_id in recipients(row.owner_id):
            leads_of[user_id].append(row)
    session.execute(insert(LeadEvent), [
        {"lead_id": row.id, "kind": NOTICE_KIND, "at": now,
         "detail": erasure_date(policy, row, now).isoformat()} for row in rows])
    return [item for user_id, leads in sorted(leads_of.items())
            if (item := _notify(session, user_id, policy, leads, now)) is not None]


def erasure_date(policy, row, now, noticed_at=None):
    """When the lead goes: its period's end, or its notice's delay if that ends later."""
    return max(policy.expires_at(row.status, row.last_contact_at), (noticed_at or now) + policy.notice)


def _notify(session, user_id, policy, leads, now):
    first = min(erasure_date(policy, row, now) for row in leads)
    listed = ", ".join(f"#{row.id}" for row in leads)

    def title():
        return ngettext(
            "%(num)d prospect sans contact sera anonymisé à partir du %(date)s (durée de "
            "conservation) : %(leads)s",
            "%(num)d prospects sans contact seront anonymisés à partir du %(date)s (durée de "
            "conservation) : %(leads)s", len(leads), date=format_date(first), leads=listed)
    url = f"/leads/show/{leads[0].id}" if len(leads) == 1 else None
    return notify(session, user_id, "retention", title, url=url)


def plan(session, policy, now=None):
    """What the coming notice delay holds: [(lead row, noticed at or None, erasure date)],
    for `flask crm retention --dry-run`."""
    now = now or utcnow()
    notice = (select(LeadEvent.at).where(LeadEvent.lead_id == Lead.id, LeadEvent.kind == NOTICE_KIND,
                                         LeadEvent.at >= Lead.last_contact_at)
              .order_by(LeadEvent.at).limit(1).scalar_subquery())
    rows = session.execute(select(Lead.id, Lead.owner_id, Lead.status, Lead.last_contact_at,
                                  notice.label("noticed_at"))
                           .where(_expired_by(policy, now + policy.notice)).order_by(Lead.id))
    return [(row, row.noticed_at, erasure_date(policy, row, now, row.noticed_at)) for row in rows]
