"""Template filters and globals shared by the CRM's templates."""
from flask import current_app
from markupsafe import Markup, escape

from app.services.contact import format_phone
from app.timezones import format_local
from models import STATUSES


def status_badge(code):
    label = STATUSES.get(code, code)
    return Markup(f'<span class="label crm-status crm-status-{escape(code)}">{escape(label)}</span>')


def register(app):
    @app.template_filter("phone")
    def phone_filter(value):
        return format_phone(value, current_app.config.get("CRM_PHONE_REGION", "FR"))

    @app.template_filter("local_dt")
    def local_dt(value, fmt="%d/%m/%Y %H:%M"):
        return format_local(value, fmt)

    @app.template_filter("thousands")
    def thousands(value):
        return f"{int(value):,}".replace(",", "\u202f")

    @app.context_processor
    def appbuilder_context():
        # Pages rendered outside FAB's views (errors) extend FAB's layout too.
        return {"appbuilder": app.appbuilder, "base_template": app.appbuilder.base_template}

    app.add_template_filter(status_badge, "crm_status")
    app.jinja_env.globals["LEAD_STATUSES"] = STATUSES
