"""The one date-time parser: offsets honoured, naive text is Paris wall time, and a wall time
the clock change skips or repeats is refused rather than guessed."""
import datetime as dt

import pytest

from app.services.errors import DomainError
from app.timezones import UTC, format_rfc3339, parse_datetime


@pytest.mark.parametrize("text, utc", [
    ("2026-10-24T10:00:00Z", dt.datetime(2026, 10, 24, 10)),
    ("2026-10-24T10:00:00+02:00", dt.datetime(2026, 10, 24, 8)),
    ("2026-10-24T10:00:00-05:00", dt.datetime(2026, 10, 24, 15)),
    ("2026-10-24T10:00:00.250+00:00", dt.datetime(2026, 10, 24, 10, 0, 0, 250000)),
    ("2026-10-24T10:00:00", dt.datetime(2026, 10, 24, 8)),  # Paris, summer time
    ("2026-12-24 10:00", dt.datetime(2026, 12, 24, 9)),  # Paris, winter time
    ("2026-03-29T01:59", dt.datetime(2026, 3, 29, 0, 59)),  # just before the spring gap
    ("2026-03-29T03:00", dt.datetime(2026, 3, 29, 1)),  # just after it
    ("2026-03-29T02:30:00+01:00", dt.datetime(2026, 3, 29, 1, 30)),  # gap, but with an offset
    ("2026-10-25T02:30:00+02:00", dt.datetime(2026, 10, 25, 0, 30)),  # overlap, first pass
    ("2026-10-25T02:30:00+01:00", dt.datetime(2026, 10, 25, 1, 30)),  # overlap, second pass
])
def test_offsets_are_honoured_and_naive_text_is_paris_wall_time(app, text, utc):
    assert parse_datetime(text, "starts_at") == utc


@pytest.mark.parametrize("text, words", [
    ("2026-03-29T02:30:00", "n'existe pas"),  # spring: 02:00 -> 03:00
    ("2026-10-25T02:30:00", "existe deux fois"),  # autumn: 03:00 -> 02:00
])
def test_a_wall_time_the_clock_change_skips_or_repeats_is_refused(app, text, words):
    with pytest.raises(DomainError) as err:
        parse_datetime(text, "starts_at")
    assert words in err.value.message and "Europe/Paris" in err.value.message
    assert err.value.field == "starts_at"


@pytest.mark.parametrize("text", ["", "   ", None, 42, "demain", "2026-10-24", "24/10/2026 10:00",
                                  "2026-02-30T10:00", "2026-10-24T25:00", "2026-10-24T10:00+25:00",
                                  "0001-01-01T00:30+01:00"])
def test_garbage_and_empty_are_refused_with_the_field_name(app, text):
    with pytest.raises(DomainError) as err:
        parse_datetime(text, "due_at")
    assert err.value.field == "due_at" and err.value.message.startswith("Date et heure")


def test_a_caller_may_accept_more_formats_or_read_naive_text_in_utc(app):
    assert parse_datetime("24/10/2026 10:00", "at", extra_formats=("%d/%m/%Y %H:%M",)) == \
        dt.datetime(2026, 10, 24, 8)
    assert parse_datetime("2026-10-24T10:00", "slot", naive_zone=UTC) == \
        dt.datetime(2026, 10, 24, 10)
    with pytest.raises(DomainError, match="heure de UTC"):
        parse_datetime("demain", "slot", naive_zone=UTC)


def test_the_formatter_always_writes_the_offset(app):
    assert format_rfc3339(dt.datetime(2026, 10, 24, 8)) == "2026-10-24T08:00:00+00:00"
    assert format_rfc3339(None) is None
    text = format_rfc3339(dt.datetime(2026, 3, 29, 1, 30, 0, 5))
    assert parse_datetime(text, "at") == dt.datetime(2026, 3, 29, 1, 30, 0, 5)
