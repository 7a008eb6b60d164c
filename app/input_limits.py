"""Limits on what a request may carry, so that hostile input answers 4xx instead of raising
deep inside a library (a 500)."""
import re

from flask import abort, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from app.body_limits import LimitedRequest

_INT_ARG = re.compile(r"^(page|psize)_")
# The smallest integer column of the supported databases (PostgreSQL's INTEGER): an id or a
# value beyond it makes the database raise instead of finding nothing.
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1
# The highest page a list or API serves: its offset stays far inside a 64-bit integer.
MAX_PAGE = 999_999_999
MAX_RISON_DEPTH = 32
_LONG_NUMBER = re.compile(r"\d{100}")


class InvalidInput(BadRequest):
    """A 400 whose text is its translated description (FAB's API answers with str(exc))."""

    def __str__(self):
        return self.description


def in_db_int_range(value):
    return DB_INT_MIN <= value <= DB_INT_MAX


def db_id(value):
    """`value` (text or int) as a row id a database can look up, else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= DB_INT_MAX:
        return value
    return None


def validate_paging_args():
    """Before every request: page_* and psize_* must be non-negative integers."""
    for name, value in request.args.items(multi=True):
        if _INT_ARG.match(name) and not (value.isdigit() and len(value) < 10):
            abort(400, description=_("Paramètre de pagination invalide : %(name)s", name=name))


def validate_query_text():
    """Before every request: no number of 100 digits or more in the query string (Python
    refuses to convert one of 4,300: a ValueError deep in a parser), and on the API a rison `q`
    nesting at most MAX_RISON_DEPTH levels (FAB's parser recurses and would overflow the stack)."""
    for name, value in request.args.items(multi=True):
        if _LONG_NUMBER.search(value):
            abort(400, description=_("Nombre trop long : %(name)s", name=name[:40]))
    if request.path.startswith("/api/") and rison_depth(request.args.get("q", "")) > MAX_RISON_DEPTH:
        abort(400, description=_("Paramètre q trop imbriqué."))


def rison_depth(text):
    """How deep the brackets of a rison text nest, quoted strings ('...', ! escapes) aside."""
    depth = deepest = 0
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "!" and quoted:
            escaped = True
        elif char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and char == ")":
            depth -= 1
    return deepest



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


class CRMRequest(LimitedRequest):
    """Each route's body limit (LimitedRequest), and invalid JSON as a French 400."""

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
