"""Unsubscribe links: a signed token naming a lead and a channel, and what following it does
(a "withdrawn" consent record with its proof, and the contact on the suppression list)."""
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from app.services.errors import DomainError
from app.services.privacy.consent import current, record_consent
from app.services.privacy.suppression import suppress
from models import Lead
from models.consent import CHANNELS

SALT = "crm-unsubscribe"
PATH = "/desinscription/"
STOPPED = ("withdrawn", "refused")
# The lead's contact that goes on the suppression list when a channel is stopped.
CONTACT_OF = {"email": "email", "sms": "phone", "phone": "phone"}


def _signer(secret_key):
    return TimestampSigner(secret_key, salt=SALT)


def make_token(secret_key, lead_id, channel):
    """"<lead id>-<channel>.<time>.<signature>": short and made of characters an e-mail
    address's local part accepts (the mailto link carries it)."""
    return _signer(secret_key).sign(f"{lead_id}-{channel}").decode()


def read_token(secret_key, token, max_age_seconds):
    """(lead id, channel) of a token; DomainError if it was changed or is too old."""
    invalid = DomainError(_("Ce lien de désinscription n'est pas valide. Copiez le lien complet "
                            "de l'e-mail reçu, ou répondez à cet e-mail pour vous désinscrire."))
    try:
        value = _signer(secret_key).unsign(token, max_age=max_age_seconds).decode()
    except SignatureExpired:
        raise DomainError(_("Ce lien de désinscription a expiré. Répondez à l'un de nos e-mails "
                            "pour ne plus en recevoir.")) from None
    except (BadSignature, UnicodeError):
        raise invalid from None
    lead_id, _dash, channel = value.partition("-")
    if not lead_id.isdigit() or channel not in CHANNELS:
        raise invalid
    return int(lead_id), channel


def unsubscribe_links(secret_key, base_url, lead_id, channel, mailto_address=None):
    """(https link, mailto link or None) for the List-Unsubscribe header and the footer."""
    token = make_token(secret_key, lead_id, channel)
    url = base_url.rstrip("/") + PATH + token
    if not mailto_address or "@" not in mailto_address:
        return url, None
    local, _at, domain = mailto_address.rpartition("@")
    return url, f"mailto:{local}+{token}@{domain}?subject=unsubscribe"


def is_unsubscribed(session, lead_id, channel):
    record = current(session, lead_id).get(channel)
    return record is not None and record.state in STOPPED


def unsubscribe(session, lead_id, channel, ip_address=None, user_agent=None):
    """Record the withdrawal (once: a second click adds nothing) and suppress the contact.
    Returns the lead, or None when it no longer exists (nothing is sent to it any more)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        return None
    if not is_unsubscribed(session, lead_id, channel):
        record_consent(session, lead, channel, "withdrawn", "unsubscribe",
                       ip_address=(ip_address or "")[:45] or None,
                       user_agent=(user_agent or "")[:500] or None)
    kind = CONTACT_OF.get(channel)
    if kind:
        suppress(session, **{kind: getattr(lead, kind)})
    return lead


def masked_email(address):
    """"m•••@exemple.fr": enough for the person to recognise their address, little for
    whoever else holds the link."""
    if not address or "@" not in address:
        return ""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}•••@{domain}"
