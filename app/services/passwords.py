"""The password policy, for every way of setting a password (forms, API, FAB's CLI, ours)."""
import secrets
import string

from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.validators import default_password_complexity

from app.services.errors import DomainError


def check_strength(password, validator=None):
    """Raise DomainError unless `password` passes `validator` (FAB's default policy if None)."""
    try:
        (validator or default_password_complexity)(password or "")
    except PasswordComplexityValidationError as exc:
        raise DomainError(str(exc), field="password")


def generate():
    """A random password that passes FAB's default policy (two capitals, two digits, three
    lower-case letters, a special character, 10+ characters)."""
    pick = secrets.choice
    chars = ([pick(string.ascii_uppercase) for _ in range(3)]
             + [pick(string.digits) for _ in range(3)]
             + [pick(string.ascii_lowercase) for _ in range(8)]
             + [pick("-_.!*@#%")] + list(secrets.token_urlsafe(6)))
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
