"""Datetimes are stored as naive UTC and shown in the CRM's time zone (Europe/Paris)."""
import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

UTC = dt.timezone.utc


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
