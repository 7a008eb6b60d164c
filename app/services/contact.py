"""Normalisation of contact data: e-mail, phone, names."""
import functools
import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from flask_babel import gettext as _

from app.services.errors import DomainError

# The plain ASCII address that nearly every lead has; anything else goes to email_validator.
# (email_validator costs ~40 µs an address: too much for imports of 100,000 rows.)
_PLAIN_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63})$"
)
_SPECIAL_TLDS = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise_email(raw):
    """Lower-case, validated e-mail, or None for an empty value."""
    value = (raw or "").strip()
    if not value:
        return None
    lowered = value.lower()
    plain = _PLAIN_EMAIL.match(lowered)
    # SPECIAL_USE_DOMAIN_NAMES (test, local, ...) are single labels: checking the TLD suffices.
    if (plain and len(lowered) <= 254 and lowered.index("@") <= 64
            and plain.group(1) not in _SPECIAL_TLDS):
        return lowered
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(_("Adresse e-mail invalide : %(value)s", value=value), field="email")
    return result.normalized.lower()


@functools.lru_cache(maxsize=32)
def _region_rules(region):
    """(country code, national prefix, pattern of valid national numbers) from phonenumbers'
    own metadata: a number matching it is exactly what is_valid_number accepts."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    descs = (metadata.fixed_line, metadata.mobile, metadata.toll_free, metadata.premium_rate,
             metadata.shared_cost, metadata.personal_number, metadata.voip, metadata.pager,
             metadata.uan, metadata.voicemail)
    patterns = [d.national_number_pattern for d in descs if d and d.national_number_pattern]
    lengths = set(metadata.general_desc.possible_length or ())
    if not patterns or len(lengths) != 1:
        return None  # variable-length plans: leave them to phonenumbers
    return (str(metadata.country_code), metadata.national_prefix or "",
            re.compile("(?:" + "|".join(patterns) + ")"), lengths.pop())


def _fast_e164(value, region):
    rules = _region_rules(region)
    if rules is None:
        return None
    country, trunk, valid, length = rules
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+" + country):
        national = digits[len(country) + 1:]
    elif trunk and digits.startswith(trunk):
        national = digits[len(trunk):]
    else:
        return None
    if len(national) == length and national.isdigit() and valid.fullmatch(national):
        return "+" + country + national
    return None


def normalise_phone(raw, region="FR"):
    """E.164 phone number, or None for an empty value."""
    value = (raw or "").strip()
    if not value:
        return None
    fast = _fast_e164(value, region)
    if fast:
        return fast
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(_("Numéro de téléphone invalide : %(value)s", value=value), field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def possible_phone(raw, region="FR"):
    """E.164 of a number of a possible length and shape that normalise_phone refuses because it
    lies outside libphonenumber's allocation tables (a range opened since, or set aside), else
    None. Imports keep such numbers with a warning; the form, where a person can correct the
    number in front of them, stays with normalise_phone."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def format_phone(e164, region="FR"):
    """National format for numbers of the CRM's region, international otherwise."""
    if not e164:
        return ""
    if (region == "FR" and len(e164) == 12 and e164.startswith("+33") and e164[3:].isdigit()
            and e164[3] != "8"):
        # What phonenumbers gives for French numbers (08 special rates aside), without parsing
        # them: exports format a hundred thousand of them. 0X XX XX XX XX.
        digits = e164[3:]
        return "0" + digits[0] + " " + " ".join(digits[i:i + 2] for i in range(1, 9, 2))
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _strip_accents(char):
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin letters with accents -> plain letters, as one str.translate table (fast path).
_ACCENTS = {code: _strip_accents(chr(code)) for code in range(0xC0, 0x250)
            if _strip_accents(chr(code)).isascii()}


def search_key(text):
    """Lower-case text without accents, for prefix search through an index."""
    text = (text or "").lower().translate(_ACCENTS)
    if text.isascii():
        return " ".join(text.split())
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def clean_text(raw):
    value = (raw or "").strip()
    return value or None
