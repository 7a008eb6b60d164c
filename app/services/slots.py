"""Free booking slots: the members' working hours (local time), minus their appointments and
the buffer around them, within the page's notice and horizon."""
import bisect
import datetime as dt
import json
import re

from flask_babel import gettext as _

from app.services.errors import DomainError
from app.timezones import crm_zone, to_utc_naive
from models import Appointment, ExternalBusy

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
BUSY_STATUSES = ("planned", "confirmed", "done")


def parse_hours(text):
    """{"mon": "09:00-12:00, 14:00-18:00", ...} -> {weekday: [(start time, end time)]}."""
    try:
        raw = json.loads(text or "{}")
    except ValueError:
        raise DomainError(_("Horaires illisibles."), field="working_hours")
    if not isinstance(raw, dict) or set(raw) - set(DAYS):
        raise DomainError(_("Horaires : jours attendus %(days)s.", days=", ".join(DAYS)),
                          field="working_hours")
    hours = {}
    for day, ranges in raw.items():
        for part in str(ranges or "").split(","):
            if not part.strip():
                continue
            match = _RANGE.match(part)
            try:
                start, end = (dt.time(int(match[1]), int(match[2])),
                              dt.time(int(match[3]), int(match[4]))) if match else (None, None)
            except ValueError:
                start = end = None
            if start is None or end <= start:
                raise DomainError(_("Plage horaire invalide : %(value)s", value=part.strip()),
                                  field="working_hours")
            hours.setdefault(DAYS.index(day), []).append((start, end))
    return hours


def candidate_slots(page, now, days=None):
    """UTC starts of the page's slots from now + notice to the horizon (working hours only)."""
    hours = parse_hours(page.working_hours)
    length = dt.timedelta(minutes=page.slot_minutes)
    earliest = now + dt.timedelta(hours=page.notice_hours)
    today = now.replace(tzinfo=dt.timezone.utc).astimezone(crm_zone()).date()
    slots = []
    for offset in range(min(days or page.horizon_days, page.horizon_days) + 1):
        day = today + dt.timedelta(days=offset)
        for start, end in hours.get(day.weekday(), ()):
            local = dt.datetime.combine(day, start)
            while local + length <= dt.datetime.combine(day, end):
                utc = to_utc_naive(local)  # DST: each day's local hours, whatever the offset
                if utc >= earliest:
                    slots.append(utc)
                local += length
    return slots


class Busy:
    """Each member's busy intervals (appointments widened by the buffer), sorted."""

    def __init__(self, session, user_ids, start, end, buffer_minutes, exclude_id=None):
        pad = dt.timedelta(minutes=buffer_minutes)
        rows = session.query(Appointment.owner_id, Appointment.starts_at, Appointment.ends_at).filter(
            Appointment.owner_id.in_(user_ids), Appointment.status.in_(BUSY_STATUSES),
            Appointment.starts_at < end + pad, Appointment.ends_at > start - pad,
            Appointment.id != (exclude_id or 0)).all()
        self.intervals = {uid: [] for uid in user_ids}
        # Busy times of the reps' own calendars (CalDAV) count too.
        rows += session.query(ExternalBusy.user_id, ExternalBusy.starts_at, ExternalBusy.ends_at).filter(
            ExternalBusy.user_id.in_(user_ids), ExternalBusy.starts_at < end + pad,
            ExternalBusy.ends_at > start - pad).all()
        for owner_id, starts_at, ends_at in rows:
            self.intervals[owner_id].append((starts_at - pad, ends_at + pad))
        for intervals in self.intervals.values():
            intervals.sort()
        self.starts = {uid: [s for s, _ in iv] for uid, iv in self.intervals.items()}
        self.longest = {uid: max((e - s for s, e in iv), default=dt.timedelta(0))
                        for uid, iv in self.intervals.items()}

    def free(self, user_id, start, end):
        intervals, starts = self.intervals[user_id], self.starts[user_id]
        # Only intervals starting before `end` and after `start - longest` can overlap.
        low = bisect.bisect_left(starts, start - self.longest[user_id])
        high = bisect.bisect_left(starts, end)
        return all(not (s < end and e > start) for s, e in intervals[low:high])


def free_slots(session, page, now, days=None, exclude_id=None):
    """[(UTC start, [free member ids])] of the page, in time order (`exclude_id`: an
    appointment being moved, whose own time does not count as busy)."""
    members = [m.id for m in page.members if m.active]
    slots = candidate_slots(page, now, days)
    if not members or not slots:
        return []
    length = dt.timedelta(minutes=page.slot_minutes)
    busy = Busy(session, members, slots[0], slots[-1] + length, page.buffer_minutes, exclude_id)
    result = []
    for start in slots:
        free = [uid for uid in members if busy.free(uid, start, start + length)]
        if free:
            result.append((start, free))
    return result
