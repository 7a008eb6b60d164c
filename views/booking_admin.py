"""Booking pages (menu Outils): who can be booked, when, for how long; the public link."""
import json

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms.validators import NumberRange, Regexp, ValidationError

from app.security import BOOKING_PAGE
from app.services.errors import DomainError
from app.services.mailer import absolute_url
from app.services.slots import parse_hours
from models import DEFAULT_HOURS, BookingPage
from views import formatters as fmt
from views.base import CRMModelView, crm_datamodel


def valid_hours(_form, field):
    try:
        parse_hours(field.data)
    except DomainError as exc:
        raise ValidationError(exc.message)


def quarter_hours(_form, field):
    if field.data is not None and field.data % 15:
        raise ValidationError(_l("Par quarts d'heure : 15, 30, 45…"))


def public_link(slug):
    url = absolute_url(f"/rdv/{slug}")
    return Markup('<a href="{0}" target="_blank" rel="noopener">{0}</a>').format(escape(url))


class BookingPageView(CRMModelView):
    route_base = "/booking-pages"
    class_permission_name = BOOKING_PAGE
    datamodel = crm_datamodel(BookingPage)
    list_title = show_title = _l("Pages de prise de rendez-vous")
    add_title = _l("Nouvelle page de prise de rendez-vous")
    edit_title = _l("Modifier la page de prise de rendez-vous")
    add_row_message = edit_row_message = _l("Page enregistrée.")
    delete_row_message = _l("Page supprimée.")
    label_columns = {
        "slug": _l("Adresse (/rdv/…)"), "title": _l("Titre"), "description": _l("Présentation"),
        "active": _l("Active"), "members": _l("Commerciaux"),
        "working_hours": _l("Horaires"), "slot_minutes": _l("Durée d'un rendez-vous (min)"),
        "buffer_minutes": _l("Pause entre deux rendez-vous (min)"),
        "notice_hours": _l("Délai minimum (heures)"), "horizon_days": _l("Réservable sur (jours)"),
        "place": _l("Lieu ou lien visio"),
    }
    list_columns = ["title", "slug", "active", "members", "slot_minutes"]
    add_columns = edit_columns = ["title", "slug", "description", "active", "members",
                                  "working_hours", "slot_minutes", "buffer_minutes",
                                  "notice_hours", "horizon_days", "place"]
    show_columns = add_columns
    order_columns = ["title", "slug"]
    formatters_columns = {"active": fmt.yes_no, "slug": public_link,
                          "members": lambda users: ", ".join(u.get_full_name() for u in users)}
    description_columns = {
        "slug": _l("Lettres minuscules, chiffres et tirets : « equipe-lyon » donne /rdv/equipe-lyon."),
        "members": _l("Un commercial : sa page. Plusieurs : les réservations sont réparties "
                      "entre ceux qui sont libres."),
        "working_hours": _l('Heure de Paris, par jour (mon, tue, wed, thu, fri, sat, sun), '
                            'par exemple {"mon": "09:00-12:00, 14:00-18:00"}. Un jour absent est '
                            'un jour sans rendez-vous.'),
    }
    validators_columns = {
        "slug": [Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lettres minuscules, chiffres "
                                                                  "et tirets seulement."))],
        "working_hours": [valid_hours],
        "slot_minutes": [NumberRange(min=15, max=480), quarter_hours],
        "buffer_minutes": [NumberRange(min=0, max=240), quarter_hours],
        "notice_hours": [NumberRange(min=0, max=720)],
        "horizon_days": [NumberRange(min=1, max=365)],
    }

    def add_form_get(self, form):
        if not form.working_hours.data:
            form.working_hours.data = json.dumps(DEFAULT_HOURS, ensure_ascii=False)

