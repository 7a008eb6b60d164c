"""Secrets the CRM must give back (a CalDAV password), encrypted with a key derived from
SECRET_KEY: a copy of the database alone does not reveal them."""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _box():
    digest = hashlib.sha256(("crm-secrets:" + current_app.config["SECRET_KEY"]).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text):
    return _box().encrypt(text.encode()).decode()


def unseal(token):
    """The secret, or None if SECRET_KEY changed since it was sealed."""
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
