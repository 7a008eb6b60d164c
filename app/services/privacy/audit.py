"""The audit log: writing entries, reading them back for the admin screen, the retention purge.

Writing must stay cheap (it runs on every sheet opened, every API read): one INSERT through
Core, the username read by the INSERT itself (a scalar subquery), no SELECT before, no commit —
the entry belongs to the caller's transaction, so a refused action leaves no trace of having
happened and an action that happened cannot lose its entry."""
import datetime as dt
import json
from typing import NamedTuple

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, insert, select, tuple_

from app.services.errors import DomainError
from app.timezones import parse_day, to_utc_naive
from models.audit import ACTIONS, FIELD_CHANGE, AuditEntry
from models.base import utcnow

_TABLE = AuditEntry.__table__
# What a field of `detail` may hold at most, so that a pasted novel does not bloat the log.
MAX_VALUE_CHARS = 1000


# Built once: the username comes from the INSERT's own subquery (no SELECT before it), and a
# prepared statement spares SQLAlchemy from coercing the values on every entry.
_INSERT = insert(_TABLE).values(
    {**{name: bindparam(name) for name in ("at", "user_id", "ip_address", "action", "lead_id",
                                           "detail")},
     "username": select(User.username).where(User.id == bindparam("user_id")).scalar_subquery()})


def _detail_text(detail):
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None


def _row(action, user_id, ip, lead_id, detail):
    return {"at": utcnow(), "user_id": user_id, "ip_address": (ip or None) and ip[:45],
            "action": action, "lead_id": lead_id, "detail": _detail_text(detail)}


def record(session, action, user_id, ip, lead_id=None, **detail):
    """Append one entry (action: a key of models.audit.ACTIONS; ip: the request's address,
    None for a job). `detail` is stored as JSON (dates and numbers as text)."""
    session.execute(_INSERT, _row(action, user_id, ip, lead_id, detail))


def record_many(session, action, user_id, ip, lead_ids, **detail):
    """One entry per lead (so that the lead filter finds each), in one executemany."""
    rows = [_row(action, user_id, ip, lead_id, detail) for lead_id in lead_ids]
    if rows:
        session.execute(_INSERT, rows)


def clip(value):
    """A field's value as the log keeps it: JSON-friendly, long texts cut."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


class AuditFilter(NamedTuple):
    """What the screen (and its CSV) asks for; every part optional. Dates are UTC bounds."""
    user_id: int | None = None
    lead_id: int | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def entries(session, wanted, limit, after=None):
    """Up to `limit` entries matching `wanted`, newest first, starting after the keyset
    cursor `after` = (at, id) of the last row of the previous page. Each filter has its own
    index ending in (at, id): a page costs an index walk of `limit` rows, never a count."""
    query = select(AuditEntry)
    for column, value in ((AuditEntry.user_id, wanted.user_id),
                          (AuditEntry.lead_id, wanted.lead_id),
                          (AuditEntry.action, wanted.action)):
        if value is not None:
            query = query.where(column == value)
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.at < wanted.until)
    if after is not None:
        query = query.where(tuple_(AuditEntry.at, AuditEntry.id) < tuple_(*after))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return session.scalars(query).all()


_MAX_ID = 2**31 - 1


def _id(args, key, label):
    text = (args.get(key) or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= _MAX_ID:
        raise DomainError(_("%(field)s : un numéro est attendu.", field=label), field=key)
    return int(text)


def _day(args, key, label):
    text = (args.get(key) or "").strip()
    if not text:
        return None
    day = parse_day(text)
    if day is None:
        raise DomainError(_("%(field)s : date invalide (%(value)s).", field=label,
                            value=text[:20]), field=key)
    return day


def parse_filter(args):
    """AuditFilter from the screen's arguments (a mapping of text); DomainError on a bad one.
    `since`/`until` are days of the CRM's zone, both included."""
    action = (args.get("action") or "").strip() or None
    if action is not None and action not in ACTIONS:
        raise DomainError(_("Action inconnue : %(value)s.", value=action[:30]), field="action")
    since, until = _day(args, "since", _("Du")), _day(args, "until", _("Au"))
    return AuditFilter(
        user_id=_id(args, "user", _("Utilisateur")), lead_id=_id(args, "lead", _("Prospect")),
        action=action, since=to_utc_naive(since) if since else None,
        until=to_utc_naive(until + dt.timedelta(days=1)) if until else None)


def parse_cursor(text):
    """(at, id) from a page link's `after` ("<ISO date-time>~<id>"), or None; DomainError when
    it was tampered with."""
    if not text:
        return None
    at, _sep, entry_id = text.partition("~")
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None or not (
            entry_id.isascii() and entry_id.isdigit() and int(entry_id) < 2**63):
        raise DomainError(_("Lien de page invalide."), field="after")
    return moment, int(entry_id)


def cursor_of(entry):
    return f"{entry.at.isoformat()}~{entry.id}"


def forget_values(session, lead_ids, chunk=500):
    """For an erasure: the leads' field changes keep which field changed, when and by whom, but
    no longer the values (personal data the log must not keep once the person is erased).
    Returns how many entries were blanked."""
    lead_ids, blanked = list(lead_ids), 0
    for start in range(0, len(lead_ids), chunk):
        changed = session.execute(select(_TABLE.c.id, _TABLE.c.detail).where(
            _TABLE.c.lead_id.in_(lead_ids[start:start + chunk]),
            _TABLE.c.action == FIELD_CHANGE)).all()
        for entry_id, text in changed:
            fields = json.loads(text).get("fields", {}) if text else {}
            session.execute(_TABLE.update().where(_TABLE.c.id == entry_id).values(
                detail=_detail_text({"fields": {name: None for name in fields}, "erased": True})))
        blanked += len(changed)
    return blanked


def months_before(moment, months):
    """The same day and time `months` calendar months earlier (the month's last day when the
    day does not exist there: 31 March minus one month is 28 or 29 February)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def purge_batch(session, months, now=None, batch=10_000):
    """Delete up to `batch` entries older than `months` months; returns how many. The caller
    commits each batch and calls again while it returns `batch` (short transactions, no lock on
    millions of rows at once)."""
    cutoff = months_before(now or utcnow(), months)
    oldest = (select(AuditEntry.id).where(AuditEntry.at < cutoff)
              .order_by(AuditEntry.at).limit(batch))
    return session.execute(delete(_TABLE).where(_TABLE.c.id.in_(oldest))).rowcount
