"""User accounts created by the CLI (admin, demo reps)."""
from app.services import passwords
from app.services.errors import DomainError


def ensure_user(sm, username, email, first_name, last_name, role_name, password=None):
    """Return (user, password or None): the password is returned only when one was generated."""
    user = sm.find_user(username=username)
    if user is not None:
        return user, None
    generated = None
    if not password:
        generated = password = passwords.generate()
    role = sm.find_role(role_name)
    if role is None:
        raise DomainError(f"Role {role_name} does not exist: run `flask crm init` first.")
    user = sm.add_user(username, first_name, last_name, email, role, password=password)
    if not user:
        raise DomainError(f"Could not create user {username} (e-mail already used?).")
    return user, generated
