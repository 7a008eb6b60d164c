"""Shared column helpers for the CRM models."""
import datetime as dt

from sqlalchemy import Column, DateTime


def utcnow():
    """Naive UTC timestamp: every datetime column stores UTC (shown in Europe/Paris)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class TimestampMixin:
    created_at = Column(DateTime, default=utcnow, nullable=False, index=True)
    updated_at = Column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
