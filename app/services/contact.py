"""Normalisation of contact data: e-mail, phone, names."""
import functools
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from app.services.errors import DomainError


def normalise_email(raw):
    """Lower-case, validated e-mail, or None for an empty value."""
    value = (raw or "").strip()
    if not value:
        return None
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(_("Adresse e-mail invalide : %(value)s", value=value), field="email")
    return result.normalized.lower()


def normalise_phone(raw, region="FR"):
    """E.164 phone number, or None for an empty value."""
    value = (raw or "").strip()
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(_("Numéro de téléphone invalide : %(value)s", value=value), field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def format_phone(e164, region="FR"):
    """National format for numbers of the CRM's region, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def search_key(text):
    """Lower-case text without accents, for prefix search through an index."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def clean_text(raw):
    value = (raw or "").strip()
    return value or None
