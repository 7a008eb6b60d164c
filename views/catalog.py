"""Sources and campaigns: the screens and APIs that marketing and managers maintain."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import URL, Optional

from app.security import CAMPAIGN, SOURCE
from models import PLATFORMS, SOURCE_KINDS, Campaign, Source
from views import formatters as fmt
from views.base import CRMModelRestApi, CRMModelView, crm_datamodel
from views.fields import choice_field, json_mapping
from views.leads import LeadView
from views.scoping import ACTIVE_USERS
from views.secret_fields import WriteOnlySecretsMixin, secret_fields, with_clear_boxes

SOURCE_LABELS = {
    "name": _l("Nom"),
    "thank_you_url": _l("Page de remerciement (formulaire web)"),
    "field_mapping": _l("Correspondance des champs du formulaire (JSON)"),
    "meta_app_secret": _l("Meta : clé secrète de l'application"),
    "meta_page_token": _l("Meta : jeton d'accès de la page"),
    "kind": _l("Type"),
    "active": _l("Active"),
    "intake_token": _l("Clé secrète de réception"),
    "created_at": _l("Créée le"),
    "aliases": _l("Autres noms (imports)"),
    "consent_wording": _l("Texte du consentement affiché (formulaire web)"),
    "consent_version": _l("Version du texte du consentement"),
}
# Shown under the aliases field of sources and campaigns.
ALIASES_HELP = _l("Un nom par ligne : les noms que donnent les fichiers importés (« Facebook "
                  "Ads » pour « Meta Lead Ads »). Comparés sans majuscules ni accents.")
CONSENT_WORDING_HELP = _l("Gardé comme preuve avec chaque consentement reçu par ce formulaire, "
                          "quand le formulaire n'envoie pas lui-même le texte affiché "
                          "(champ consent_text).")
SECRET_COLUMNS = ("meta_app_secret", "meta_page_token")
CAMPAIGN_LABELS = {
    "name": _l("Nom"),
    "platform": _l("Plateforme"),
    "external_id": _l("Identifiant sur la plateforme"),
    "utm_campaign": "utm_campaign",
    "source": _l("Source"),
    "start_date": _l("Début"),
    "end_date": _l("Fin"),
    "budget": _l("Budget (€)"),
    "manager": _l("Suivie par"),
    "spend": _l("Dépense (€)"),
    "created_at": _l("Créée le"),
    "aliases": _l("Autres noms (imports)"),
}


class SourceView(WriteOnlySecretsMixin, CRMModelView):
    route_base = "/sources"
    class_permission_name = SOURCE
    datamodel = crm_datamodel(Source)
    base_order = ("name", "asc")
    list_title = _l("Sources")
    show_title = _l("Source")
    add_title = _l("Nouvelle source")
    edit_title = _l("Modifier la source")
    add_row_message = edit_row_message = _l("Source enregistrée.")
    delete_row_message = _l("Source supprimée.")
    label_columns = SOURCE_LABELS
    list_columns = ["name", "kind", "active", "created_at"]
    order_columns = ["name", "kind", "created_at"]
    search_columns = ["name", "kind", "active"]
    # The intake secret is not a form field: it is generated, and shown in the integration panel.
    show_columns = ["name", "kind", "active", "aliases", "thank_you_url", "consent_wording",
                    "consent_version", "created_at"]
    add_columns = ["name", "kind", "active", "aliases", "thank_you_url", "field_mapping",
                   "consent_wording", "consent_version", *SECRET_COLUMNS]
    description_columns = {"aliases": ALIASES_HELP, "consent_wording": CONSENT_WORDING_HELP}
    edit_columns = with_clear_boxes(add_columns, SECRET_COLUMNS)
    secret_columns = SECRET_COLUMNS
    show_template = "sources/show.html"
    formatters_columns = {"kind": fmt.source_kind_label, "created_at": fmt.datetime_local,
                          "active": fmt.yes_no}
    add_form_extra_fields = {
        "kind": choice_field(_l("Type"), SOURCE_KINDS, "manual"),
        **secret_fields(SOURCE_LABELS, SECRET_COLUMNS, clearable=False),
    }
    validators_columns = {"field_mapping": [json_mapping], "thank_you_url": [Optional(), URL()]}
    edit_form_extra_fields = {**add_form_extra_fields,
                              **secret_fields(SOURCE_LABELS, SECRET_COLUMNS, clearable=True)}
    # Not the default "whom one may assign to" (Marketing names a colleague, not a lead owner).
    add_form_query_rel_fields = edit_form_query_rel_fields = {"manager": ACTIVE_USERS}
    related_views = [LeadView]


class CampaignView(CRMModelView):
    route_base = "/campaigns"
    class_permission_name = CAMPAIGN
    datamodel = crm_datamodel(Campaign)
    base_order = ("created_at", "desc")
    list_title = _l("Campagnes")
    show_title = _l("Campagne")
    add_title = _l("Nouvelle campagne")
    edit_title = _l("Modifier la campagne")
    add_row_message = edit_row_message = _l("Campagne enregistrée.")
    delete_row_message = _l("Campagne supprimée.")
    label_columns = CAMPAIGN_LABELS
    list_columns = ["name", "platform", "source", "start_date", "end_date", "budget", "spend"]
    order_columns = ["name", "platform", "start_date", "created_at"]
    search_columns = ["name", "platform", "source", "start_date"]
    show_columns = ["name", "platform", "external_id", "utm_campaign", "source", "start_date",
                    "end_date", "budget", "spend", "manager", "aliases", "created_at"]
    add_columns = ["name", "platform", "external_id", "utm_campaign", "source", "start_date",
                   "end_date", "budget", "spend", "manager", "aliases"]
    edit_columns = add_columns
    description_columns = {"manager": _l("Prévenu de chaque prospect que la campagne amène "
                                         "(formulaires et plateformes publicitaires)."),
                           "aliases": ALIASES_HELP}
    formatters_columns = {
        "manager": fmt.user_name,
        "platform": fmt.platform_label,
        "start_date": fmt.date_only,
        "end_date": fmt.date_only,
        "created_at": fmt.datetime_local,
    }
    add_form_extra_fields = {
        "platform": choice_field(_l("Plateforme"), PLATFORMS, "other"),
    }
    edit_form_extra_fields = add_form_extra_fields
    # Not the default "whom one may assign to" (Marketing names a colleague, not a lead owner).
    add_form_query_rel_fields = edit_form_query_rel_fields = {"manager": ACTIVE_USERS}
    related_views = [LeadView]


class SourceApi(CRMModelRestApi):
    resource_name = "source"
    class_permission_name = SOURCE + "Api"
    label_columns = SOURCE_LABELS
    datamodel = crm_datamodel(Source)
    list_columns = ["id", "name", "kind", "active", "created_at"]
    show_columns = list_columns
    add_columns = ["name", "kind", "active"]
    edit_columns = add_columns
    order_columns = ["name", "kind", "created_at"]
    enum_columns = {"kind": SOURCE_KINDS}


class CampaignApi(CRMModelRestApi):
    resource_name = "campaign"
    class_permission_name = CAMPAIGN + "Api"
    label_columns = CAMPAIGN_LABELS
    datamodel = crm_datamodel(Campaign)
    list_columns = ["id", "name", "platform", "external_id", "utm_campaign", "source.id",
                    "source.name", "start_date", "end_date", "budget", "spend"]
    show_columns = list_columns
    add_columns = ["name", "platform", "external_id", "utm_campaign", "source", "start_date",
                   "end_date", "budget", "spend"]
    edit_columns = add_columns
    order_columns = ["name", "platform", "start_date"]
    enum_columns = {"platform": PLATFORMS}
