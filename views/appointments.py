"""Appointments (rendez-vous) screen and API."""
from flask import g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from wtforms.validators import InputRequired, StopValidation

from app.security import APPOINTMENT
from app.services.appointments import check_appointment
from models import APPOINTMENT_STATUSES, Appointment
from models.appointment import ICAL_FIELDS
from views import formatters as fmt
from views.appointment_notices import tell_about
from views.base import CRMModelRestApi, CRMModelView, crm_datamodel
from views.fields import LocalDateTimeField, choice_field
from views.lead_choice import ensure_visible_lead, lead_field
from views.scoping import ASSIGNABLE_USERS, SCOPE_APPOINTMENTS, can_assign, current_user

LABELS = {
    "lead": _l("Prospect"),
    "owner": _l("Commercial"),
    "title": _l("Objet"),
    "starts_at": _l("Début"),
    "ends_at": _l("Fin"),
    "place": _l("Lieu ou lien visio"),
    "status": _l("Statut"),
    "minutes": _l("Compte rendu"),
    "created_at": _l("Créé le"),
}
COLUMNS = ["lead", "owner", "title", "starts_at", "ends_at", "place", "status", "minutes"]


def ends_after_start(form, field):
    """On the form, so that the visitor keeps what they typed (FAB redirects on pre_add errors)."""
    if form.starts_at.data and field.data and field.data <= form.starts_at.data:
        raise StopValidation(_("La fin doit être après le début."))


class AppointmentLifecycle:
    def _check(self, item):
        ensure_visible_lead(item)
        # A rep books for themselves; managers may book for anyone (themselves by default).
        if item.owner is None or not can_assign():
            item.owner = current_user()
        check_appointment(item)

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item)
        state = inspect(item)
        if not any(state.attrs[name].history.has_changes() for name in ICAL_FIELDS):
            g.crm_appointment_change = None  # minutes or lead only: nobody to tell
        elif state.attrs.status.history.has_changes() and item.status == "cancelled":
            g.crm_appointment_change = "cancelled"
        else:
            g.crm_appointment_change = "changed"

    def post_add(self, item):
        tell_about(item, "booked")

    def post_update(self, item):
        tell_about(item, g.pop("crm_appointment_change", None))


class AppointmentView(AppointmentLifecycle, CRMModelView):
    route_base = "/appointments"
    class_permission_name = APPOINTMENT
    datamodel = crm_datamodel(Appointment)
    base_filters = SCOPE_APPOINTMENTS
    base_order = ("starts_at", "desc")
    list_title = _l("Rendez-vous")
    show_title = _l("Rendez-vous")
    add_title = _l("Nouveau rendez-vous")
    edit_title = _l("Modifier le rendez-vous")
    add_row_message = edit_row_message = _l("Rendez-vous enregistré.")
    delete_row_message = _l("Rendez-vous supprimé.")
    label_columns = LABELS
    list_columns = ["starts_at", "ends_at", "lead", "owner", "title", "place", "status"]
    order_columns = ["starts_at", "status"]
    search_columns = ["status", "starts_at", "owner", "title"]
    show_columns = COLUMNS + ["created_at"]
    add_columns = COLUMNS
    edit_columns = COLUMNS
    formatters_columns = {
        "starts_at": fmt.datetime_local,
        "ends_at": fmt.datetime_local,
        "created_at": fmt.datetime_local,
        "status": fmt.appointment_status_label,
        "lead": fmt.lead_link,
        "owner": fmt.user_name,
    }
    add_form_query_rel_fields = {"owner": ASSIGNABLE_USERS}
    edit_form_query_rel_fields = {"owner": ASSIGNABLE_USERS}
    add_form_extra_fields = {
        "lead": lead_field(),
        "starts_at": LocalDateTimeField(_l("Début"), validators=[InputRequired()]),
        "ends_at": LocalDateTimeField(_l("Fin"), validators=[InputRequired(), ends_after_start]),
        "status": choice_field(_l("Statut"), APPOINTMENT_STATUSES, "planned"),
    }
    edit_form_extra_fields = add_form_extra_fields

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        if request.method == "GET" and form.owner.data is None:
            form.owner.data = current_user()  # one's own appointment, unless a manager changes it
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)


class AppointmentApi(AppointmentLifecycle, CRMModelRestApi):
    resource_name = "appointment"
    class_permission_name = APPOINTMENT + "Api"
    label_columns = LABELS
    datamodel = crm_datamodel(Appointment)
    base_filters = SCOPE_APPOINTMENTS
    base_order = ("starts_at", "desc")
    list_columns = ["id", "lead.id", "lead.last_name", "owner.id", "owner.username", "title",
                    "starts_at", "ends_at", "place", "status"]
    show_columns = list_columns + ["minutes"]
    add_columns = ["lead", "owner", "title", "starts_at", "ends_at", "place", "status", "minutes"]
    edit_columns = add_columns
    order_columns = ["starts_at", "status"]
    search_columns = ["status", "starts_at", "owner", "lead"]
    enum_columns = {"status": APPOINTMENT_STATUSES}
    add_query_rel_fields = {"owner": ASSIGNABLE_USERS}
    edit_query_rel_fields = {"owner": ASSIGNABLE_USERS}
