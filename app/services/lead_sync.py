"""Sync by cursor for integrations: the leads changed since a cursor in (updated_at, id) order,
and the tombstones of deleted leads in (deleted_at, id) order.

A cursor is the (time, id) of the last row a client received: the next page starts strictly
after it, so rows sharing a timestamp are neither skipped nor repeated across pages. Rows
written in the last `settle_seconds` are held back: a transaction still running may commit a
row stamped a little earlier than a row already served, which a cursor past it would miss.
"""
import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import tuple_

from app.input_limits import db_id
from app.services.errors import DomainError
from app.services.lead_lookup import rfc3339_utc
from app.services.viewer import scope
from models import Lead, LeadDeletion
from models.base import utcnow


@dataclass(frozen=True)
class SyncPage:
    rows: list
    next_cursor: str | None
    has_more: bool


def encode_cursor(at, row_id):
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{row_id}".encode()).decode().rstrip("=")


def decode_cursor(text):
    """(naive UTC time, id) of a cursor this module gave; DomainError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        at, row_id = raw.split("|")
        at, row_id = dt.datetime.fromisoformat(at), db_id(row_id)
        if row_id is None or at.tzinfo is not None:
            raise ValueError(raw)
        return at, row_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DomainError(_("Curseur invalide : reprenez celui de la réponse précédente."),
                          field="cursor") from None


def parse_since(text):
    """The cursor of an RFC 3339 time: every row written at or after it (ids start at 1)."""
    return rfc3339_utc(text, "since"), 0


def start_cursor(cursor=None, since=None):
    """Where a page starts: the client's cursor, else its `since` time, else the beginning."""
    if cursor is not None:
        return decode_cursor(cursor)
    return parse_since(since) if since is not None else None


def _page(query, time_column, id_column, start, limit, settle_seconds, now):
    if start is not None:
        query = query.filter(tuple_(time_column, id_column) > tuple_(*start))
    if settle_seconds:
        query = query.filter(time_column <= (now or utcnow()) - dt.timedelta(seconds=settle_seconds))
    rows = query.order_by(time_column, id_column).limit(limit + 1).all()
    page = rows[:limit]
    if page:
        last = page[-1]
        next_cursor = encode_cursor(getattr(last, time_column.key), getattr(last, id_column.key))
    else:
        next_cursor = encode_cursor(*start) if start is not None else None
    return SyncPage(page, next_cursor, len(rows) > limit)


def changed_leads(session, viewer, start, limit, settle_seconds=0, now=None):
    """The viewer's leads written after `start` (a (time, id) cursor or None), oldest first."""
    query = scope(session.query(Lead), Lead, viewer)
    return _page(query, Lead.updated_at, Lead.id, start, limit, settle_seconds, now)


def deleted_leads(session, viewer, start, limit, settle_seconds=0, now=None):
    """Tombstones of the leads deleted after `start` that the viewer saw when they went:
    all of them for a viewer who sees every lead, a rep's own leads for a rep."""
    query = scope(session.query(LeadDeletion), LeadDeletion, viewer)
    return _page(query, LeadDeletion.deleted_at, LeadDeletion.id, start, limit, settle_seconds,
                 now)


def purge_tombstones(session, days, now=None):
    """Remove the tombstones older than `days`; returns how many."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    return session.query(LeadDeletion).filter(
        LeadDeletion.deleted_at < cutoff).delete(synchronize_session=False)
