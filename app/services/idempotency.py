"""`Idempotency-Key` on the API's POSTs: a retry with the same key by the same user within
the retention period gets the first answer back and creates nothing.

The caller claims the key (and commits) before running the request, so that the unique
(user, key) index lets only one of two simultaneous requests through; it then stores the
answer. A request that failed with a server error releases its key, so it can be retried.
"""
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.services.errors import ConflictError, DomainError
from models import IdempotencyKey
from models.base import utcnow

RETENTION = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class KeyReused(DomainError):
    """The key was sent before with another request."""

    status = 422


class KeyInUse(ConflictError):
    """The key's first request has not answered yet."""


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: str


def fingerprint(method, path, body):
    """What makes two requests the same: method, path and body (JSON compared by content, so
    that a retry serialised with other key order or spacing is still the same request)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def check_key(key):
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise DomainError(_("En-tête Idempotency-Key invalide : 1 à %(max)d caractères ASCII "
                            "imprimables.", max=MAX_KEY_LENGTH), field="Idempotency-Key")


def claim(session, user_id, key, print_, now=None):
    """The stored key of a request made before (a Replay), or None once this request holds
    the key (the caller commits before running it). KeyReused when the key was used for
    another request, KeyInUse while its first request is still running."""
    check_key(key)
    now = now or utcnow()
    session.query(IdempotencyKey).filter(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
        IdempotencyKey.created_at <= now - RETENTION).delete(synchronize_session=False)
    row = _stored(session, user_id, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(IdempotencyKey(user_id=user_id, key=key, fingerprint=print_,
                                           created_at=now))
            return None
        except IntegrityError:  # claimed by a simultaneous request in between
            row = _stored(session, user_id, key)
            if row is None:  # ... which failed and released it since
                raise _in_use() from None
    if row.fingerprint != print_:
        raise KeyReused(_("Cette clé Idempotency-Key a déjà servi pour une autre requête : "
                          "choisissez une nouvelle clé pour une nouvelle requête."),
                        field="Idempotency-Key")
    if row.status_code is None:
        raise _in_use()
    return Replay(row.status_code, row.response_body)


def _in_use():
    return KeyInUse(_("Une requête avec cette clé Idempotency-Key est en cours : réessayez dans "
                      "un instant."), field="Idempotency-Key")


def _stored(session, user_id, key):
    return session.query(IdempotencyKey).filter_by(user_id=user_id, key=key).one_or_none()


def store(session, user_id, key, status_code, body):
    """Keep the answer to replay; a server error releases the key instead."""
    row = _stored(session, user_id, key)
    if row is None:
        return
    if status_code >= 500:
        session.delete(row)
    else:
        row.status_code, row.response_body = status_code, body


def purge_expired_keys(session, now=None):
    """Remove the keys past their retention; returns how many."""
    cutoff = (now or utcnow()) - RETENTION
    return session.query(IdempotencyKey).filter(
        IdempotencyKey.created_at <= cutoff).delete(synchronize_session=False)
