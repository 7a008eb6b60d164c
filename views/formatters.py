"""How values are shown in lists and detail pages."""
from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.services.contact import format_phone
from app.templating import status_badge
from app.timezones import format_local
from models import APPOINTMENT_STATUSES, DIRECTIONS, KINDS, PLATFORMS, SOURCE_KINDS


def datetime_local(value):
    return format_local(value)


def yes_no(value):
    return _("Oui") if value else _("Non")


def date_only(value):
    return value.strftime("%d/%m/%Y") if value else ""


def phone(value):
    if not value:
        return ""
    region = current_app.config.get("CRM_PHONE_REGION", "FR")
    return Markup(f'<a href="tel:{escape(value)}">{escape(format_phone(value, region))}</a>')


def email(value):
    return Markup(f'<a href="mailto:{escape(value)}">{escape(value)}</a>') if value else ""


def label_from(choices):
    def _label(value):
        return str(choices.get(value, value or ""))
    return _label


def lead_link(lead):
    if not lead:
        return ""
    return Markup(f'<a href="{url_for("LeadView.show", pk=lead.id)}">{escape(lead.full_name)}</a>')


def user_name(user):
    return user.get_full_name() if user else ""


lead_status = status_badge
appointment_status_label = label_from(APPOINTMENT_STATUSES)
kind_label = label_from(KINDS)
direction_label = label_from(DIRECTIONS)
platform_label = label_from(PLATFORMS)
source_kind_label = label_from(SOURCE_KINDS)
