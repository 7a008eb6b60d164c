"""Server-side revocation of a user's sessions and tokens. Each login carries the user's current
generation (session cookie, JWT claims); replacing the stored value makes every earlier one fail
its check on the next request, in every process, since the value lives in the database.

A new password, deactivation and a change of roles or groups (or of the roles of a group the
user is in) replace it at flush time, whatever wrote the change (FAB's forms, `flask fab reset-password`, our CLI), so no caller can forget."""
import secrets

from flask_appbuilder.security.sqla.models import Group, User
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from models import SessionGeneration

# A user who never had theirs replaced shares this value until the first replacement.
INITIAL = "0"
_REVOKING_CHANGES = ("password", "active", "roles", "groups")


def current(session, user_id):
    row = session.get(SessionGeneration, user_id)
    return row.value if row is not None else INITIAL


def user_with_generation(session, user_id):
    """(the user, their current generation) in one query, since every request needs both;
    (None, None) for an unknown id."""
    row = session.query(User, SessionGeneration.value).outerjoin(
        SessionGeneration, SessionGeneration.user_id == User.id).filter(User.id == user_id).first()
    return (None, None) if row is None else (row[0], row[1] or INITIAL)


def revoke(session, user_id):
    """End every session and token of this user (at the caller's commit)."""
    session.merge(SessionGeneration(user_id=user_id, value=secrets.token_hex(16)))


@event.listens_for(Session, "before_flush")
def _revoke_on_account_change(session, _context, _instances):
    for item in list(session.dirty):
        if isinstance(item, User):
            state = inspect(item)
            if any(state.attrs[name].history.has_changes() for name in _REVOKING_CHANGES):
                revoke(session, item.id)
        elif isinstance(item, Group):
            attrs = inspect(item).attrs
            members = attrs.users.history
            touched = set(members.added) | set(members.deleted)
            if attrs.roles.history.has_changes():
                touched |= set(item.users)
            for member in touched:
                revoke(session, member.id)
