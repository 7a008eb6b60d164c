"""Request arguments that views read: page sizes within the cap, days."""
from flask import abort, current_app, request
from flask_babel import gettext as _

from app.timezones import parse_day


def capped_page_size(page_size):
    limit = current_app.config.get("CRM_MAX_PAGE_SIZE", 100)
    if page_size is None:
        return None
    return max(1, min(int(page_size), limit))


def day_arg(name, default):
    """A day from the query string (YYYY-MM-DD), the default if absent; 400 if invalid."""
    text = request.args.get(name)
    if not text:
        return default
    value = parse_day(text)
    if value is None:
        abort(400, description=_("Date invalide : %(value)s", value=text[:20]))
    return value.date()
