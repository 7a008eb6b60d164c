"""Campaign and source performance, computed in SQL (aggregates and a window function for the
median), never by looping over leads in Python. Test leads from ad platforms are left out."""
import datetime as dt

from flask import current_app
from sqlalchemy import and_, case, func, select

from app.services.spend import spend_between
from app.timezones import to_local, to_utc_naive
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


def medians_by(session, groups, conditions):
    """{tuple of group values: median hours from creation to first contact}, by window
    functions (SQLite and PostgreSQL alike)."""
    delay = _seconds_between(session, Lead.first_contacted_at, Lead.created_at)
    keys = [group.label(f"g{index}") for index, group in enumerate(groups)]
    ranked = select(*keys, delay.label("delay"),
                    func.row_number().over(partition_by=groups, order_by=delay).label("rank"),
                    func.count().over(partition_by=groups).label("total")).where(
        and_(*conditions, Lead.first_contacted_at.is_not(None))).subquery()
    columns = [ranked.c[key.name] for key in keys]
    middle = (ranked.c.rank == (ranked.c.total + 1) // 2) | (
        ranked.c.rank == (ranked.c.total + 2) // 2)
    rows = session.execute(select(*columns, func.avg(ranked.c.delay)).where(middle)
                           .group_by(*columns)).all()
    return {tuple(row[:-1]): float(row[-1]) / 3600 for row in rows}


def _medians(session, group, conditions):
    return {key[0]: hours for key, hours in medians_by(session, [group], conditions).items()}


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
    names, spends = _names_and_spend(session, by, [r.key for r in rows if r.key is not None],
                                     filters.get("start"), filters.get("end"))
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


def _names_and_spend(session, by, keys, start, end):
    """Names, and the spend of the period: the imported daily spend where a campaign has it,
    else the spend entered on the campaign (a source adds up its campaigns')."""
    if not keys:
        return {}, {}
    if by == "campaign":
        rows = session.execute(select(Campaign.id, Campaign.name, Campaign.spend)
                               .where(Campaign.id.in_(keys))).all()
        names = {r.id: r.name for r in rows}
        campaign_spend = {r.id: r.spend for r in rows if r.spend is not None}
    else:
        names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(keys))).all())
        rows = session.execute(select(Campaign.id, Campaign.source_id, Campaign.spend)
                               .where(Campaign.source_id.in_(keys))).all()
        campaign_spend = {r.id: r.spend for r in rows if r.spend is not None}
    first_day = to_local(start).date() if start else None
    last_day = (to_local(end) - dt.timedelta(microseconds=1)).date() if end else None
    ids = [r.id for r in rows]
    campaign_spend.update(spend_between(session, ids, first_day, last_day))
    if by == "campaign":
        return names, campaign_spend
    spends = {}
    for row in rows:
        if row.id in campaign_spend:
            spends[row.source_id] = spends.get(row.source_id, 0) + campaign_spend[row.id]
    return names, spends




def day_bucket(session, column, unit):
    """The local day, ISO week's Monday or month of a UTC timestamp, as text, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        zone = current_app.config.get("CRM_TIMEZONE", "Europe/Paris")
        local = func.timezone(zone, func.timezone("UTC", column))
        return func.to_char(func.date_trunc(unit, local), "YYYY-MM-DD")
    local = _sqlite_paris(column)
    if unit == "day":
        return func.date(local)
    if unit == "week":
        return func.date(local, "-6 days", "weekday 1")
    return func.strftime("%Y-%m-01", local)


def _sqlite_paris(column):
    """SQLite has no time zones: Paris (the CRM's zone there) is UTC+1, +2 between the last
    Sundays of March and October at 01:00 UTC (the EU rule), computed in SQL."""
    # The last Sunday of a month: from the 25th, the next Sunday (the 25th itself included).
    march_end = func.date(func.strftime("%Y-03-25", column), "weekday 0")
    october_end = func.date(func.strftime("%Y-10-25", column), "weekday 0")
    summer = and_(column >= func.datetime(march_end, "+1 hours"),
                  column < func.datetime(october_end, "+1 hours"))
    return func.datetime(column, case((summer, "+2 hours"), else_="+1 hours"))


def leads_over_time(session, unit="day", **filters):
    """[(bucket start "YYYY-MM-DD", leads, converted)] of the period, in Paris time."""
    bucket = day_bucket(session, Lead.created_at, unit).label("bucket")
    rows = session.execute(
        select(bucket, func.count(), func.sum(case((Lead.status == "converted", 1), else_=0)))
        .where(*lead_conditions(**filters)).group_by(bucket).order_by(bucket)).all()
    return [(b, n, c or 0) for b, n, c in rows]


def funnel(session, **filters):
    """{status: leads} of the period."""
    rows = session.execute(select(Lead.status, func.count()).where(*lead_conditions(**filters))
                           .group_by(Lead.status)).all()
    return {status: count for status, count in rows}


def by_rep(session, now, **filters):
    """Per rep: leads, conversions, median hours to first contact, leads never contacted."""
    conditions = lead_conditions(**filters) + [Lead.owner_id.is_not(None)]
    rows = session.execute(
        select(Lead.owner_id, func.count(), func.sum(case((Lead.status == "converted", 1), else_=0)),
               func.sum(case((and_(Lead.first_contacted_at.is_(None),
                                   Lead.status.in_(("new", "in_progress"))), 1), else_=0)))
        .where(*conditions).group_by(Lead.owner_id)).all()
    medians = _medians(session, Lead.owner_id, conditions)
    return [{"owner_id": owner, "leads": n, "converted": c or 0,
             "conversion_rate": (c or 0) / n if n else None, "untouched": u or 0,
             "median_first_contact_hours": medians.get(owner)} for owner, n, c, u in rows]
