"""Limits on what a request may carry, so that hostile input answers 4xx instead of raising
deep inside a library (a 500)."""
from flask import Request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from views.request_args import DB_INT_MAX, InvalidInput, validate_paging_args, validate_query_text


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in a route matches only ids a database integer column can hold: beyond, 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON nested deeper than the interpreter's stack is invalid JSON, not a crash."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc


class CRMRequest(Request):
    def on_json_loading_failed(self, e):
        if e is None:  # not declared as JSON: Flask's 415
            return super().on_json_loading_failed(e)
        raise InvalidInput(_("Corps JSON invalide ou trop imbriqué."))


def install(app):
    """Before the views are registered: their `<int:...>` routes take the bounded converter."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.request_class = CRMRequest
    app.json = BoundedJSONProvider(app)


def register(app):
    """After FAB's own hooks, which load the user the error page's menu needs."""
    app.before_request(validate_paging_args)
    app.before_request(validate_query_text)
