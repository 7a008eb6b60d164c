"""Keeps models/lead_stat.py's running counts equal to the lead table, whatever writes it.

- ORM writes (forms, API, sheet, webhooks, merges, deletions): before a flush, the leads it
  will change or delete are counted out as the database still holds them; after it, the new
  and changed ones are counted in as they now stand.
- Bulk writes count their rows themselves: `count_in(session, rows)` for rows just inserted,
  `recounting(session, ids)` around an UPDATE or DELETE of known leads.
- `rebuild(session)` recounts everything (`flask crm rebuild-stats`, after editing the
  database by hand).
Deltas are summed per key in Python and written as one upsert per key, in key order so that
two transactions never wait on each other in opposite orders."""
import datetime as dt
from collections import Counter, defaultdict
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import delete, event, false, inspect, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.timezones import crm_zone
from models import Lead, LeadContactStat, LeadDayStat
from models.lead_stat import KEY_COLUMNS

COUNTED = ("created_at", "is_test", "source_id", "campaign_id", "owner_id", "status", "value",
           "first_contacted_at")
_RECOUNT = "lead_stats_recount"  # in the flush's own attributes: a failed flush leaves none
_BATCH = 500


@lru_cache(maxsize=4096)
def _local_day(quarter_hour, zone):
    return quarter_hour.replace(tzinfo=dt.timezone.utc).astimezone(zone).date()


def local_day(created_at):
    """The CRM zone's day of a naive UTC time (every zone's offset is a multiple of 15 min)."""
    quarter = created_at.replace(minute=created_at.minute - created_at.minute % 15, second=0,
                                 microsecond=0)
    return _local_day(quarter, crm_zone())


class Tally:
    """Signed counts per key, from lead rows (mappings with the COUNTED names)."""

    def __init__(self):
        self.days = defaultdict(lambda: [0, 0, 0, Decimal(0)])  # leads, untouched, valued, value
        self.contacts = Counter()
        self.day_of = {}  # created_at -> local day: imported rows repeat a few dates

    def count(self, lead, sign=1):
        get = lead.get
        created = get("created_at")
        if created is None or get("is_test"):
            return
        day = self.day_of.get(created)
        if day is None:
            day = self.day_of[created] = local_day(created)
        key = (day, get("source_id") or 0, get("campaign_id") or 0, get("owner_id") or 0,
               get("status") or "new")
        figures = self.days[key]
        figures[0] += sign
        contacted = get("first_contacted_at")
        if contacted is None:
            figures[1] += sign
        else:
            self.contacts[key + (int((contacted - created).total_seconds() // 60),)] += sign
        value = get("value")
        if value is not None:
            figures[2] += sign
            figures[3] += sign * Decimal(str(value))

    def count_selected(self, session, condition, sign):
        query = select(*[getattr(Lead, c) for c in COUNTED]).where(condition)
        if sign < 0:
            # Leads about to change are counted out under the write lock, so that a concurrent
            # writer of the same lead waits and counts out what this one left, not what both
            # saw: row locks on PostgreSQL; on SQLite the database's single write lock, taken
            # by a write that changes nothing (pysqlite reads outside transactions otherwise).
            if session.get_bind().dialect.name == "sqlite":
                session.execute(update(Lead).where(false()).values(id=Lead.id))
            query = query.with_for_update()
        for row in session.execute(query):
            self.count(row._mapping, sign)

    def save(self, session):
        days = [dict(zip(KEY_COLUMNS, key), leads=f[0], untouched=f[1], valued=f[2], value=f[3])
                for key, f in sorted(self.days.items()) if any(f)]
        contacts = [dict(zip(KEY_COLUMNS + ("minutes",), key), leads=n)
                    for key, n in sorted(self.contacts.items()) if n]
        _upsert(session, LeadDayStat.__table__, days, ("leads", "untouched", "valued", "value"))
        _upsert(session, LeadContactStat.__table__, contacts, ("leads",))
        self.days.clear()
        self.contacts.clear()
        self.day_of.clear()


def _upsert(session, table, rows, added):
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={name: table.c[name] + statement.excluded[name] for name in added})
    session.execute(statement, rows)


def count_in(session, rows):
    """Count leads just inserted in bulk (the dicts that were inserted)."""
    tally = Tally()
    for row in rows:
        tally.count(row)
    tally.save(session)


def _by_ids(ids):
    for start in range(0, len(ids), _BATCH):
        yield Lead.id.in_(ids[start:start + _BATCH])


@contextmanager
def recounting(session, ids=None, condition=None):
    """Around a bulk UPDATE or DELETE of the leads `ids` (or matching `condition`): counted
    out before, counted in again as they stand after."""
    conditions = list(_by_ids(list(ids))) if ids is not None else [condition]
    tally = Tally()
    for part in conditions:
        tally.count_selected(session, part, -1)
    yield
    for part in conditions:
        tally.count_selected(session, part, 1)
    tally.save(session)


def rebuild(session, batch=50_000):
    """Recount every lead from scratch (in the caller's transaction). Leads are read in
    creation order and each batch's counts written at once: memory stays flat, and each day's
    keys are written about once."""
    session.execute(delete(LeadDayStat.__table__))
    session.execute(delete(LeadContactStat.__table__))
    tally, last = Tally(), None
    while True:
        query = select(Lead.id, *[getattr(Lead, c) for c in COUNTED]).order_by(
            Lead.created_at, Lead.id).limit(batch)
        if last is not None:
            query = query.where(tuple_(Lead.created_at, Lead.id) > last)
        rows = session.execute(query).all()
        if not rows:
            return
        for row in rows:
            tally.count(row._mapping)
        tally.save(session)
        last = (rows[-1].created_at, rows[-1].id)


def _counted_change(lead):
    state = inspect(lead)
    return any(state.attrs[name].history.has_changes() for name in COUNTED)


@event.listens_for(Session, "before_flush")
def _count_out(session, context, _instances):
    changed = [lead.id for lead in session.dirty
               if isinstance(lead, Lead) and lead.id is not None and _counted_change(lead)]
    gone = [lead.id for lead in session.deleted if isinstance(lead, Lead) and lead.id is not None]
    if not changed and not gone:
        return
    tally = Tally()
    for part in _by_ids(changed + gone):
        tally.count_selected(session, part, -1)
    tally.save(session)
    context.attributes[_RECOUNT] = changed


@event.listens_for(Session, "after_flush")
def _count_in(session, context):
    ids = context.attributes.get(_RECOUNT, []) + [lead.id for lead in session.new if isinstance(lead, Lead)]
    if not ids:
        return
    tally = Tally()
    for part in _by_ids(ids):
        tally.count_selected(session, part, 1)
    tally.save(session)
