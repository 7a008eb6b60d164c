"""The suppression list: SHA-256 digests of the normalised e-mails and phones of people who
withdrew or were erased. Only digests are kept, so the list itself holds no personal data, and
an automated entrance (import, webhook, form, API) can still tell it must not revive a consent."""
import hashlib

from sqlalchemy import or_

from app.services.contact import normalise_email, normalise_phone
from app.services.errors import DomainError
from models import Suppression


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()


def digests(email=None, phone=None, region="FR"):
    """{kind: digest} of the values that normalise; an unusable value is left out."""
    found = {}
    for kind, raw, normalise in (("email", email, normalise_email),
                                 ("phone", phone, lambda v: normalise_phone(v, region))):
        try:
            value = normalise(raw)
        except DomainError:
            value = None
        if value:
            found[kind] = _digest(value)
    return found


def suppress(session, email=None, phone=None, reason="withdrawn", region="FR"):
    """Add the person's e-mail and phone to the list (a digest already there stays as it is)."""
    suppress_all(session, [(email, phone)], reason, region)


def suppress_all(session, people, reason="withdrawn", region="FR"):
    """`suppress` for many people at once [(email, phone)]: one query per 500 digests."""
    wanted = {}
    for email, phone in people:
        wanted.update({digest: kind for kind, digest in digests(email, phone, region).items()})
    found = sorted(wanted)
    for start in range(0, len(found), 500):
        part = found[start:start + 500]
        known = {d for (d,) in session.query(Suppression.digest).filter(
            Suppression.digest.in_(part))}
        session.add_all(Suppression(kind=wanted[d], digest=d, reason=reason)
                        for d in part if d not in known)
    session.flush()


def is_suppressed(session, email=None, phone=None, region="FR"):
    """Whether the e-mail or the phone is on the list."""
    found = list(digests(email, phone, region).values())
    if not found:
        return False
    return session.query(Suppression.id).filter(
        or_(*(Suppression.digest == digest for digest in found))).first() is not None
