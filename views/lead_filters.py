"""Filters of the lead list: the filter bar and the API share them."""
import datetime as dt
import re

from flask import current_app
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
import phonenumbers

from app.services.contact import search_key
from app.timezones import to_utc_naive
from models import Lead, live_or_flagged

_PHONE_LIKE = re.compile(r"^\+?[\d\s.\-()]{3,}$")


def prefix_match(session, column, prefix):
    """`column` starts with `prefix`, through the column's index on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(escaped + "%", escape="\\")
    # SQLite compares strings byte-wise: a half-open range is an index range scan.
    return (column >= prefix) & (column < prefix + "\U0010ffff")


def phone_prefix(term, region_prefix):
    digits = re.sub(r"[^\d+]", "", term)
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return region_prefix + digits[1:]
    return digits if digits.startswith("+") else "+" + digits


def search_leads(query, value):
    """One search box: an e-mail, a phone number, or the start of a name (all indexed)."""
    term = (value or "").strip()
    if not term:
        return query
    session = query.session
    if "@" in term:
        return query.filter(live_or_flagged(prefix_match(session, Lead.email, term.lower())))
    if _PHONE_LIKE.match(term) and sum(c.isdigit() for c in term) >= 3:
        return query.filter(live_or_flagged(
            prefix_match(session, Lead.phone, phone_prefix(term, phone_region_prefix()))))
    return query.filter(prefix_match(session, Lead.name_key, search_key(term)))


class LeadSearchFilter(BaseFilter):
    name = _l("Recherche")
    arg_name = "search"

    def apply(self, query, value):
        return search_leads(query, value)


def parse_day(text):
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d")
    except (TypeError, ValueError):
        return None


class CreatedFromFilter(BaseFilter):
    name = _l("Créé à partir du")
    arg_name = "created_from"

    def apply(self, query, value):
        day = parse_day(value)
        return query.filter(Lead.created_at >= to_utc_naive(day)) if day else query


class CreatedToFilter(BaseFilter):
    name = _l("Créé jusqu'au")
    arg_name = "created_to"

    def apply(self, query, value):
        day = parse_day(value)
        if not day:
            return query
        return query.filter(Lead.created_at < to_utc_naive(day + dt.timedelta(days=1)))


LEAD_SEARCH_FILTERS = {
    "last_name": [LeadSearchFilter],
    "created_at": [CreatedFromFilter, CreatedToFilter],
}


def phone_region_prefix():
    region = current_app.config.get("CRM_PHONE_REGION", "FR")
    return "+" + str(phonenumbers.country_code_for_region(region))
