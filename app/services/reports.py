"""Custom reports: leads grouped by the chosen dimensions, with the chosen measures, in SQL.
A report runs with the row-level rule of whoever runs it (`owner_id` set for a rep)."""
import datetime as dt
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.services.errors import DomainError
from app.services.stats import DAYS, group_expression, medians_by, stat_conditions, status_sum
from models import STATUSES, Campaign, Source, User

DIMENSIONS = {"source": _l("Source"), "campaign": _l("Campagne"), "rep": _l("Commercial"),
              "status": _l("Statut"), "day": _l("Jour"), "week": _l("Semaine"),
              "month": _l("Mois")}
MEASURES = {"leads": _l("Prospects"), "conversions": _l("Conversions"),
            "conversion_rate": _l("Taux de conversion"),
            "median_contact_hours": _l("Délai médian du premier contact (h)")}
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


def run(session, definition, today, owner_id=None):
    """(column titles, rows of display values) of a checked definition."""
    filters = {"first_day": today - dt.timedelta(days=definition["days"] - 1), "last_day": today,
               "owner_id": owner_id, "source_id": definition.get("source"),
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
    labels = _names(session, definition["dimensions"], rows)
    table = []
    for row in rows:
        key = tuple(row[:len(keys)])
        values = [labels[d].get(k, k) if d in labels else _time_label(d, k)
                  for d, k in zip(definition["dimensions"], key)]
        figures = {"leads": row.leads, "conversions": row.conversions or 0,
                   "conversion_rate": (row.conversions or 0) / row.leads if row.leads else None,
                   "median_contact_hours": medians.get(key)}
        table.append(values + [figures[m] for m in definition["measures"]])
    titles = [str(DIMENSIONS[d]) for d in definition["dimensions"]] + \
        [str(MEASURES[m]) for m in definition["measures"]]
    return titles, table


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
        "percent" if m == "conversion_rate" else "number" for m in definition["measures"]]


def loads(report):
    return json.loads(report.definition), json.loads(report.shared_roles or "[]")
