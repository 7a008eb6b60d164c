"""How many bytes a request may send. Werkzeug enforces `request.max_content_length` while it
reads the body, chunked bodies (no Content-Length) included, and answers 413 before a view
has written anything. Every route gets MAX_CONTENT_LENGTH; the routes marked with
@body_limit get the config value they name (bigger for files, smaller for public forms)."""
from flask import Request, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

# Room for a file's multipart framing and the other fields of its form.
FORM_OVERHEAD = 64 * 1024
_MARK = "_crm_body_limit"


def body_limit(config_key, overhead=0):
    """Mark a view: its requests may carry `config[config_key] + overhead` bytes."""
    def mark(view):
        setattr(view, _MARK, (config_key, overhead))
        return view
    return mark


class LimitedRequest(Request):
    """Flask's request, whose default limit is the one its route was marked with."""

    @property
    def max_content_length(self):
        if self._max_content_length is None and self.endpoint:
            marked = getattr(current_app.view_functions.get(self.endpoint), _MARK, None)
            if marked:
                config_key, overhead = marked
                return current_app.config[config_key] + overhead
        return Request.max_content_length.fget(self)

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value

    @cached_property
    def stream(self):
        stream = super().stream  # refuses a Content-Length beyond the limit
        limit = self.max_content_length
        if limit is not None and "wsgi.input_terminated" in self.environ:
            return _WholeOrRefused(self.environ["wsgi.input"], limit, is_max=True)
        return stream


class _WholeOrRefused(LimitedStream):
    """Werkzeug's stream stops quietly at the maximum when read in one go (get_data(),
    urlencoded forms): a chunked body beyond it would be cut, then used. Refuse it instead."""

    def readall(self):
        data = super().readall()
        if self.is_exhausted and self._stream.read(1):
            raise RequestEntityTooLarge()
        return data


def too_large_message():
    """The 413's message, naming this route's limit: "64 Ko", "10 Mo"."""
    size = request.max_content_length
    if not size:
        return _("Envoi trop volumineux.")
    if size >= 1024 * 1024:
        return _("Envoi trop volumineux : %(size)s Mo au plus.", size=size // 2**20)
    return _("Envoi trop volumineux : %(size)s Ko au plus.", size=max(size // 1024, 1))
