"""Values an integrator looks leads up by, normalised as the form and the intake store them:
`Jean.Dupont@Exemple.FR` finds jean.dupont@exemple.fr, `06 10 20 30 40` finds +33610203040."""
import phonenumbers
from flask_babel import gettext as _

from app.services.contact import normalise_email, normalise_phone
from app.services.errors import DomainError
from app.timezones import parse_datetime


def _text(value, field):
    if not isinstance(value, str) or not value.strip():
        raise DomainError(_("Valeur de recherche invalide : %(field)s", field=field), field=field)
    return value.strip()


def email_value(value):
    return normalise_email(_text(value, "email"))


def phone_value(value, region):
    """E.164 as stored. A number the form would refuse as unallocated but that is possible may
    still be stored (imports keep them): look it up rather than refuse it."""
    text = _text(value, "phone")
    try:
        return normalise_phone(text, region)
    except DomainError:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            raise DomainError(_("Numéro de téléphone invalide : %(value)s", value=text[:40]),
                              field="phone") from None
        if not phonenumbers.is_possible_number(number):
            raise DomainError(_("Numéro de téléphone invalide : %(value)s", value=text[:40]),
                              field="phone") from None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def platform_id(field):
    """A click id or platform lead id: exact, without surrounding spaces."""
    return lambda value: _text(value, field)


def rfc3339_utc(value, field="updated_at"):
    """An RFC 3339 date-time as stored (naive UTC); without an offset, CRM wall time."""
    return parse_datetime(_text(value, field), field)
