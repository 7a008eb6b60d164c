"""Shared column helpers for the CRM models."""
import datetime as dt

from sqlalchemy import Column, DateTime


def utcnow():
    """Naive UTC timestamp: every datetime column stores UTC (shown in Europe/Paris)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class TimestampMixin:
    # Not indexed here: each table indexes created_at with what its lists sort by.
    created_at = Column(DateTime, default=utcnow, nullable=False)
    updated_at = Column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
