"""Safe parsing of request arguments (FAB's own parsers answer `psize_X=abc` with a 500)."""
import re

from flask import abort, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

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


def capped_page_size(page_size):
    limit = current_app.config.get("CRM_MAX_PAGE_SIZE", 100)
    if page_size is None:
        return None
    return max(1, min(int(page_size), limit))


def day_arg(name, default):
    """A day from the query string (YYYY-MM-DD), the default if absent; 400 if invalid."""
    from app.services.lead_list import parse_day

    text = request.args.get(name)
    if not text:
        return default
    value = parse_day(text)
    if value is None:
        abort(400, description=_("Date invalide : %(value)s", value=text[:20]))
    return value.date()
