"""The request's side of the row-level rule (app/services/viewer.py holds the rule itself).

`current_viewer()` comes from the security manager's permission set, cached per request;
the filters below are thin FAB base_filters adapters, so lists, detail pages, edits, deletes,
related tabs, form choices, the API and its `_info` values all call the same service.
"""
from flask import current_app
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual

from app.services import viewer as rule
from models import Appointment, Interaction, Lead, LeadAssignment, User


def current_user():
    user = current_app.appbuilder.sm.current_user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def current_viewer():
    """The Viewer of this request (anonymous when nobody is logged in), derived from the
    permission set the security manager loads once per request."""
    user = current_user()
    if user is None or not user.is_active:
        return rule.ANONYMOUS
    return rule.Viewer.from_permissions(user.id, current_app.appbuilder.sm._permission_set(user))


def sees_all_leads():
    return current_viewer().sees_all_leads


def can_assign():
    return current_viewer().can_assign


def scoped(query, model):
    """`query` of `model` narrowed to what the request's viewer may see."""
    return rule.scope(query, model, current_viewer())


def scope_leads(query):
    return scoped(query, Lead)


def scope_assignable_users(query):
    return scoped(query, User)


def scope_filter(model):
    """FAB base_filters applying the row-level rule of `model` (a model without one: none)."""
    if not rule.is_scoped(model):
        return []

    class ScopeFilter(BaseFilter):
        name = "row-level scope"
        arg_name = "scope"

        def apply(self, query, value):
            return scoped(query, model)
    return [["id", ScopeFilter, lambda: None]]


SCOPE_LEADS = scope_filter(Lead)
SCOPE_INTERACTIONS = scope_filter(Interaction)
SCOPE_APPOINTMENTS = scope_filter(Appointment)
SCOPE_ASSIGNMENTS = scope_filter(LeadAssignment)
ASSIGNABLE_USERS = scope_filter(User)
# Colleagues to name where no lead is given (who follows a campaign): any active user.
ACTIVE_USERS = [["active", FilterEqual, True]]
