import pytest

from app.services.contact import format_phone, normalise_email, normalise_phone, search_key
from app.services.errors import DomainError


@pytest.mark.parametrize("raw, expected", [
    (" Marie.Dupont@Exemple.FR ", "marie.dupont@exemple.fr"),
    ("", None),
    (None, None),
])
def test_email_is_lower_cased_and_trimmed(app, raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["marie@", "pas un email", "a@b", "<script>@x.fr"])
def test_invalid_email_is_refused_with_a_french_message(app, raw):
    with pytest.raises(DomainError) as err:
        normalise_email(raw)
    assert "Adresse e-mail invalide" in err.value.message
    assert err.value.field == "email"


@pytest.mark.parametrize("raw, expected", [
    ("06 12 34 56 78", "+33612345678"),
    ("06.12.34.56.78", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("0033612345678", "+33612345678"),
    ("01 42 68 53 00", "+33142685300"),
    ("+32 470 12 34 56", "+32470123456"),
])
def test_phone_is_stored_in_e164(app, raw, expected):
    assert normalise_phone(raw, "FR") == expected


@pytest.mark.parametrize("raw", ["12", "abc", "06 12", "+33 6 12 34 56 78 90 12"])
def test_invalid_phone_is_refused(app, raw):
    with pytest.raises(DomainError) as err:
        normalise_phone(raw, "FR")
    assert "Numéro de téléphone invalide" in err.value.message


def test_phone_is_shown_in_national_format_for_french_numbers(app):
    assert format_phone("+33612345678", "FR") == "06 12 34 56 78"
    assert format_phone("+32470123456", "FR").startswith("+32")


def test_search_key_drops_accents_and_case(app):
    assert search_key("  Lefèvre  Élodie ") == "lefevre elodie"


def test_phone_fast_path_agrees_with_phonenumbers(app):
    import random

    import phonenumbers

    from app.services.contact import _fast_e164

    rng = random.Random(20261122)
    for _ in range(5000):
        raw = rng.choice(["0", "+33", "+33 "]) + "".join(rng.choice("0123456789") for _ in range(9))
        fast = _fast_e164(raw, "FR")
        if fast is None:
            continue
        number = phonenumbers.parse(raw, "FR")
        assert phonenumbers.is_valid_number(number), raw
        assert fast == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize("raw", ["x@test", "a..b@x.fr", "a@b.local", "a@-x.fr", ".a@x.fr"])
def test_email_fast_path_refuses_what_email_validator_refuses(app, raw):
    with pytest.raises(DomainError):
        normalise_email(raw)



@pytest.mark.parametrize("e164", ["+33612345678", "+33123456789", "+33899123456", "+33970000000"])
def test_french_fast_formatting_matches_phonenumbers(e164):
    import phonenumbers

    expected = phonenumbers.format_number(phonenumbers.parse(e164, None),
                                          phonenumbers.PhoneNumberFormat.NATIONAL)
    format_phone.cache_clear()
    assert format_phone(e164) == expected
