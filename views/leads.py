"""Lead screens: the filterable list with bulk actions, the sheet, the form; and the API."""
from urllib.parse import parse_qsl

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.utils.base import is_safe_redirect_url
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from werkzeug.datastructures import MultiDict
from wtforms import TextAreaField
from wtforms.validators import Optional

from app.security import LEAD, LEAD_RIGHTS, PERM_ASSIGN, PERM_SET_STATUS
from app.services.errors import DomainError
from app.services.assignment import auto_assign, record
from app.services.lead_list import FILTER_KEYS, parse_list_args
from app.services.lead_lookup import email_value, phone_value, platform_id, rfc3339_utc
from app.services.privacy.sending import refused_leads
from app.services.leads import assign, normalise_lead, set_status
from app.services.privacy.consent_intake import GENERIC_CHANNELS, record_states
from app.extensions import db
from jobs.notifications import notify_assignment
from jobs.queue import enqueue
from models import FIELD_LABELS, STATUSES, Campaign, ImportBatch, Lead, Source, User
from models.audit import API_READ, SHEET_OPEN
from views import formatters as fmt
from views.appointments import AppointmentView
from views.assignment import LeadAssignmentView
from views.base import CRMModelRestApi, CRMModelView, crm_datamodel
from views.fields import choice_field, professional_field
from views.interactions import InteractionView
from views.import_batch_filter import IMPORT_BATCH_FILTERS, ImportBatchFilter
from views.lead_filters import (LEAD_SEARCH_FILTERS, ContactIndexed, CreatedFromFilter,
                                CreatedToFilter, LeadSearchFilter)
from views.lead_forms import UniqueContact, reason_required_when_abandoned
from views.lead_sync_api import LeadSyncEndpoints
from views.privacy.audit_trail import audit_read, audit_reads
from views.scoping import ASSIGNABLE_USERS, SCOPE_LEADS, can_assign, current_user, scope_leads
from views.request_args import capped_page_size
from views.privacy.consent_api import CONSENTS_SCHEMA, consents_by_channel
from views.sheet_context import sheet_context

LABELS = {
    **FIELD_LABELS,
    "full_name": _l("Nom"),
    "abandon_reason": _l("Raison de l'abandon"),
    "value": _l("Valeur (€)"),
    "updated_at": _l("Modifié le"),
    "converted_at": _l("Converti le"),
    "first_contacted_at": _l("Premier contact"),
    "consent_contact": _l("Accepte d'être contacté"),
    "consent_at": _l("Consentement le"),
    "professional": _l("Type de prospect"),
    "possible_duplicate": _l("Doublon possible"),
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "gclid": "gclid",
    "fbclid": "fbclid",
}
STATUS_CHOICES = [(code, label) for code, label in STATUSES.items()]
FORM_COLUMNS = ["last_name", "first_name", "email", "phone", "company", "source", "campaign",
                "status", "abandon_reason", "value", "owner", "professional", "note"]


def _apply_owner_rule(lead, is_new):
    """A user who may not assign keeps leads on themselves.

    Returns (previous owner id, new owner id) when the owner changes, else None."""
    user = current_user()
    history = inspect(lead).attrs.owner.history
    previous = history.deleted[0] if history.deleted else None
    if not can_assign():
        if is_new:
            lead.owner_id, lead.owner = user.id, user
            return None, user.id
        if history.has_changes():
            lead.owner = previous
        return None
    if is_new and lead.owner is not None:
        return None, lead.owner.id
    if not is_new and history.has_changes():
        return (previous.id if previous else None), (lead.owner.id if lead.owner else None)
    return None


class LeadLifecycle:
    """Hooks shared by the screen and the API. Everything a save writes (normalisation, the
    owner rule, automatic assignment and its record) happens before FAB's single commit, so a
    failed commit leaves nothing behind; post_add/post_update only tell the rep, once committed."""

    def pre_add(self, item):
        change = _apply_owner_rule(item, is_new=True)
        normalise_lead(db.session, item, current_app.config["CRM_PHONE_REGION"])
        self.datamodel.stage(item)  # its id for the record, its source for the rule
        if item.owner_id is None:
            owner = auto_assign(db.session, item)
            g.crm_notify_owner = owner.id if owner is not None else None
        else:
            g.crm_notify_owner = self._record(item, change)

    def pre_update(self, item):
        change = _apply_owner_rule(item, is_new=False)
        normalise_lead(db.session, item, current_app.config["CRM_PHONE_REGION"])
        g.crm_notify_owner = self._record(item, change)

    def post_add(self, item):
        g.crm_created_id = item.id
        self.post_update(item)

    def post_update(self, item):
        owner_id = g.pop("crm_notify_owner", None)
        if owner_id is not None:
            enqueue(notify_assignment, item.id, owner_id)

    @staticmethod
    def _record(item, change):
        """Record a chosen owner change; the rep to tell (not the one who chose), or None."""
        if not change or change[1] is None:
            return None
        user = current_user()
        record(db.session, item, change[1], previous_id=change[0], by_user_id=user.id)
        return change[1] if change[1] != user.id else None


