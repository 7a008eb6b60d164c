"""Turning one row of text into lead values, or the reason it cannot be imported."""
import datetime as dt
import functools
import operator
import re

from flask_babel import gettext as _

from app.services.contact import normalise_email, normalise_phone, search_key
from app.services.errors import DomainError
from app.timezones import to_utc_naive
from models import STATUSES

# Excel drops the leading zero of a French phone stored as a number: 645127801.
_NATIONAL_WITHOUT_ZERO = re.compile(r"^[1-9]\d{8}$")
STATUS_WORDS = {
    **{search_key(str(label)): code for code, label in STATUSES.items()},
    **{search_key(code.replace("_", " ")): code for code in STATUSES},
    "nouveau": "new", "new": "new", "en cours": "in_progress", "in progress": "in_progress",
    "converti": "converted", "converted": "converted", "gagne": "converted", "won": "converted",
    "abandonne": "abandoned", "abandoned": "abandoned", "perdu": "abandoned", "lost": "abandoned",
}
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y")


MAX_LENGTHS = {"first_name": 100, "last_name": 100, "company": 200, "source": 120,
               "campaign": 200}


class RowRejected(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@functools.lru_cache(maxsize=256)  # a file repeats a handful of status labels
def parse_status(text):
    if not text:
        return "new"
    code = STATUS_WORDS.get(search_key(text))
    if code is None:
        raise RowRejected(_("Statut inconnu : %(value)s", value=text))
    return code


def parse_date(text, zone=None):
    if not text:
        return None
    return _parse_date(text, zone or _zone_name())


def _zone_name():
    from flask import current_app

    return current_app.config.get("CRM_TIMEZONE", "Europe/Paris")


@functools.lru_cache(maxsize=8192)  # a file repeats the same dates many times
def _parse_date(text, zone):
    day = _DAY_FIRST.match(text)
    iso = day is None and _ISO_DAY.match(text)
    try:
        if day:
            wall = dt.datetime(int(day[3]), int(day[2]), int(day[1]))
        elif iso:
            wall = dt.datetime(int(iso[1]), int(iso[2]), int(iso[3]))
        else:
            wall = None
    except ValueError:
        raise RowRejected(_("Date impossible : %(value)s", value=text))
    if wall is not None:
        return to_utc_naive(wall)
    for fmt in DATE_FORMATS:
        try:
            return to_utc_naive(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise RowRejected(_("Date impossible : %(value)s", value=text))


def split_full_name(text):
    parts = (text or "").split()
    if not parts:
        return None, None
    if len(parts) == 1:
        return None, parts[0]
    return " ".join(parts[:-1]), parts[-1]


class RowChecker:
    """Checks rows (lists of stripped cells, as reading.iter_rows gives them) against a mapping
    {column index: field}. Runs once per row of files of a million rows: kept lean."""

    def __init__(self, mapping, region="FR", default_status="new"):
        self.mapping = list(mapping.items())
        self.region = region
        self.default_status = default_status
        self.zone = _zone_name()
        self.limits = [(field, MAX_LENGTHS[field]) for _, field in self.mapping
                       if field in MAX_LENGTHS]
        indexes = [index for index, _ in self.mapping]
        self.fields = [field for _, field in self.mapping]
        self.width = max(indexes, default=-1) + 1
        # The mapped cells of a row wide enough, as a tuple, in one C call.
        self.cells = operator.itemgetter(*indexes) if len(indexes) > 1 else \
            (lambda row: tuple(row[i] for i in indexes))

    def values(self, row):
        """Lead values of a row: dict of field -> text for the mapped columns."""
        if len(row) >= self.width:
            return dict(zip(self.fields, self.cells(row)))
        width = len(row)  # a short row (trailing cells left out): missing cells are empty
        return {field: row[index] if index < width else "" for index, field in self.mapping}

    def check(self, row):
        """Normalised lead values, or RowRejected with a translated reason."""
        raw = self.values(row)
        get = raw.get
        first, last = get("first_name") or None, get("last_name") or None
        if not last and get("full_name"):
            first_from_full, last = split_full_name(raw["full_name"])
            first = first or first_from_full
        if not last:
            raise RowRejected(_("Nom manquant"))
        raw["first_name"], raw["last_name"] = first, last
        for field, limit in self.limits:
            value = raw[field]
            if value and len(value) > limit:
                raise RowRejected(_("Valeur trop longue (%(limit)d caractères au plus) : %(field)s",
                                    limit=limit, field=field))
        phone_text = get("phone", "")
        if self.region == "FR" and _NATIONAL_WITHOUT_ZERO.match(phone_text):
            phone_text = "0" + phone_text
        try:
            email = normalise_email(get("email"))
            phone = normalise_phone(phone_text, self.region)
        except DomainError as exc:
            raise RowRejected(exc.message)
        status = get("status")
        return {
            "first_name": first or None,
            "last_name": last,
            "name_key": search_key(f"{last} {first or ''}")[:201],
            "email": email,
            "phone": phone,
            "company": get("company") or None,
            "status": parse_status(status) if status else self.default_status,
            "note": get("note") or None,
            "source_name": get("source") or None,
            "campaign_name": get("campaign") or None,
            "created_at": parse_date(get("created_at"), self.zone),
        }
