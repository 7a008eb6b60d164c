"""A select whose options are searched on the server (select2 + /lookup), for big tables."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.validators import ValidationError
from wtforms.widgets import html_params

from app.input_limits import db_id


class RemoteSelectWidget:
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        params = html_params(name=field.name, class_="form-control crm-remote-select",
                             data_endpoint=url_for("LookupView.search", kind=field.lookup_kind),
                             data_placeholder=str(_l("Rechercher…")), **kwargs)
        option = ""
        if field.data is not None:
            option = f'<option value="{field.data.id}" selected>{escape(str(field.data))}</option>'
        return Markup(f"<select {params}><option value=''></option>{option}</select>")


class RemoteSelectField(Field):
    """Holds a model instance; `loader(pk)` fetches it within the user's row-level scope."""

    widget = RemoteSelectWidget()

    def __init__(self, label=None, validators=None, lookup_kind=None, loader=None, required=False,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.lookup_kind = lookup_kind
        self.loader = loader
        self.flags.required = required
        self._invalid = False

    def process_formdata(self, valuelist):
        # A JSON body gives numbers, objects or lists where a form gives text.
        raw = str(valuelist[0]).strip() if valuelist and valuelist[0] is not None else ""
        self.data = None
        if raw:
            pk = db_id(raw)  # an id beyond the database's integers would fail the query
            self.data = self.loader(pk) if pk is not None else None
            self._invalid = self.data is None

    def pre_validate(self, form):
        # Checked here rather than by DataRequired, which would replace this message.
        if self._invalid:
            raise ValidationError(_l("Choix introuvable ou non autorisé."))
        if self.flags.required and self.data is None:
            raise ValidationError(_l("Ce champ est obligatoire."))
