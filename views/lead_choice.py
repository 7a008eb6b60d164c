"""Picking a lead in a form: searched remotely, loaded within the user's row-level scope."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services.errors import DomainError
from models import Lead
from views.remote_select import RemoteSelectField
from views.scoping import scope_leads


def load_visible_lead(pk):
    with db.session.no_autoflush:  # called while a new row is being built from the form
        return scope_leads(db.session.query(Lead)).filter(Lead.id == pk).first()


def lead_field():
    return RemoteSelectField(_l("Prospect"), lookup_kind="leads", loader=load_visible_lead,
                             required=True)


def ensure_visible_lead(item):
    """The lead of an interaction or appointment must be one the user may see (API too)."""
    lead_id = item.lead.id if item.lead is not None else item.lead_id
    if lead_id is None or load_visible_lead(lead_id) is None:
        raise DomainError(_("Prospect introuvable."), field="lead")
