"""Admin screens of the follow-up: relance rules, e-mail templates, user profiles (manager,
mobile phone for SMS, language)."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import NumberRange, Optional, ValidationError

from app.security import EMAIL_TEMPLATE, FOLLOWUP_RULE, USER_PROFILE
from app.services.contact import normalise_phone
from app.services.errors import DomainError
from app.services.lead_mail import VARIABLES, check_template
from models import RULE_STATUSES, EmailTemplate, FollowUpRule, UserProfile
from views import formatters as fmt
from views.base import CRMModelView, crm_datamodel
from views.fields import choice_field


def valid_template(_form, field):
    try:
        check_template(field.data)
    except DomainError as exc:
        raise ValidationError(exc.message)


def valid_mobile(_form, field):
    try:
        field.data = normalise_phone(field.data) if field.data else None
    except DomainError as exc:
        raise ValidationError(exc.message)


def later_than_first_delay(form, field):
    first = form.after_hours.data
    if field.data is not None and first is not None and field.data <= first:
        raise ValidationError(_l("Le délai du responsable doit être plus long que celui du "
                                 "commercial."))


class FollowUpRuleView(CRMModelView):
    route_base = "/followup-rules"
    class_permission_name = FOLLOWUP_RULE
    datamodel = crm_datamodel(FollowUpRule)
    list_title = show_title = _l("Relances automatiques")
    add_title = _l("Nouvelle relance")
    edit_title = _l("Modifier la relance")
    add_row_message = edit_row_message = _l("Relance enregistrée.")
    delete_row_message = _l("Relance supprimée.")
    label_columns = {"name": _l("Nom"), "active": _l("Active"), "status": _l("Statut du prospect"),
                     "after_hours": _l("Prévenir le commercial après (heures sans activité)"),
                     "escalate_after_hours": _l("Puis son responsable après (heures)"),
                     "message": _l("Message"), "created_at": _l("Créée le")}
    list_columns = ["name", "active", "status", "after_hours", "escalate_after_hours"]
    add_columns = edit_columns = ["name", "active", "status", "after_hours",
                                  "escalate_after_hours"]
    show_columns = list_columns + ["created_at"]
    order_columns = ["name"]
    formatters_columns = {"active": fmt.yes_no, "status": fmt.label_from(RULE_STATUSES),
                          "created_at": fmt.datetime_local}
    description_columns = {
        "after_hours": _l("Un prospect dans ce statut, sans interaction (appel, e-mail, SMS, "
                          "réunion, note) depuis ce nombre d'heures, déclenche une notification "
                          "à son commercial (24 = un jour)."),
        "escalate_after_hours": _l("Facultatif, plus long que le premier délai : le responsable "
                                   "du commercial (fiche « Profils ») est prévenu à son tour."),
    }
    validators_columns = {"after_hours": [NumberRange(min=1, max=24 * 365)],
                          "escalate_after_hours": [Optional(), NumberRange(min=2, max=24 * 365),
                                                   later_than_first_delay]}
    add_form_extra_fields = {"status": choice_field(_l("Statut du prospect"), RULE_STATUSES, "new")}
    edit_form_extra_fields = add_form_extra_fields



class EmailTemplateView(CRMModelView):
    route_base = "/email-templates"
    class_permission_name = EMAIL_TEMPLATE
    datamodel = crm_datamodel(EmailTemplate)
    list_title = show_title = _l("Modèles d'e-mail")
    add_title = _l("Nouveau modèle d'e-mail")
    edit_title = _l("Modifier le modèle d'e-mail")
    add_row_message = edit_row_message = _l("Modèle enregistré.")
    delete_row_message = _l("Modèle supprimé.")
    label_columns = {"name": _l("Nom"), "subject": _l("Objet"), "body": _l("Message"),
                     "active": _l("Actif"), "updated_at": _l("Modifié le")}
    list_columns = ["name", "subject", "active", "updated_at"]
    add_columns = edit_columns = ["name", "subject", "body", "active"]
    show_columns = ["name", "subject", "body", "active", "updated_at"]
    order_columns = ["name", "updated_at"]
    formatters_columns = {"active": fmt.yes_no, "updated_at": fmt.datetime_local}
    validators_columns = {"subject": [valid_template], "body": [valid_template]}
    description_columns = {"body": _l("Variables : %(names)s, écrites entre doubles accolades, "
                                      "par exemple {{ prenom }}.",
                                      names=", ".join(VARIABLES))}


class UserProfileView(CRMModelView):
    route_base = "/user-profiles"
    class_permission_name = USER_PROFILE
    datamodel = crm_datamodel(UserProfile)
    list_title = show_title = _l("Profils des utilisateurs")
    add_title = _l("Nouveau profil")
    edit_title = _l("Modifier le profil")
    add_row_message = edit_row_message = _l("Profil enregistré.")
    label_columns = {"user": _l("Utilisateur"), "manager": _l("Responsable"),
                     "mobile": _l("Mobile (SMS)"), "locale": _l("Langue")}
    list_columns = add_columns = edit_columns = show_columns = ["user", "manager", "mobile", "locale"]
    formatters_columns = {"user": fmt.user_name, "manager": fmt.user_name}
    validators_columns = {"mobile": [valid_mobile]}
    add_form_extra_fields = {"locale": choice_field(_l("Langue"), {"fr": "Français", "en": "English"}, "fr")}
    edit_form_extra_fields = add_form_extra_fields
