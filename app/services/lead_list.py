"""The lead list's filters and order as plain values, and the lead search they use.

The list screen (through FAB filters calling these functions), the API's search filters and the
exports (inline or in a job, from the arguments the list was shown with) read the same rows.
"""
import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
import phonenumbers

from app.services.contact import search_key
from app.services.errors import DomainError
from app.services.viewer import scope_leads
from app.timezones import parse_day, to_utc_naive
from models import STATUSES, Lead, live_or_flagged

FILTER_KEYS = ("q", "status", "source", "campaign", "owner", "created_from", "created_to",
               "import_batch")
ORDER_COLUMNS = ("created_at", "last_name", "source_id", "status")
DEFAULT_ORDER = ("created_at", "desc")
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


def phone_region_prefix():
    region = current_app.config.get("CRM_PHONE_REGION", "FR")
    return "+" + str(phonenumbers.country_code_for_region(region))


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


def created_from(query, day):
    return query.filter(Lead.created_at >= to_utc_naive(day))


def created_to(query, day):
    return query.filter(Lead.created_at < to_utc_naive(day + dt.timedelta(days=1)))


@dataclass(frozen=True)
class ListArgs:
    """What the list was filtered and sorted by (unknown order columns are kept: the caller
    that orders refuses them)."""

    q: str = ""
    status: str | None = None
    source: int | None = None
    campaign: int | None = None
    owner: int | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    import_batch: int | None = None
    order_column: str = DEFAULT_ORDER[0]
    order_direction: str = DEFAULT_ORDER[1]


def parse_list_args(args, order_key="LeadView"):
    """ListArgs from the list's query arguments (a mapping); DomainError on a bad value."""
    values = {"q": (args.get("q") or "")[:100]}
    status = args.get("status")
    if status:
        if status not in STATUSES:
            raise DomainError(_("Statut inconnu : %(value)s", value=status[:40]))
        values["status"] = status
    for key in ("source", "campaign", "owner", "import_batch"):
        if args.get(key):
            if not (args[key].isdigit() and len(args[key]) < 10):
                raise DomainError(_("Filtre invalide : %(name)s", name=key))
            values[key] = int(args[key])
    for key in ("created_from", "created_to"):
        if args.get(key):
            values[key] = parse_day(args[key])
            if values[key] is None:
                raise DomainError(_("Date invalide : %(value)s", value=args[key][:20]))
    column, direction = args.get(f"_oc_{order_key}"), args.get(f"_od_{order_key}")
    if direction in ("asc", "desc"):
        values.update(order_column=column, order_direction=direction)
    return ListArgs(**values)


def of_import_batch(query, batch_id):
    """The leads an import created."""
    return query.filter(Lead.import_batch_id == batch_id)


def list_query(session, viewer, args):
    """The leads of the list this viewer sees with these arguments, in the list's order."""
    if args.order_column not in ORDER_COLUMNS:
        raise DomainError(_("Colonne de tri inconnue : %(name)s", name=args.order_column))
    query = search_leads(scope_leads(session.query(Lead), viewer), args.q)
    if args.status:
        query = query.filter(Lead.status == args.status)
    for column, value in ((Lead.source_id, args.source), (Lead.campaign_id, args.campaign),
                          (Lead.owner_id, args.owner)):
        if value is not None:
            query = query.filter(column == value)
    if args.import_batch is not None:
        query = of_import_batch(query, args.import_batch)
    if args.created_from:
        query = created_from(query, args.created_from)
    if args.created_to:
        query = created_to(query, args.created_to)
    column = getattr(Lead, args.order_column)
    return query.order_by(column.asc() if args.order_direction == "asc" else column.desc())
