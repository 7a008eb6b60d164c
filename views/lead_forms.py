"""Validation of the lead form, field by field, through the lead services."""
from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms.validators import StopValidation

from app.extensions import db
from app.services.contact import normalise_email, normalise_phone
from app.services.errors import DomainError
from app.services.leads import find_duplicate
from models import STATUS_ABANDONED, Lead


def _region():
    return current_app.config.get("CRM_PHONE_REGION", "FR")


class UniqueContact:
    """The e-mail or phone must be valid and not belong to another live lead."""

    def __init__(self, field_name):
        self.field_name = field_name

    def __call__(self, form, field):
        try:
            if self.field_name == "email":
                value = normalise_email(field.data)
                row = find_duplicate(db.session, email=value, exclude_id=getattr(form, "_id", None))
            else:
                value = normalise_phone(field.data, _region())
                row = find_duplicate(db.session, phone=value, exclude_id=getattr(form, "_id", None))
        except DomainError as exc:
            raise StopValidation(exc.message)
        if row is not None:
            existing = db.session.get(Lead, row.id)
            link = Markup('<a href="{}">{}</a>').format(
                url_for("LeadView.show", pk=row.id), existing.full_name
            )
            text = (_("Un prospect avec cet e-mail existe déjà : %(link)s", link="{}")
                    if self.field_name == "email"
                    else _("Un prospect avec ce téléphone existe déjà : %(link)s", link="{}"))
            raise StopValidation(Markup(escape(text)).replace("{}", link))


def reason_required_when_abandoned(form, field):
    if form.status.data == STATUS_ABANDONED and not (field.data or "").strip():
        raise StopValidation(_("Indiquez la raison de l'abandon."))
