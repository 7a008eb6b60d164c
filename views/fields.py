"""Form fields FAB lacks: a real date-and-time input in the CRM's time zone."""
import json

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import Field, SelectField
from wtforms.validators import DataRequired, StopValidation
from wtforms.widgets import html_params

from app.services.errors import DomainError
from app.timezones import parse_datetime, to_local



class DateTimeLocalInput:
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("class", "form-control")
        params = html_params(name=field.name, type="datetime-local", value=field._value(), **kwargs)
        return Markup(f"<input {params}>")


class LocalDateTimeField(Field):
    """Shows and reads wall time in Europe/Paris; holds naive UTC like the columns.

    Pair it with InputRequired, not DataRequired: DataRequired clears the parse error."""

    widget = DateTimeLocalInput()

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        local = to_local(self.data)
        return local.strftime("%Y-%m-%dT%H:%M") if local else ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        try:
            self.data = parse_datetime(text, self.name, extra_formats=("%d/%m/%Y %H:%M",))
        except DomainError as exc:
            raise ValueError(exc.message)


class ServiceCheck:
    """WTForms validator that runs a service normaliser, so its message shows on the field."""

    def __init__(self, check):
        self.check = check

    def __call__(self, form, field):
        try:
            self.check(field.data)
        except DomainError as exc:
            raise StopValidation(exc.message)


def choice_field(label, choices, default):
    """A required choice among a model's codes, shown with their translated labels."""
    return SelectField(label, choices=list(choices.items()), default=default,
                       validators=[DataRequired()], widget=Select2Widget())


def json_mapping(form, field):
    """{"form field": "lead field"} with lead fields the intake knows."""
    from app.services.importing.mapping import FIELDS

    text = (field.data or "").strip()
    if not text:
        field.data = None
        return
    try:
        mapping = json.loads(text)
    except ValueError:
        raise StopValidation(_l("JSON invalide."))
    if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and v in FIELDS for k, v in mapping.items()):
        raise StopValidation(_l("Attendu : {\"champ du formulaire\": \"champ du prospect\"}, "
                                "avec les champs %(fields)s.", fields=", ".join(FIELDS)))


def _professional(value):
    """The "professional" choice as the column holds it: True, False or None (deduced)."""
    return {"1": True, "True": True, True: True, "0": False, "False": False, False: False}.get(
        value)


def professional_field():
    """Professional or consumer, or left to the company (see CRM_COMPANY_IS_B2B)."""
    return SelectField(_l("Type de prospect"), coerce=_professional, choices=[
        (None, _l("Déduit de la société")), (True, _l("Professionnel")),
        (False, _l("Particulier"))], widget=Select2Widget())
