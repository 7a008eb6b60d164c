"""Custom reports: leads grouped by the chosen dimensions, with the chosen measures, in SQL.
A report runs with the row-level rule of whoever runs it (the viewer's `owner_scope` for a rep)."""
import datetime as dt
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.services.errors import DomainError
from app.services.spend import spend_between
from app.services.stats import (DAYS, TIME_UNITS, group_expression, medians_by, stat_conditions,
                                status_sum)
from models import STATUSES, Campaign, CampaignSpend, Source, User

DIMENSIONS = {"source": _l("Source"), "campaign": _l("Campagne"), "rep": _l("Commercial"),
              "status": _l("Statut"), "day": _l("Jour"), "week": _l("Semaine"),
              "month": _l("Mois")}
MEASURES = {"leads": _l("Prospects"), "conversions": _l("Conversions"),
            "conversion_rate": _l("Taux de conversion"), "spend": _l("Dépenses"),
            "cost_per_lead": _l("Coût par prospect"),
            "median_contact_hours": _l("Délai médian du premier contact (h)")}
MONEY = ("spend", "cost_per_lead")
MAX_DAYS = 3660


def check_definition(raw):
    """The definition as stored: {"dimensions": [...], "measures": [...], "days": n,
    "source": id, "campaign": id}. DomainError for anything else."""
    dimensions = [d for d in raw.get("dimensions", []) if d]
    measures = [m for m in raw.get("measures", []) if m]
    if not dimensions or len(dimensions) > 3 or set(dimensions) - set(DIMENSIONS):
        raise DomainError(_("Choisissez de une à trois dimensions."), field="dimensions")
    if len([d for d in dimensions if d in ("day", "week", "month")]) > 1:
        raise DomainError(_("Une seule dimension de temps (jour, semaine ou mois)."), field="dimensions")
    if not measures or set(measures) - set(MEASURES):
        raise DomainError(_("Choisissez au moins une mesure."), field="measures")
    try:
        days = 30 if raw.get("days") in (None, "") else int(raw["days"])
        filters = {key: int(raw[key]) for key in ("source", "campaign") if raw.get(key)}
    except (TypeError, ValueError):
        raise DomainError(_("Filtre invalide."), field="days")
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(_("Période de 1 à %(max)d jours.", max=MAX_DAYS), field="days")
    return {"dimensions": list(dict.fromkeys(dimensions)), "measures": list(dict.fromkeys(measures)),
            "days": days, **filters}


COLUMNS = {"source": "source_id", "campaign": "campaign_id", "rep": "owner_id", "status": "status"}


def run(session, definition, today, viewer):
    """(column titles, rows of display values) of a checked definition, over the leads the
    viewer sees."""
    filters = {"first_day": today - dt.timedelta(days=definition["days"] - 1), "last_day": today,
               "owner_id": viewer.owner_scope, "source_id": definition.get("source"),
               "campaign_id": definition.get("campaign")}
    names = [COLUMNS.get(d, d) for d in definition["dimensions"]]
    keys = [group_expression(session, DAYS, name).label(f"d{i}") for i, name in enumerate(names)]
    rows = session.execute(
        select(*keys, func.sum(DAYS.c.leads).label("leads"),
               status_sum("converted").label("conversions"))
        .where(*stat_conditions(DAYS, **filters)).group_by(*keys)
        .having(func.sum(DAYS.c.leads) > 0).order_by(*keys)).all()
    medians = medians_by(session, names, filters) \
        if "median_contact_hours" in definition["measures"] else {}
    spends = _spend_by_group(session, definition, filters) \
        if set(MONEY) & set(definition["measures"]) else None
    labels = _names(session, definition["dimensions"], rows)
    table = []
    for row in rows:
        key = tuple(row[:len(keys)])
        values = [labels[d].get(k, k) if d in labels else _time_label(d, k)
                  for d, k in zip(definition["dimensions"], key)]
        spend = spends.get(key) if spends is not None else None
        figures = {"leads": row.leads, "conversions": row.conversions or 0,
                   "conversion_rate": (row.conversions or 0) / row.leads if row.leads else None,
                   "spend": spend, "cost_per_lead": spend / row.leads if spend is not None else None,
                   "median_contact_hours": medians.get(key)}
        table.append(values + [figures[m] for m in definition["measures"]])
    titles = [str(DIMENSIONS[d]) for d in definition["dimensions"]] + \
        [str(MEASURES[m]) for m in definition["measures"]]
    return titles, table


def _spend_by_group(session, definition, filters):
    """{group key: spend} when spend can be told apart along the report's dimensions (not by
    rep or status, not for a report run for one rep): without a time dimension, each
    campaign's spend of the period as on the performance screen; with one, the imported daily
    spend (a total entered on a campaign has no date). None when it cannot be attributed."""
    dimensions = definition["dimensions"]
    if filters["owner_id"] is not None or {"rep", "status"} & set(dimensions):
        return None
    query = session.query(Campaign.id, Campaign.source_id)
    if filters["source_id"] is not None:
        query = query.filter(Campaign.source_id == filters["source_id"])
    if filters["campaign_id"] is not None:
        query = query.filter(Campaign.id == filters["campaign_id"])
    campaigns = {c.id: c for c in query}
    unit = next((d for d in dimensions if d in TIME_UNITS), None)
    if unit is None:
        entries = [(cid, None, amount) for cid, amount in spend_between(
            session, list(campaigns), filters["first_day"], filters["last_day"]).items()]
    else:
        entries = session.query(CampaignSpend.campaign_id, CampaignSpend.day,
                                CampaignSpend.amount).filter(
            CampaignSpend.campaign_id.in_(list(campaigns)),
            CampaignSpend.day.between(filters["first_day"], filters["last_day"])).all()
    spends = {}
    for campaign_id, day, amount in entries:
        parts = {"campaign": campaign_id, "source": campaigns[campaign_id].source_id,
                 unit: day and _bucket(day, unit)}
        key = tuple(parts[d] for d in dimensions)
        spends[key] = spends.get(key, 0) + amount
    return spends


def _bucket(day, unit):
    """The text day_bucket gives in SQL, for a date in Python."""
    if unit == "week":
        day -= dt.timedelta(days=day.weekday())
    elif unit == "month":
        day = day.replace(day=1)
    return day.isoformat()


def _names(session, dimensions, rows):
    """Labels of the ids of each non-time dimension."""
    names = {}
    for index, dimension in enumerate(dimensions):
        ids = {row[index] for row in rows if row[index] is not None}
        if dimension == "source":
            names[dimension] = dict(session.query(Source.id, Source.name).filter(Source.id.in_(ids)))
        elif dimension == "campaign":
            names[dimension] = dict(session.query(Campaign.id, Campaign.name).filter(Campaign.id.in_(ids)))
        elif dimension == "rep":
            names[dimension] = {u.id: u.get_full_name() for u in session.query(User).filter(User.id.in_(ids))}
        elif dimension == "status":
            names[dimension] = {code: str(label) for code, label in STATUSES.items()}
        if dimension in names:
            names[dimension][None] = "—"
    return names


def _time_label(dimension, value):
    if not value:
        return "—"
    day = dt.date.fromisoformat(value)
    return day.strftime("%m/%Y") if dimension == "month" else day.strftime("%d/%m/%Y")


def column_kinds(definition):
    """How each column of a report's table is written (table_files kinds)."""
    return ["text"] * len(definition["dimensions"]) + [
        "percent" if m == "conversion_rate" else "money" if m in MONEY else "number"
        for m in definition["measures"]]


def loads(report):
    return json.loads(report.definition), json.loads(report.shared_roles or "[]")
