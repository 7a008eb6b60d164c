"""Row-level rules: a user without the all-leads permission sees only their own leads.

Applied as FAB base_filters, so lists, detail pages, edits, deletes, related tabs, the API,
and (through CRMModelView) actions all go through the same rule.
"""
from flask import current_app
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, or_, select

from app.security import LEAD_SCOPE, PERM_ALL_LEADS, PERM_ASSIGN, LEAD
from models import Appointment, Interaction, Lead, User


def current_user():
    user = current_app.appbuilder.sm.current_user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def sees_all_leads():
    return current_app.appbuilder.sm.has_access(PERM_ALL_LEADS, LEAD_SCOPE)


def can_assign():
    return current_app.appbuilder.sm.has_access(PERM_ASSIGN, LEAD)


def own_lead_ids(user_id):
    return select(Lead.id).where(Lead.owner_id == user_id)


class _ScopeFilter(BaseFilter):
    name = "row-level scope"
    arg_name = "scope"

    def apply(self, query, value):
        if sees_all_leads():
            return query
        user = current_user()
        if user is None:
            return query.filter(false())
        return query.filter(self.condition(user.id))


class OwnLeadsFilter(_ScopeFilter):
    @staticmethod
    def condition(user_id):
        return Lead.owner_id == user_id


class OwnInteractionsFilter(_ScopeFilter):
    @staticmethod
    def condition(user_id):
        return Interaction.lead_id.in_(own_lead_ids(user_id))


class OwnAppointmentsFilter(_ScopeFilter):
    @staticmethod
    def condition(user_id):
        return or_(Appointment.owner_id == user_id, Appointment.lead_id.in_(own_lead_ids(user_id)))


class AssignableUsersFilter(BaseFilter):
    """Choices of rep in forms: any active user for managers, only oneself for a rep."""

    name = "assignable users"
    arg_name = "assignable"

    def apply(self, query, value):
        if can_assign():
            return query.filter(User.active.is_(True))
        user = current_user()
        return query.filter(User.id == (user.id if user else -1))


SCOPE_LEADS = [["id", OwnLeadsFilter, lambda: None]]
SCOPE_INTERACTIONS = [["id", OwnInteractionsFilter, lambda: None]]
SCOPE_APPOINTMENTS = [["id", OwnAppointmentsFilter, lambda: None]]
ASSIGNABLE_USERS = [["id", AssignableUsersFilter, lambda: None]]