class LeadView(LeadLifecycle, CRMModelView):
    route_base = "/leads"
    class_permission_name = LEAD
    datamodel = crm_datamodel(Lead)
    base_filters = SCOPE_LEADS
    base_order = ("created_at", "desc")
    list_title = _l("Prospects")
    show_title = _l("Fiche prospect")
    add_title = _l("Nouveau prospect")
    edit_title = _l("Modifier le prospect")
    add_row_message = _l("Prospect créé.")
    edit_row_message = _l("Prospect enregistré.")
    delete_row_message = _l("Prospect supprimé.")
    list_template = "leads/list.html"
    list_widget_template = "leads/table.html"
    label_columns = LABELS
    list_columns = ["full_name", "email", "phone", "source", "campaign", "status", "owner",
                    "created_at"]
    order_columns = ["created_at", "last_name", "source_id", "status"]
    search_columns = ["last_name", "status", "source", "campaign", "owner", "created_at"]
    search_filters = LEAD_SEARCH_FILTERS
    add_columns = FORM_COLUMNS
    edit_columns = FORM_COLUMNS
    show_fieldsets = [
        (_l("Contact"), {"fields": ["first_name", "last_name", "company", "email", "phone"]}),
        (_l("Suivi"), {"fields": ["status", "abandon_reason", "owner", "created_at",
                                  "first_contacted_at", "converted_at", "note"]}),
        (_l("Origine"), {"fields": ["source", "campaign", "utm_source", "utm_medium",
                                    "utm_campaign", "gclid", "fbclid"]}),
        (_l("Consentement"), {"fields": ["consent_contact", "consent_at"], "expanded": False}),
    ]
    formatters_columns = {
        "created_at": fmt.datetime_local,
        "updated_at": fmt.datetime_local,
        "converted_at": fmt.datetime_local,
        "first_contacted_at": fmt.datetime_local,
        "consent_at": fmt.datetime_local,
        "consent_contact": fmt.yes_no,
        "phone": fmt.phone,
        "email": fmt.email,
        "status": fmt.lead_status,
        "owner": fmt.user_name,
    }
    add_form_query_rel_fields = {"owner": ASSIGNABLE_USERS}
    edit_form_query_rel_fields = {"owner": ASSIGNABLE_USERS}
    add_form_extra_fields = {
        "status": choice_field(_l("Statut"), STATUSES, "new"),
        "abandon_reason": TextAreaField(_l("Raison de l'abandon"),
                                        validators=[reason_required_when_abandoned, Optional()]),
        # Consent is not edited here: it is recorded on the sheet, with its proof.
        "professional": professional_field(),
    }
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"email": [UniqueContact("email")], "phone": [UniqueContact("phone")]}
    related_views = [InteractionView, AppointmentView, LeadAssignmentView]
    show_exclude_columns = ["name_key"]

    def _get_list_widget(self, filters, **kwargs):
        """The table also knows which rows' phone links need a confirmation (no phone
        consent), for this list and the lead tabs of sources and campaigns."""
        widgets = super()._get_list_widget(filters, **kwargs)
        table = widgets["list"].template_args
        table["call_warnings"] = refused_leads(db.session, table["pks"], "phone",
                                               current_app.config["CRM_COMPANY_IS_B2B"])
        return widgets

    @expose("/list/")
    @has_access
    def list(self):
        """The lead list with its filter bar (simple query parameters, shareable URLs)."""
        args = request.args
        filters, order_column, order_direction = self._list_query(args)
        page = int(args.get("page_LeadView", 0))
        page_size = capped_page_size(int(args.get("psize_LeadView", self.page_size)))
        sm = self.appbuilder.sm
        bulk = {"status": sm.has_access(PERM_SET_STATUS, LEAD_RIGHTS),
                "assign": sm.has_access(PERM_ASSIGN, LEAD_RIGHTS),
                "delete": sm.has_access("can_delete", LEAD)}
        widgets = self._get_list_widget(filters=filters, order_column=order_column,
                                        order_direction=order_direction, page=page,
                                        page_size=page_size, bulk=bulk)
        self.update_redirect()
        return self.render_template(
            self.list_template, title=self.list_title, widgets=widgets,
            filter_values={k: args.get(k, "") for k in FILTER_KEYS},
            filter_labels=self._filter_labels(args), statuses=STATUS_CHOICES,
            has_filters=any(args.get(k) for k in FILTER_KEYS),
        )

    def _list_query(self, args):
        """Filters and order of the list from its query arguments (also used by the sheet's
        previous / next links). Bad values answer 400."""
        try:
            parsed = parse_list_args(args)
        except DomainError as exc:
            abort(400, description=exc.message)
        filters = self._filters.copy()  # cheaper than building the filter catalogue again
        filters.clear_filters()
        if parsed.q:
            filters.add_filter("last_name", LeadSearchFilter, parsed.q)
        if parsed.status:
            filters.add_filter("status", FilterEqual, parsed.status)
        for column, value in (("source_id", parsed.source), ("campaign_id", parsed.campaign),
                              ("owner_id", parsed.owner)):
            if value is not None:
                filters.add_filter(column, FilterEqual, value)
        if parsed.import_batch is not None:
            filters.add_filter("import_batch_id", ImportBatchFilter, parsed.import_batch)
        if parsed.created_from:
            filters.add_filter("created_at", CreatedFromFilter, parsed.created_from)
        if parsed.created_to:
            filters.add_filter("created_at", CreatedToFilter, parsed.created_to)
        # The list refuses an unknown order column (400).
        return filters, parsed.order_column, parsed.order_direction

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The lead sheet: header, quick actions, the whole timeline."""
        lead = self.datamodel.get(pk, self._base_filters) if str(pk).isdigit() else None
        if lead is None:
            abort(404)
        page = self.render_template("leads/sheet.html",
                                    **sheet_context(lead, self._neighbours(lead)))
        audit_read(SHEET_OPEN, lead.id)  # after rendering: the commit expires the lead
        return page

    def _neighbours(self, lead):
        """Previous / next lead of the list the user came from (its arguments in `back`,
        the lead's position in `i`): same filters and order."""
        position = request.args.get("i", "")
        if not position.isdigit():
            return None, None
        back = request.args.get("back", "")
        filters, order_column, order_direction = self._list_query(MultiDict(parse_qsl(back)))
        if order_column not in self.order_columns:
            return None, None
        filters = filters.get_joined_filters(self._base_filters)
        index = int(position)
        ids = self.datamodel.ids_around(filters, order_column, order_direction, index)
        if lead.id not in ids:
            return None, None
        here = ids.index(lead.id)

        def link(offset):
            neighbour = here + offset
            if 0 <= neighbour < len(ids):
                return url_for("LeadView.show", pk=ids[neighbour], back=back,
                               i=index + offset)
            return None
        return link(-1), link(1)

    def post_add_redirect(self):
        """After creating a lead, open its sheet."""
        created = g.pop("crm_created_id", None)
        return redirect(url_for("LeadView.show", pk=created)) if created else super().post_add_redirect()

    @staticmethod
    def _filter_labels(args):
        """Names of the source, campaign, rep and import chosen in the filter bar."""
        labels = {}
        for key, model in (("source", Source), ("campaign", Campaign), ("owner", User),
                           ("import_batch", ImportBatch)):
            if args.get(key, "").isdigit():
                row = db.session.get(model, int(args[key]))
                labels[key] = str(row.get_full_name() if key == "owner" else row) if row else ""
        return labels

    @expose("/bulk", methods=["POST"])
    @has_access
    @permission_name("bulk")
    def bulk(self):
        """Bulk status change, assignment or deletion of the selected leads."""
        ids = [int(pk) for pk in request.form.getlist("rowid") if pk.isdigit()]
        operation = request.form.get("operation")
        # `next` comes from the form: only an address of this site is followed.
        next_url = request.form.get("next", "")
        back = redirect(next_url if next_url and is_safe_redirect_url(next_url)
                        else url_for("LeadView.list"))
        if not ids:
            flash(_("Sélectionnez au moins un prospect."), "warning")
            return back
        needed = {"status": (PERM_SET_STATUS, LEAD_RIGHTS), "assign": (PERM_ASSIGN, LEAD_RIGHTS),
                  "delete": ("can_delete", LEAD)}.get(operation)
        if needed is None:
            abort(400, description=_("Action inconnue."))
        if not self.appbuilder.sm.has_access(*needed):
            abort(403)
        leads = scope_leads(db.session.query(Lead)).filter(Lead.id.in_(ids)).all()
        if len(leads) != len(set(ids)):
            abort(404)  # some id is unknown, or another rep's lead
        try:
            message, notify = self._run_bulk(operation, leads)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return back
        for lead_id, owner_id in notify:
            enqueue(notify_assignment, lead_id, owner_id)
        flash(message, "success")
        return back

    def _run_bulk(self, operation, leads):
        if operation == "status":
            count = set_status(db.session, leads, request.form.get("status", ""),
                               request.form.get("abandon_reason"),
                               current_app.config["CRM_PHONE_REGION"])
            return _("Statut modifié pour %(count)d prospect(s).", count=count), []
        if operation == "assign":
            owner_id = request.form.get("owner", "")
            owner = db.session.get(User, int(owner_id)) if owner_id.isdigit() else None
            if owner is None or not owner.active:
                raise DomainError(_("Choisissez un commercial actif."))
            changed = assign(db.session, leads, owner, current_user().id)
            message = _("%(count)d prospect(s) attribué(s) à %(name)s.", count=len(changed),
                        name=owner.get_full_name())
            current = current_user()
            return message, [(pk, owner.id) for pk in changed if owner.id != current.id]
        for lead in leads:
            db.session.delete(lead)
        return _("%(count)d prospect(s) supprimé(s).", count=len(leads)), []


def _lookup_phone(value):
    return phone_value(value, current_app.config["CRM_PHONE_REGION"])


class LeadApi(LeadSyncEndpoints, LeadLifecycle, CRMModelRestApi):
    resource_name = "lead"
    class_permission_name = LEAD + "Api"
    label_columns = LABELS
    datamodel = crm_datamodel(Lead)
    base_filters = SCOPE_LEADS
    base_order = ("created_at", "desc")
    allow_browser_login = True
    list_columns = ["id", "first_name", "last_name", "email", "phone", "company", "status",
                    "source.id", "source.name", "campaign.id", "campaign.name", "owner.id",
                    "owner.username", "created_at", "converted_at"]
    show_columns = list_columns + ["note", "abandon_reason", "first_contacted_at", "updated_at",
                                   "utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid",
                                   "external_id", "consent_contact", "consent_at"]
    openapi_shown_extra = {"consents": CONSENTS_SCHEMA}
    edit_columns = ["first_name", "last_name", "email", "phone", "company", "status",
                    "abandon_reason", "note", "source", "campaign", "owner", "consent_contact",
                    "utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid"]
    # A consent given elsewhere keeps its date (proof); an edit never rewrites it.
    add_columns = edit_columns + ["consent_at"]
    order_columns = ["created_at", "last_name", "status", "source_id"]
    lookup_filters = {
        "email": ({"eq", "in"}, email_value),
        "phone": ({"eq", "in"}, _lookup_phone),
        "gclid": ({"eq", "in"}, platform_id("gclid")),
        "fbclid": ({"eq", "in"}, platform_id("fbclid")),
        "external_id": ({"eq", "in"}, platform_id("external_id")),
        "updated_at": ({"gt", "lt"}, rfc3339_utc),
    }
    search_columns = ["last_name", "status", "source", "campaign", "owner", "created_at",
                      "import_batch_id", *lookup_filters]
    search_filters = {**LEAD_SEARCH_FILTERS, **IMPORT_BATCH_FILTERS}
    enum_columns = {"status": STATUSES}
    format_columns = {"email": "email"}
    add_query_rel_fields = {"owner": ASSIGNABLE_USERS}
    edit_query_rel_fields = {"owner": ASSIGNABLE_USERS}

    def pre_add(self, item):
        """A consent sent with a new lead is a record (method api) dated as sent, or now;
        the lead's summary columns follow from the records."""
        given, stated_at = item.consent_contact, item.consent_at
        item.consent_contact, item.consent_at = False, None
        super().pre_add(item)
        if given:
            record_states(db.session, item, dict.fromkeys(GENERIC_CHANNELS, "given"), "api",
                          stated_at)

    def pre_update(self, item):
        """consent_contact changed by an edit: given again, or withdrawn, now (records)."""
        changed = inspect(item).attrs.consent_contact.history
        given = item.consent_contact
        if changed.has_changes():
            item.consent_contact = not given  # the records decide the summary
        super().pre_update(item)
        if changed.has_changes():
            record_states(db.session, item, dict.fromkeys(
                GENERIC_CHANNELS, "given" if given else "withdrawn"), "api")

    def pre_get(self, data):
        """The lead's current consent per channel, read-only (channels never recorded are
        absent); the read is audited."""
        super().pre_get(data)
        data["result"]["consents"] = consents_by_channel(db.session, data["id"])
        audit_read(API_READ, data["id"])

    def pre_get_list(self, data):
        """One audit entry per lead of the page (a DPO looks for a person's reads by lead)."""
        super().pre_get_list(data)
        audit_reads(API_READ, data["ids"], via="list")

    def _handle_filters_args(self, rison_args):
        filters = super()._handle_filters_args(rison_args)
        for spec in rison_args.get("filters", []):
            if spec["col"] in ("email", "phone"):  # operators eq and in (lookup_filters)
                value = spec["value"]
                filters.add_filter(spec["col"], ContactIndexed,
                                   tuple(value) if isinstance(value, list) else value)
        return filters
