"""Turning one row of text into lead values, or the reason it cannot be imported."""
import datetime as dt
import functools
import operator
import re

from flask_babel import gettext as _

from app.services.contact import normalise_email, normalise_phone, possible_phone, search_key
from app.services.errors import DomainError
from app.services.exports import FORMULA_STARTS
from app.services.importing.mapping import header_key
from app.services.importing.statuses import known_status
from app.services.privacy.consent_intake import CONSENT_FIELDS, GENERIC_CHANNELS, channel_states
from app.timezones import to_utc_naive

# Excel drops the leading zero of a French phone stored as a number: 645127801.
_NATIONAL_WITHOUT_ZERO = re.compile(r"^[1-9]\d{8}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y")


# The quote the CRM's own files put before a cell that a spreadsheet would run as a formula
# (exports.safe_cell): taken off again, so that its exports read back unchanged.
_QUOTED_FORMULA = tuple("'" + start for start in FORMULA_STARTS)
TEXT_FIELDS = ("first_name", "last_name", "full_name", "company", "note", "source", "campaign",
               "owner")
MAX_LENGTHS = {"first_name": 100, "last_name": 100, "company": 200, "source": 120,
               "campaign": 200}


class RowRejected(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class ImpossibleDate(ValueError):
    pass


def parse_date(text, zone=None):
    """Naive UTC datetime of a date (and time) as files write them; ImpossibleDate otherwise."""
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
        raise ImpossibleDate(text)
    if wall is not None:
        return to_utc_naive(wall)
    for fmt in DATE_FORMATS:
        try:
            return to_utc_naive(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise ImpossibleDate(text)


def split_full_name(text):
    parts = (text or "").split()
    if not parts:
        return None, None
    if len(parts) == 1:
        return None, parts[0]
    return " ".join(parts[:-1]), parts[-1]


DATE_FIELDS = ("created_at", "first_contacted_at", "converted_at", "consent_at")


class RowChecker:
    """Checks rows (lists of stripped cells, as reading.iter_rows gives them) against a mapping
    {column index: field}. Runs once per row of files of a million rows: kept lean.

    A row is refused only without a name, or when the e-mail or phone it gives are both
    unusable. Anything else that cannot be kept as given (an unknown status, a phone or e-mail
    that does not parse, an impossible date) leaves the field at its default, keeps the raw
    contact value in the note, and adds a warning to the row's values ("warnings")."""

    def __init__(self, mapping, region="FR", default_status="new", status_map=None):
        self.mapping = list(mapping.items())
        self.region = region
        self.default_status = default_status
        self.status_map = status_map or {}  # header_key -> code, chosen by the admin
        self.status_codes = {}  # status text -> code ("" for an unknown one)
        self.zone = _zone_name()
        self.limits = [(field, MAX_LENGTHS[field]) for _, field in self.mapping
                       if field in MAX_LENGTHS]
        indexes = [index for index, _ in self.mapping]
        self.fields = [field for _, field in self.mapping]
        self.dates = [field for field in DATE_FIELDS if field in self.fields]
        self.texts = [field for field in TEXT_FIELDS if field in self.fields]
        self.consent_fields = [field for field in CONSENT_FIELDS if field in self.fields]
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
        for field in self.texts:
            if raw[field].startswith(_QUOTED_FORMULA):
                raw[field] = raw[field][1:]
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
        warnings, note = [], get("note") or None
        email_text, phone_text = get("email"), get("phone", "")
        if self.region == "FR" and _NATIONAL_WITHOUT_ZERO.match(phone_text):
            phone_text = "0" + phone_text
        try:
            email = normalise_email(email_text)
            phone = normalise_phone(phone_text, self.region)
        except DomainError:
            email, phone, kept = self._lenient_contact(email_text, phone_text, warnings)
            note = "\n".join(filter(None, [note] + kept))
        status = get("status")
        values = {
            "first_name": first or None,
            "last_name": last,
            "name_key": search_key(f"{last} {first or ''}")[:201],
            "email": email,
            "phone": phone,
            "company": get("company") or None,
            "status": self._status(status, warnings) if status else self.default_status,
            "note": note,
            "source_name": get("source") or None,
            "campaign_name": get("campaign") or None,
            "owner_name": get("owner") or None,
            "consents": channel_states({f: raw[f] for f in self.consent_fields})
            if self.consent_fields else {},
            "created_at": None, "first_contacted_at": None, "converted_at": None,
            "consent_at": None,
        }
        for field in self.dates:
            try:
                values[field] = parse_date(get(field), self.zone)
            except ImpossibleDate:
                warnings.append(_("Date impossible, laissée vide : %(value)s", value=get(field)))
        if not self.consent_fields and values["consent_at"]:
            # A file with a consent date and no consent column: a dated consent is a consent.
            values["consents"] = dict.fromkeys(GENERIC_CHANNELS, "given")
        values["warnings"] = warnings or None
        return values

    def _lenient_contact(self, email_text, phone_text, warnings):
        """(e-mail, phone, raw values for the note) of a row whose e-mail or phone does not
        parse; RowRejected when the row gives no usable contact at all."""
        error, kept = None, []
        try:
            email = normalise_email(email_text)
        except DomainError as exc:
            email, error = None, exc.message
            kept.append(_("E-mail non reconnu à l'import : %(value)s", value=email_text))
        try:
            phone = normalise_phone(phone_text, self.region)
        except DomainError as exc:
            phone = possible_phone(phone_text, self.region)
            if phone:
                warnings.append(_("Numéro hors des plages attribuées connues, gardé : "
                                  "%(value)s", value=phone_text))
            else:
                error = error or exc.message
                kept.append(_("Téléphone non reconnu à l'import : %(value)s", value=phone_text))
        if error:
            if not (email or phone):
                raise RowRejected(error)
            warnings.append(_("%(error)s (gardé dans la note)", error=error))
        return email, phone, kept

    def _status(self, text, warnings):
        code = self.status_codes.get(text)
        if code is None:  # a file repeats a handful of values: each is looked up once
            code = self.status_codes[text] = (self.status_map.get(header_key(text))
                                              or known_status(text) or "")
        if not code:
            warnings.append(_("Statut inconnu, importé comme Nouveau : %(value)s", value=text))
            return "new"
        return code
