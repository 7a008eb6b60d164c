"""Campaign and source performance, computed in SQL (aggregates and a window function for the
median), never by looping over leads in Python. Test leads from ad platforms are left out."""
import datetime as dt

from sqlalchemy import and_, case, func, select

from app.timezones import to_utc_naive
from models import Campaign, Lead, Source


def period_bounds(start_day, end_day):
    """Local days (inclusive) -> UTC bounds [start, end)."""
    start = to_utc_naive(dt.datetime.combine(start_day, dt.time())) if start_day else None
    end = to_utc_naive(dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time())) \
        if end_day else None
    return start, end


def _seconds_between(session, later, earlier):
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def lead_conditions(start=None, end=None, owner_id=None, source_id=None, campaign_id=None):
    conditions = [Lead.is_test.is_(False)]
    if start is not None:
        conditions.append(Lead.created_at >= start)
    if end is not None:
        conditions.append(Lead.created_at < end)
    for column, value in ((Lead.owner_id, owner_id), (Lead.source_id, source_id),
                          (Lead.campaign_id, campaign_id)):
        if value is not None:
            conditions.append(column == value)
    return conditions


def _medians(session, group, conditions):
    """{group key: median hours from creation to first contact}, by window functions."""
    delay = _seconds_between(session, Lead.first_contacted_at, Lead.created_at)
    ranked = select(group.label("key"), delay.label("delay"),
                    func.row_number().over(partition_by=group, order_by=delay).label("rank"),
                    func.count().over(partition_by=group).label("total")).where(
        and_(*conditions, Lead.first_contacted_at.is_not(None))).subquery()
    middle = (ranked.c.rank == (ranked.c.total + 1) // 2) | (
        ranked.c.rank == (ranked.c.total + 2) // 2)
    rows = session.execute(select(ranked.c.key, func.avg(ranked.c.delay)).where(middle)
                           .group_by(ranked.c.key)).all()
    return {key: float(seconds) / 3600 for key, seconds in rows}


def performance(session, by="campaign", **filters):
    """One row per campaign (or source) with leads in the period: counts by status, conversion
    rate, spend, cost per lead and per conversion, median time to first contact, value."""
    group = Lead.campaign_id if by == "campaign" else Lead.source_id
    conditions = lead_conditions(**filters)
    status_count = {status: func.sum(case((Lead.status == status, 1), else_=0))
                    for status in ("new", "in_progress", "converted", "abandoned")}
    rows = session.execute(
        select(group.label("key"), func.count().label("leads"),
               *[column.label(status) for status, column in status_count.items()],
               func.sum(case((Lead.status == "converted", Lead.value), else_=None)).label("value"))
        .where(*conditions).group_by(group)).all()
    medians = _medians(session, group, conditions)
    names, spends = _names_and_spend(session, by, [r.key for r in rows if r.key is not None])
    result = []
    for row in rows:
        spend = spends.get(row.key)
        converted = row.converted or 0
        result.append({
            "key": row.key, "name": names.get(row.key), "leads": row.leads,
            "new": row.new or 0, "in_progress": row.in_progress or 0, "converted": converted,
            "abandoned": row.abandoned or 0,
            "conversion_rate": converted / row.leads if row.leads else None,
            "spend": spend,
            "cost_per_lead": spend / row.leads if spend is not None and row.leads else None,
            "cost_per_conversion": spend / converted if spend is not None and converted else None,
            "median_first_contact_hours": medians.get(row.key),
            "value": row.value,
        })
    result.sort(key=lambda r: (-r["leads"], r["name"] or ""))
    return result


def _names_and_spend(session, by, keys):
    """Names, and the spend entered on the campaigns (a source adds up its campaigns')."""
    if not keys:
        return {}, {}
    if by == "campaign":
        rows = session.execute(select(Campaign.id, Campaign.name, Campaign.spend)
                               .where(Campaign.id.in_(keys))).all()
        return {r.id: r.name for r in rows}, {r.id: r.spend for r in rows if r.spend is not None}
    names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(keys))).all())
    spends = dict(session.execute(
        select(Campaign.source_id, func.sum(Campaign.spend)).where(
            Campaign.source_id.in_(keys), Campaign.spend.is_not(None))
        .group_by(Campaign.source_id)).all())
    return names, spends


