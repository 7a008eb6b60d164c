"""Interactions (calls, e-mails, SMS, meetings, notes) screen and API."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, NumberRange, Optional

from app.security import INTERACTION
from app.services.interactions import check_interaction, record_first_contact
from models import DIRECTIONS, KINDS, Interaction
from views import formatters as fmt
from views.base import CRMModelRestApi, CRMModelView, crm_datamodel
from views.fields import LocalDateTimeField, choice_field
from views.lead_choice import ensure_visible_lead, lead_field
from views.scoping import SCOPE_INTERACTIONS, current_user

LABELS = {
    "lead": _l("Prospect"),
    "kind": _l("Type"),
    "direction": _l("Sens"),
    "occurred_at": _l("Date"),
    "user": _l("Par"),
    "subject": _l("Objet"),
    "summary": _l("Résumé"),
    "duration_minutes": _l("Durée (min)"),
    "created_at": _l("Créé le"),
}
COLUMNS = ["lead", "kind", "direction", "occurred_at", "subject", "summary", "duration_minutes"]


class InteractionLifecycle:
    def pre_add(self, item):
        ensure_visible_lead(item)
        if item.user is None and item.user_id is None:
            item.user = current_user()
        check_interaction(item)
        record_first_contact(item)

    def pre_update(self, item):
        ensure_visible_lead(item)
        check_interaction(item)


class InteractionView(InteractionLifecycle, CRMModelView):
    route_base = "/interactions"
    class_permission_name = INTERACTION
    datamodel = crm_datamodel(Interaction)
    base_filters = SCOPE_INTERACTIONS
    base_order = ("occurred_at", "desc")
    list_title = _l("Interactions")
    show_title = _l("Interaction")
    add_title = _l("Nouvelle interaction")
    edit_title = _l("Modifier l'interaction")
    add_row_message = edit_row_message = _l("Interaction enregistrée.")
    delete_row_message = _l("Interaction supprimée.")
    label_columns = LABELS
    list_columns = ["occurred_at", "lead", "kind", "direction", "subject", "user",
                    "duration_minutes"]
    order_columns = ["occurred_at", "kind"]
    search_columns = ["kind", "direction", "occurred_at", "subject"]
    show_columns = COLUMNS + ["user", "created_at"]
    add_columns = COLUMNS
    edit_columns = COLUMNS
    formatters_columns = {
        "occurred_at": fmt.datetime_local,
        "created_at": fmt.datetime_local,
        "kind": fmt.kind_label,
        "direction": fmt.direction_label,
        "lead": fmt.lead_link,
        "user": fmt.user_name,
    }
    add_form_extra_fields = {
        "lead": lead_field(),
        "kind": choice_field(_l("Type"), KINDS, "call"),
        "direction": choice_field(_l("Sens"), DIRECTIONS, "outbound"),
        "occurred_at": LocalDateTimeField(_l("Date"), validators=[InputRequired()]),
    }
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"duration_minutes": [Optional(), NumberRange(min=0, max=24 * 60)]}


class InteractionApi(InteractionLifecycle, CRMModelRestApi):
    resource_name = "interaction"
    class_permission_name = INTERACTION + "Api"
    label_columns = LABELS
    datamodel = crm_datamodel(Interaction)
    base_filters = SCOPE_INTERACTIONS
    base_order = ("occurred_at", "desc")
    list_columns = ["id", "lead.id", "lead.last_name", "kind", "direction", "occurred_at",
                    "subject", "summary", "duration_minutes", "user.username"]
    show_columns = list_columns
    add_columns = ["lead", "kind", "direction", "occurred_at", "subject", "summary",
                   "duration_minutes"]
    edit_columns = add_columns
    order_columns = ["occurred_at", "kind"]
    search_columns = ["kind", "direction", "occurred_at", "lead"]
    enum_columns = {"kind": KINDS, "direction": DIRECTIONS}
