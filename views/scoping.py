"""Row-level rules: a user without the all-leads permission sees only their own leads.

Applied as FAB base_filters, so lists, detail pages, edits, deletes, related tabs, the API and
(through CRMModelView) actions all go through the same rule; lookups and form choices call the
same functions.
"""
from flask import current_app
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, or_, select

from app.security import LEAD_RIGHTS, PERM_ALL_LEADS, PERM_ASSIGN
from models import Appointment, Interaction, Lead, LeadAssignment, User


def current_user():
    user = current_app.appbuilder.sm.current_user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def sees_all_leads():
    return current_app.appbuilder.sm.has_access(PERM_ALL_LEADS, LEAD_RIGHTS)


def can_assign():
    return current_app.appbuilder.sm.has_access(PERM_ASSIGN, LEAD_RIGHTS)


def _own_lead_ids(user_id):
    return select(Lead.id).where(Lead.owner_id == user_id)


def _scoped(condition):
    def scope(query):
        if sees_all_leads():
            return query
        user = current_user()
        return query.filter(condition(user.id) if user else false())
    return scope


scope_leads = _scoped(lambda uid: Lead.owner_id == uid)
scope_interactions = _scoped(lambda uid: Interaction.lead_id.in_(_own_lead_ids(uid)))
scope_assignments = _scoped(lambda uid: LeadAssignment.lead_id.in_(_own_lead_ids(uid)))
scope_appointments = _scoped(
    lambda uid: or_(Appointment.owner_id == uid, Appointment.lead_id.in_(_own_lead_ids(uid)))
)


def scope_assignable_users(query):
    """Reps a user may give a lead to: any active user for managers, only oneself otherwise."""
    if can_assign():
        return query.filter(User.active.is_(True))
    user = current_user()
    return query.filter(User.id == (user.id if user else -1))


def _filter(scope):
    class ScopeFilter(BaseFilter):
        name = "row-level scope"
        arg_name = "scope"

        def apply(self, query, value):
            return scope(query)
    return [["id", ScopeFilter, lambda: None]]


SCOPE_LEADS = _filter(scope_leads)
SCOPE_INTERACTIONS = _filter(scope_interactions)
SCOPE_APPOINTMENTS = _filter(scope_appointments)
SCOPE_ASSIGNMENTS = _filter(scope_assignments)
ASSIGNABLE_USERS = _filter(scope_assignable_users)
