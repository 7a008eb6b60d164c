"""The request's side of `Idempotency-Key` (app/services/idempotency.py holds the rule)."""
import functools
import hashlib

from flask import make_response, request

from app.extensions import db
from app.services.errors import DomainError
from app.services.idempotency import claim, fingerprint, store
from views.scoping import current_user

HEADER = "Idempotency-Key"
# How the OpenAPI document declares it on each POST that honours it.
PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "Une nouvelle requête rejouée avec la même clé dans les 24 h renvoie la "
                   "première réponse sans rien créer de nouveau."}


def _body():
    """The request's content. A multipart body is read as its fields and files' digests:
    its boundary changes on every retry."""
    if request.mimetype != "multipart/form-data":
        return request.get_data(cache=True)
    parts = sorted(request.form.items(multi=True))
    for name, upload in sorted(request.files.items(multi=True)):
        parts.append((name, upload.filename, hashlib.sha256(upload.read()).hexdigest()))
        upload.seek(0)
    return repr(parts).encode()


def idempotent(handler):
    """A POST handler of a FAB API (after @protect): with an Idempotency-Key header, the first
    answer is stored and replayed to a retry by the same user; without one, nothing changes."""
    @functools.wraps(handler)
    def run(api, *args, **kwargs):
        key = request.headers.get(HEADER)
        user = current_user()
        if key is None or user is None:
            return handler(api, *args, **kwargs)
        try:
            replay = claim(db.session, user.id, key,
                           fingerprint(request.method, request.path, _body()))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return api.response(exc.status, message=exc.message)
        if replay is not None:
            response = make_response(replay.body, replay.status_code)
            response.headers.update({"Content-Type": "application/json; charset=utf-8",
                                     "Idempotent-Replayed": "true"})
            return response
        try:
            response = handler(api, *args, **kwargs)
        except Exception:
            db.session.rollback()
            store(db.session, user.id, key, 500, None)  # releases the key for a retry
            db.session.commit()
            raise
        store(db.session, user.id, key, response.status_code, response.get_data(as_text=True))
        db.session.commit()
        return response
    return run
