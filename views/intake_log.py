"""Journal des entrées: every webhook delivery, its outcome, and replay of failed ones."""

from flask import current_app, flash, redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.security import INTAKE_LOG
from app.services.errors import DomainError, RemoteError
from jobs.intake import PARSERS, take_delivery
from models import CHANNELS, DELIVERY_STATUSES, IntakeDelivery
from views import formatters as fmt
from views.base import CRMModelView, crm_datamodel
from views.scoping import scope_filter


def payload(body):
    if body is None:
        return _("Contenu supprimé (conservation %(days)d jours).",
                 days=current_app.config["CRM_PURGE_IMPORT_DAYS"])
    return body


class IntakeDeliveryView(CRMModelView):
    route_base = "/intake"
    class_permission_name = INTAKE_LOG
    datamodel = crm_datamodel(IntakeDelivery)
    base_permissions = ["can_list", "can_show", "can_replay"]
    base_order = ("received_at", "desc")
    base_filters = scope_filter(IntakeDelivery)
    list_title = show_title = _l("Journal des entrées")
    show_template = "intake/show.html"
    label_columns = {"received_at": _l("Reçue le"), "channel": _l("Canal"), "source": _l("Source"),
                     "status": _l("Résultat"), "message": _l("Détail"), "lead": _l("Prospect"),
                     "body": _l("Contenu reçu"), "remote_addr": _l("Adresse IP"),
                     "external_id": _l("Identifiant sur la plateforme"),
                     "attempts": _l("Traitements"), "processed_at": _l("Traitée le"),
                     "replay_count": _l("Renvois de la plateforme"),
                     "last_seen_at": _l("Dernier renvoi le")}
    list_columns = ["received_at", "channel", "source", "status", "message", "lead"]
    show_columns = ["received_at", "channel", "source", "external_id", "status", "message", "lead",
                    "attempts", "processed_at", "replay_count", "last_seen_at", "remote_addr",
                    "body"]
    search_columns = ["channel", "status", "source", "received_at"]
    order_columns = ["received_at"]
    formatters_columns = {"received_at": fmt.datetime_local, "processed_at": fmt.datetime_local,
                          "last_seen_at": fmt.datetime_local,
                          "channel": fmt.label_from(CHANNELS), "status": fmt.label_from(DELIVERY_STATUSES),
                          "lead": fmt.lead_link, "body": payload}

    @expose("/replay/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("replay")
    def replay(self, pk):
        delivery = self.get_scoped_item(pk)
        if delivery.status not in ("failed", "received") or delivery.channel not in PARSERS:
            flash(_("Seule une entrée en échec peut être rejouée."), "warning")
        elif delivery.body is None:
            flash(_("Contenu supprimé (conservation %(days)d jours) : cette entrée ne peut plus "
                    "être rejouée.", days=current_app.config["CRM_PURGE_IMPORT_DAYS"]), "warning")
        else:
            try:
                take_delivery(delivery)
                flash(_("Entrée rejouée : %(status)s", status=delivery.status_label()), "success")
            except (DomainError, RemoteError):
                flash(_("Échec à nouveau : %(error)s", error=delivery.message), "danger")
        return redirect(url_for("IntakeDeliveryView.show", pk=pk))
