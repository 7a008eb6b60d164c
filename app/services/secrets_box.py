"""Credentials the CRM must give back to a third party (a CalDAV password, Meta's app secret
and page token), encrypted at rest: a copy of the database alone does not reveal them.

CRM_ENCRYPTION_KEYS lists Fernet keys, newest first: the first seals, any of them opens. A key
derived from SECRET_KEY always comes last, so what was sealed before keys were configured stays
readable until `flask crm rotate-key` re-seals it with the newest key."""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def keyring(config):
    """The configured keys then the SECRET_KEY one; ValueError names a malformed key."""
    keys = []
    for position, key in enumerate(k.strip() for k in config.get("CRM_ENCRYPTION_KEYS", "").split(",")):
        if key:
            try:
                keys.append(Fernet(key))
            except ValueError as exc:
                raise ValueError(f"CRM_ENCRYPTION_KEYS: key {position + 1} is not a Fernet key "
                                 "(32 url-safe base64-encoded bytes)") from exc
    digest = hashlib.sha256(("crm-secrets:" + config["SECRET_KEY"]).encode()).digest()
    return keys + [Fernet(base64.urlsafe_b64encode(digest))]


def seal(text):
    return keyring(current_app.config)[0].encrypt(text.encode()).decode()


def unseal(token):
    """The secret, or None if none of the keys opens it (SECRET_KEY or the keys changed)."""
    try:
        return MultiFernet(keyring(current_app.config)).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def reseal(token):
    """(token sealed with the newest key, outcome): outcome is "current" when it already was,
    "rotated", or "unreadable" (left as it is) when no key opens it."""
    keys = keyring(current_app.config)
    try:
        keys[0].decrypt(token.encode())
        return token, "current"
    except InvalidToken:
        pass
    try:
        return MultiFernet(keys).rotate(token.encode()).decode(), "rotated"
    except InvalidToken:
        return token, "unreadable"
