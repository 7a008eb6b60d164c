"""Datetimes are stored as naive UTC and shown in the CRM's time zone (Europe/Paris).

The one place where text becomes a date-time (parse_datetime) and a date-time becomes text for
a machine (format_rfc3339): the API, the screens, the agenda and the booking page all use them."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from app.services.errors import DomainError

UTC = dt.timezone.utc
# A day and a time to the minute at least: fromisoformat alone would take a bare day as midnight.
_DATE_AND_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def crm_zone():
    return ZoneInfo(current_app.config.get("CRM_TIMEZONE", "Europe/Paris"))  # ZoneInfo caches


def to_local(value):
    """Naive UTC (or aware) datetime -> aware datetime in the CRM zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(crm_zone())


def to_utc_naive(value):
    """Aware datetime, or naive local wall time in the CRM zone -> naive UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=crm_zone())
    return value.astimezone(UTC).replace(tzinfo=None)


def format_local(value, fmt="%d/%m/%Y %H:%M"):
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def format_rfc3339(value):
    """Naive UTC -> RFC 3339 text that always carries its offset ("2026-10-24T08:00:00+00:00")."""
    return value.replace(tzinfo=UTC).isoformat() if value else None


def parse_day(text):
    """A day ("2026-10-24") as a naive midnight, or None."""
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d")
    except (TypeError, ValueError):
        return None


def parse_datetime(text, field, extra_formats=(), naive_zone=None):
    """Text -> naive UTC. An RFC 3339 / ISO 8601 date-time with `Z` or an offset is that
    instant; without one it is wall time in `naive_zone` (the CRM's zone by default), and a wall
    time the clock change skips or repeats there is refused rather than guessed.
    `extra_formats`: strptime formats of naive wall times a caller accepts besides ISO."""
    text = text.strip() if isinstance(text, str) else ""
    zone = naive_zone or crm_zone()
    value = _read(text, extra_formats)
    if value is None:
        raise DomainError(_("Date et heure invalides : attendu par exemple "
                            "2026-10-24T10:00:00+02:00, ou sans décalage en heure de %(zone)s.",
                            zone=str(zone)), field=field)
    if value.tzinfo is None:
        value = _wall_time(value, zone, text, field)
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # an offset pushing year 1 or 9999 out of range
        raise DomainError(_("Date et heure hors limites : %(value)s", value=text[:40]),
                          field=field)


def _read(text, extra_formats):
    if _DATE_AND_TIME.match(text):
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    for fmt in extra_formats:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _wall_time(value, zone, text, field):
    """A naive wall time in `zone` as an aware datetime, if the zone's clock shows it once."""
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    # zoneinfo reads a skipped time with the offset before the change: the round trip moves it.
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise DomainError(_("%(value)s n'existe pas en heure de %(zone)s (changement d'heure) : "
                            "choisissez une autre heure ou précisez le décalage horaire.",
                            value=text[:40], zone=str(zone)), field=field)
    raise DomainError(_("%(value)s existe deux fois en heure de %(zone)s (changement d'heure) : "
                        "choisissez une autre heure ou précisez le décalage horaire, %(first)s "
                        "pour la première, %(second)s pour la seconde.", value=text[:40],
                        zone=str(zone),
                        first=_offset(first), second=_offset(second)), field=field)


def _offset(value):
    return value.isoformat()[-6:]
