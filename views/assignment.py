"""Assignment rules (Règles d'attribution), edited by admins and managers."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import NumberRange

from app.security import ASSIGNMENT_RULE, LEAD_ASSIGNMENT
from models import RULE_MODES, AssignmentMember, AssignmentRule, LeadAssignment
from views import formatters as fmt
from views.base import CRMModelView, crm_datamodel
from views.fields import choice_field
from views.scoping import SCOPE_ASSIGNMENTS


class AssignmentMemberView(CRMModelView):
    route_base = "/assignment-members"
    class_permission_name = ASSIGNMENT_RULE
    datamodel = crm_datamodel(AssignmentMember)
    list_title = _l("Commerciaux de la règle")
    label_columns = {"rule": _l("Règle"), "user": _l("Commercial"), "weight": _l("Poids"),
                     "available": _l("Disponible"), "assigned_count": _l("Prospects reçus")}
    list_columns = ["user", "weight", "available", "assigned_count"]
    add_columns = edit_columns = ["rule", "user", "weight", "available"]
    show_columns = ["rule", "user", "weight", "available", "assigned_count"]
    formatters_columns = {"available": fmt.yes_no}
    validators_columns = {"weight": [NumberRange(min=0, max=100)]}


class AssignmentRuleView(CRMModelView):
    route_base = "/assignment-rules"
    class_permission_name = ASSIGNMENT_RULE
    datamodel = crm_datamodel(AssignmentRule)
    list_title = show_title = _l("Règles d'attribution")
    add_title = _l("Nouvelle règle d'attribution")
    edit_title = _l("Modifier la règle d'attribution")
    add_row_message = edit_row_message = _l("Règle enregistrée.")
    delete_row_message = _l("Règle supprimée.")
    label_columns = {"name": _l("Nom"), "active": _l("Active"), "source": _l("Source"),
                     "campaign": _l("Campagne"), "mode": _l("Attribution"),
                     "owner": _l("Commercial (attribution fixe)"), "created_at": _l("Créée le")}
    list_columns = ["name", "active", "source", "campaign", "mode", "owner"]
    add_columns = edit_columns = ["name", "active", "source", "campaign", "mode", "owner"]
    show_columns = list_columns + ["created_at"]
    order_columns = ["name"]
    formatters_columns = {"active": fmt.yes_no, "mode": fmt.label_from(RULE_MODES),
                          "created_at": fmt.datetime_local, "owner": fmt.user_name}
    description_columns = {
        "source": _l("Vide : toutes les sources. La règle d'une campagne passe avant celle de sa "
                     "source, qui passe avant une règle pour tout."),
        "mode": _l("Tour à tour : les commerciaux ajoutés dans l'onglet « Commerciaux de la "
                   "règle », selon leur poids, en sautant les inactifs et les absents."),
    }
    add_form_extra_fields = {"mode": choice_field(_l("Attribution"), RULE_MODES, "round_robin")}
    edit_form_extra_fields = add_form_extra_fields
    related_views = [AssignmentMemberView]


class LeadAssignmentView(CRMModelView):
    """The assignment history of a lead (a tab of the lead sheet)."""

    route_base = "/lead-assignments"
    class_permission_name = LEAD_ASSIGNMENT
    datamodel = crm_datamodel(LeadAssignment)
    base_permissions = ["can_list"]
    base_filters = SCOPE_ASSIGNMENTS
    base_order = ("at", "desc")
    list_title = _l("Attributions")
    label_columns = {"at": _l("Date"), "user": _l("Commercial"), "previous_user": _l("Avant"),
                     "assigned_by": _l("Par"), "rule": _l("Règle")}
    list_columns = ["at", "user", "previous_user", "assigned_by", "rule"]
    order_columns = ["at"]
    formatters_columns = {"at": fmt.datetime_local, "user": fmt.user_name,
                          "previous_user": fmt.user_name, "assigned_by": fmt.user_name}
