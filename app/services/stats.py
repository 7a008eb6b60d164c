"""Campaign and source performance, dashboards' figures: SQL sums over the running counts of
models/lead_stat.py (a few rows per day, source, campaign, rep and status), never a pass over
the period's leads or a loop over leads in Python. Test leads are not counted there."""
from sqlalchemy import case, func, select

from app.services.spend import spend_between
from models import Campaign, LeadContactStat, LeadDayStat, Source

DAYS, CONTACTS = LeadDayStat.__table__, LeadContactStat.__table__


def stat_conditions(table, first_day=None, last_day=None, owner_id=None, source_id=None,
                    campaign_id=None):
    """Local days (inclusive) and ids, on one of the two count tables."""
    conditions = []
    if first_day is not None:
        conditions.append(table.c.day >= first_day)
    if last_day is not None:
        conditions.append(table.c.day <= last_day)
    for name, value in (("owner_id", owner_id), ("source_id", source_id),
                        ("campaign_id", campaign_id)):
        if value is not None:
            conditions.append(table.c[name] == value)
    return conditions


TIME_UNITS = ("day", "week", "month")


def key(table, name):
    """A key column with 0 (no source, campaign or rep) read back as NULL."""
    column = table.c[name]
    return column if name == "status" else func.nullif(column, 0)


def group_expression(session, table, name):
    """A key column, or the day's bucket for a time unit."""
    return day_bucket(session, table.c.day, name) if name in TIME_UNITS else key(table, name)


def status_sum(status, column=DAYS.c.leads):
    return func.sum(case((DAYS.c.status == status, column), else_=0))


def medians_by(session, names, filters):
    """{tuple of group values: median hours from creation to first contact} grouped by key
    columns or time units, read from the minute histogram: the middle value(s) are where the
    running count crosses half."""
    groups = [group_expression(session, CONTACTS, name) for name in names]
    labels = [group.label(f"g{index}") for index, group in enumerate(groups)]
    histogram = select(*labels, CONTACTS.c.minutes, func.sum(CONTACTS.c.leads).label("n")).where(
        *stat_conditions(CONTACTS, **filters)).group_by(*groups, CONTACTS.c.minutes).having(
        func.sum(CONTACTS.c.leads) > 0).subquery()
    parts = [histogram.c[label.name] for label in labels]
    running = select(*parts, histogram.c.minutes,
                     func.sum(histogram.c.n).over(partition_by=parts, order_by=histogram.c.minutes)
                     .label("upto"),
                     func.sum(histogram.c.n).over(partition_by=parts).label("total")).subquery()
    # The lower middle is the first value reaching half the count, the upper the first past it.
    middle = [func.min(case((condition, running.c.minutes))) for condition in
              (2 * running.c.upto >= running.c.total, 2 * running.c.upto > running.c.total)]
    rows = session.execute(select(*[running.c[label.name] for label in labels], *middle)
                           .group_by(*[running.c[label.name] for label in labels])).all()
    return {tuple(row[:-2]): (row[-2] + row[-1]) / 120 for row in rows}


def performance(session, by="campaign", **filters):
    """One row per campaign (or source) with leads in the period: counts by status, conversion
    rate, spend, cost per lead and per conversion, median time to first contact, value."""
    name = "campaign_id" if by == "campaign" else "source_id"
    group = key(DAYS, name)
    rows = session.execute(
        select(group.label("key"), func.sum(DAYS.c.leads).label("leads"),
               *[status_sum(status).label(status)
                 for status in ("new", "in_progress", "converted", "abandoned")],
               status_sum("converted", DAYS.c.valued).label("valued"),
               status_sum("converted", DAYS.c.value).label("value"))
        .where(*stat_conditions(DAYS, **filters)).group_by(group)
        .having(func.sum(DAYS.c.leads) > 0)).all()
    medians = {k[0]: hours for k, hours in medians_by(session, [name], filters).items()}
    names, spends = _names_and_spend(session, by, [r.key for r in rows if r.key is not None],
                                     filters.get("first_day"), filters.get("last_day"))
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
            "value": row.value if row.valued else None,
        })
    result.sort(key=lambda r: (-r["leads"], r["name"] or ""))
    return result


def _names_and_spend(session, by, keys, first_day, last_day):
    """Names, and the spend of the period: the imported daily spend where a campaign has it,
    else the spend entered on the campaign (a source adds up its campaigns')."""
    if not keys:
        return {}, {}
    if by == "campaign":
        rows = session.execute(select(Campaign.id, Campaign.name).where(Campaign.id.in_(keys))).all()
        names = {r.id: r.name for r in rows}
    else:
        names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(keys))).all())
        rows = session.execute(select(Campaign.id, Campaign.source_id)
                               .where(Campaign.source_id.in_(keys))).all()
    campaign_spend = spend_between(session, [r.id for r in rows], first_day, last_day)
    if by == "campaign":
        return names, campaign_spend
    spends = {}
    for row in rows:
        if row.id in campaign_spend:
            spends[row.source_id] = spends.get(row.source_id, 0) + campaign_spend[row.id]
    return names, spends


def day_bucket(session, column, unit):
    """The day, ISO week's Monday or month of a date column, as "YYYY-MM-DD" text, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc(unit, column), "YYYY-MM-DD")
    if unit == "day":
        return func.date(column)
    if unit == "week":
        return func.date(column, "-6 days", "weekday 1")
    return func.strftime("%Y-%m-01", column)


def leads_over_time(session, unit="day", **filters):
    """[(bucket start "YYYY-MM-DD", leads, converted)] of the period, in local days."""
    bucket = day_bucket(session, DAYS.c.day, unit).label("bucket")
    rows = session.execute(
        select(bucket, func.sum(DAYS.c.leads), status_sum("converted"))
        .where(*stat_conditions(DAYS, **filters)).group_by(bucket)
        .having(func.sum(DAYS.c.leads) > 0).order_by(bucket)).all()
    return [(b, n, c or 0) for b, n, c in rows]


def funnel(session, **filters):
    """{status: leads} of the period."""
    rows = session.execute(select(DAYS.c.status, func.sum(DAYS.c.leads))
                           .where(*stat_conditions(DAYS, **filters)).group_by(DAYS.c.status)).all()
    return {status: count for status, count in rows if count}


def by_rep(session, **filters):
    """Per rep: leads, conversions, median hours to first contact, leads never contacted."""
    conditions = stat_conditions(DAYS, **filters) + [DAYS.c.owner_id != 0]
    rows = session.execute(
        select(DAYS.c.owner_id, func.sum(DAYS.c.leads), status_sum("converted"),
               func.sum(case((DAYS.c.status.in_(("new", "in_progress")), DAYS.c.untouched),
                             else_=0)))
        .where(*conditions).group_by(DAYS.c.owner_id).having(func.sum(DAYS.c.leads) > 0)).all()
    medians = medians_by(session, ["owner_id"], filters)
    return [{"owner_id": owner, "leads": n, "converted": c or 0,
             "conversion_rate": (c or 0) / n if n else None, "untouched": u or 0,
             "median_first_contact_hours": medians.get((owner,))} for owner, n, c, u in rows]
