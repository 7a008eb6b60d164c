"""Template filters and globals shared by the CRM's templates."""
import datetime as dt
import re

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.services.contact import format_phone
from app.services.table_files import euros
from app.timezones import format_local
from models import STATUSES


def status_badge(code):
    label = STATUSES.get(code, code)
    return Markup(f'<span class="label crm-status crm-status-{escape(code)}">{escape(label)}</span>')


_URL = re.compile(r"https?://[^\s<>\"']+")


def plain_text(text):
    """Text as typed (notes, messages, e-mails): escaped, line breaks kept, web addresses made
    links. Any HTML typed in is shown as text."""
    parts, start = [], 0
    text = text or ""
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)")
        end = match.start() + len(url)
        parts.append(escape(text[start:match.start()]))
        parts.append(Markup('<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>')
                     .format(url))
        start = end
    parts.append(escape(text[start:]))
    return Markup("".join(str(p) for p in parts).replace("\n", "<br>"))


def elapsed(start, end):
    """How long from start to end, as a person says it: 45 min, 3 h 20, 2 j 4 h."""
    if start is None or end is None or end < start:
        return ""
    minutes = int((end - start).total_seconds() // 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return _("%(d)d j %(h)d h", d=days, h=hours)
    if hours:
        return _("%(h)d h %(m)02d", h=hours, m=minutes)
    return _("%(m)d min", m=minutes)


def format_day(value):
    """A day as people write it in the current language: « lundi 3 mars »."""
    return format_date(value, "EEEE d MMMM")


def register(app):
    @app.template_filter("phone")
    def phone_filter(value):
        return format_phone(value, current_app.config.get("CRM_PHONE_REGION", "FR"))

    @app.template_filter("local_dt")
    def local_dt(value, fmt="%d/%m/%Y %H:%M"):
        if isinstance(value, str):  # RFC 3339 text, as the RGPD access report carries dates
            value = dt.datetime.fromisoformat(value)
        return format_local(value, fmt)

    @app.template_filter("thousands")
    def thousands(value):
        return f"{int(value):,}".replace(",", "\u202f")

    app.add_template_filter(euros, "euros")

    @app.context_processor
    def appbuilder_context():
        # Pages rendered outside FAB's views (errors) extend FAB's layout too.
        return {"appbuilder": app.appbuilder, "base_template": app.appbuilder.base_template}

    app.add_template_filter(status_badge, "crm_status")
    app.add_template_filter(plain_text, "plain_text")
    app.add_template_global(elapsed, "elapsed")
    app.add_template_filter(format_day, "format_day")
    app.jinja_env.globals["LEAD_STATUSES"] = STATUSES
