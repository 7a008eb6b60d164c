"""Roles, permission names and the project's security manager.

Roles live in configuration (ROLE_PERMISSIONS) as exact (permission, view) pairs and are written
to the database by `flask crm sync-roles`; admins may refine them afterwards in Sécurité > Rôles.
Permission checks load the user's whole permission set once per request (one query) instead of
FAB's query per menu entry and per check.
"""
from flask import current_app, g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import (
    Permission,
    PermissionView,
    Role,
    ViewMenu,
    assoc_group_role,
    assoc_permissionview_role,
    assoc_user_group,
    assoc_user_role,
)
from sqlalchemy import select, union

from app import api_errors, authentication
from app.services import passwords, session_generations

ROLE_ADMIN = "Admin"
ROLE_MANAGER = "Responsable"
ROLE_SALES = "Commercial"
ROLE_MARKETING = "Marketing"
# The data protection officer: answers people's RGPD requests, sees every lead for that only.
ROLE_DPO = "DPO"
CRM_ROLES = (ROLE_ADMIN, ROLE_MANAGER, ROLE_SALES, ROLE_MARKETING, ROLE_DPO)

# View / permission-key names (class_permission_name of the views). Renaming one orphans rows.
LEAD = "Lead"
SOURCE = "Source"
CAMPAIGN = "Campaign"
APPOINTMENT = "Appointment"
INTERACTION = "Interaction"
HOME = "Home"
LOOKUP = "Lookup"
IMPORT = "Import"
INTAKE_LOG = "IntakeLog"
DUPLICATES = "Duplicates"
ASSIGNMENT_RULE = "AssignmentRule"
LEAD_ASSIGNMENT = "LeadAssignment"
LEAD_SHEET = "LeadSheet"
CALENDAR = "Calendar"
LEAD_EXPORT = "LeadExport"
PERFORMANCE = "Performance"
DASHBOARD = "Dashboard"
CAMPAIGN_SPEND = "CampaignSpend"
REPORTS = "Reports"
BOOKING_PAGE = "BookingPage"
LEAD_SHEET_API = "LeadSheetApi"
NOTIFICATIONS = "Notifications"
REMINDERS = "Reminders"
FOLLOWUP_RULE = "FollowUpRule"
EMAIL_TEMPLATE = "EmailTemplate"
USER_PROFILE = "UserProfile"
# The register of processing (RGPD art. 30): Admin and DPO.
PRIVACY_REGISTER = "PrivacyRegister"
# The RGPD requests screen (right of access, request tracking): every lead, unscoped.
DPO = "DPO"
PERM_DPO = "can_access"
AUDIT_LOG = "AuditLog"  # Admin only (Admin receives every permission; no other role lists it)
# A pseudo-view (no screen) for lead rights that are not screens: seeing every lead rather
# than one's own, assigning, changing statuses in bulk. FAB's permission update only prunes
# permissions of real views, so these survive `add_permissions`.
LEAD_RIGHTS = "LeadRights"
PERM_ALL_LEADS = "can_see_all_leads"
PERM_ASSIGN = "can_assign"
PERM_SET_STATUS = "can_set_status"
# On the lead sheet: append a consent record (what the person told a rep).
PERM_CONSENT = "can_consent"
# RGPD erasure of a lead (the sheet's "Effacer (RGPD)"): in no role of ROLE_PERMISSIONS, so only
# Admin holds it until an admin gives it to a data protection officer's role.
LEAD_ERASURE = "LeadErasure"
PERM_ERASE = "can_erase"
# Menu names (permission keys of menu entries); labels are translated separately.
MENU_LEADS = "Leads"
MENU_SOURCES = "Sources"
MENU_CAMPAIGNS = "Campaigns"
MENU_APPOINTMENTS = "Appointments"
MENU_INTERACTIONS = "Interactions"
MENU_IMPORT = "ImportLeads"
MENU_INTAKE_LOG = "IntakeLog"
MENU_DUPLICATES = "Duplicates"
MENU_TOOLS = "Tools"
MENU_CALENDAR = "Calendar"
MENU_PERFORMANCE = "Performance"
MENU_DASHBOARD = "Dashboard"
MENU_STEERING = "Steering"
MENU_SPEND = "SpendImport"
MENU_REPORTS = "Reports"
MENU_BOOKING_PAGES = "BookingPages"
MENU_REMINDERS = "MyReminders"
MENU_NOTIFICATIONS = "MyNotifications"
MENU_FOLLOWUP = "FollowUpRules"
MENU_EMAIL_TEMPLATES = "EmailTemplates"
MENU_USER_PROFILES = "UserProfiles"
MENU_ASSIGNMENT = "AssignmentRules"
MENU_PRIVACY_REGISTER = "PrivacyRegister"
MENU_PRIVACY_REQUESTS = "PrivacyRequests"
MENU_AUDIT_LOG = "AuditLog"

READ = ("can_list", "can_show")
WRITE = ("can_add", "can_edit")
API_READ = ("can_get", "can_info")
API_WRITE = ("can_post", "can_put")


def _pairs(view, *permissions):
    return [(p, view) for p in permissions]


def _menus(*names):
    return [("menu_access", n) for n in names]


_COMMON = (
    _pairs(HOME, "can_index")
    + _pairs(LOOKUP, "can_search")
    + _pairs("UserInfoEditView", "can_this_form_get", "can_this_form_post")
    + _pairs("ResetMyPasswordView", "can_this_form_get", "can_this_form_post")
    + _pairs("UserDBModelView", "can_userinfo", "resetmypassword")
    + _pairs("MenuApi", "can_get")
    + _pairs("OpenApi", "can_get")
    + _pairs(NOTIFICATIONS, "can_list", "can_read", "can_preferences")
    + _pairs(DASHBOARD, "can_list")
    + _pairs(REPORTS, "can_list")
    + _menus(MENU_STEERING, MENU_DASHBOARD, MENU_REPORTS)
)
_SHEET_ALL = ("can_log", "can_note", "can_remind", "can_attach", "can_download", "can_email",
              "can_status", "can_reassign", PERM_CONSENT)
_SHEET_API_ALL = ("can_get", "can_note", "can_remind", "can_attach")

# Working leads day to day (Responsable, Commercial).
_SELLING = (
    _pairs(APPOINTMENT, *READ, *WRITE, "can_delete")
    + _pairs(APPOINTMENT + "Api", *API_READ, *API_WRITE, "can_delete")
    + _pairs(LEAD_ASSIGNMENT, "can_list")
    + _pairs(LEAD_SHEET, *_SHEET_ALL)
    + _pairs(LEAD_SHEET_API, *_SHEET_API_ALL)
    + _pairs(REMINDERS, "can_list")
    + _pairs(CALENDAR, "can_list", "can_subscribe", "can_plan")
    + _pairs(LEAD_EXPORT, "can_export")
    + _menus(MENU_LEADS, MENU_APPOINTMENTS, MENU_INTERACTIONS, MENU_REMINDERS, MENU_CALENDAR)
)
# Campaigns, what they cost and what they bring (Responsable, Marketing).
_CAMPAIGNS = (
    _pairs(CAMPAIGN, *READ, *WRITE, "can_delete")
    + _pairs(CAMPAIGN + "Api", *API_READ, *API_WRITE, "can_delete")
    + _pairs(PERFORMANCE, "can_list")
    + _pairs(CAMPAIGN_SPEND, "can_import")
    + _menus(MENU_SOURCES, MENU_CAMPAIGNS, MENU_TOOLS, MENU_INTAKE_LOG, MENU_PERFORMANCE,
             MENU_SPEND)
)

ROLE_PERMISSIONS = {
    ROLE_MANAGER: _COMMON + _SELLING + _CAMPAIGNS
    + _pairs(LEAD, *READ, *WRITE, "can_delete", "can_bulk")
    + _pairs(LEAD + "Api", *API_READ, *API_WRITE, "can_delete")
    + _pairs(LEAD_RIGHTS, PERM_ALL_LEADS, PERM_ASSIGN, PERM_SET_STATUS)
    + _pairs(SOURCE, *READ, *WRITE, "can_delete")
    + _pairs(SOURCE + "Api", *API_READ, *API_WRITE, "can_delete")
    + _pairs(INTERACTION, *READ, *WRITE, "can_delete")
    + _pairs(INTERACTION + "Api", *API_READ, *API_WRITE, "can_delete")
    + _pairs(IMPORT, "can_import", "can_undo")
    + _pairs(INTAKE_LOG, *READ, "can_replay")
    + _pairs(DUPLICATES, "can_list", "can_merge")
    + _pairs(ASSIGNMENT_RULE, *READ, *WRITE, "can_delete")
    + _pairs(BOOKING_PAGE, *READ, *WRITE, "can_delete")
    + _menus(MENU_IMPORT, MENU_DUPLICATES, MENU_ASSIGNMENT, MENU_BOOKING_PAGES),
    ROLE_SALES: _COMMON + _SELLING
    + _pairs(LEAD, *READ, *WRITE, "can_bulk")
    + _pairs(LEAD_RIGHTS, PERM_SET_STATUS)
    + _pairs(LEAD + "Api", *API_READ, *API_WRITE)
    + _pairs(INTERACTION, *READ, *WRITE)
    + _pairs(INTERACTION + "Api", *API_READ, *API_WRITE),
    ROLE_MARKETING: _COMMON + _CAMPAIGNS
    + _pairs(LEAD, *READ)
    + _pairs(LEAD + "Api", *API_READ)
    + _pairs(LEAD_RIGHTS, PERM_ALL_LEADS)
    + _pairs(SOURCE, *READ, *WRITE)
    + _pairs(SOURCE + "Api", *API_READ, *API_WRITE)
    + _pairs(INTAKE_LOG, *READ)
    + _pairs(LEAD_SHEET, "can_download")
    + _pairs(LEAD_SHEET_API, "can_get")
    + _pairs(LEAD_EXPORT, "can_export")
    + _menus(MENU_LEADS),
    # The DPO answers requests about any person: every lead (for that screen only), erasure,
    # the register of processing.
    ROLE_DPO: _COMMON + _pairs(DPO, PERM_DPO) + _pairs(LEAD_RIGHTS, PERM_ALL_LEADS)
    + _pairs(LEAD_ERASURE, PERM_ERASE) + _pairs(PRIVACY_REGISTER, "can_show", "can_edit")
    + _menus(MENU_TOOLS, MENU_PRIVACY_REQUESTS, MENU_PRIVACY_REGISTER),
}


def granted_pairs(session, user_id, public_role=None):
    """Every (permission, view) pair of a user's roles (given directly or through groups), or
    of the public role when user_id is None. Requests cache it; jobs build their Viewer on it."""
    query = (
        session.query(Permission.name, ViewMenu.name)
        .select_from(PermissionView)
        .join(Permission, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
        .join(
            assoc_permissionview_role,
            assoc_permissionview_role.c.permission_view_id == PermissionView.id,
        )
    )
    if user_id is None:
        query = query.join(Role, Role.id == assoc_permissionview_role.c.role_id).filter(
            Role.name == public_role
        )
    else:
        role_ids = union(
            select(assoc_user_role.c.role_id).where(assoc_user_role.c.user_id == user_id),
            select(assoc_group_role.c.role_id)
            .join(assoc_user_group, assoc_user_group.c.group_id == assoc_group_role.c.group_id)
            .where(assoc_user_group.c.user_id == user_id),
        )
        query = query.filter(assoc_permissionview_role.c.role_id.in_(role_ids))
    return frozenset(query.all())


class CRMSecurityManager(SecurityManager):
    """FAB's SQLA security manager with permission sets cached per request, sessions and
    tokens revocable server-side, logins throttled per account and the password policy applied
    to every way of setting a password."""

    def register_views(self):
        from views.account import ResetMyPasswordView
        from views.security_screens import SECURITY_SCREENS

        self.resetmypasswordview = ResetMyPasswordView
        for attribute, view in SECURITY_SCREENS.items():
            setattr(self, attribute, view)
        super().register_views()
        if current_app.config["AUTH_RATE_LIMITED"]:
            api = next(v for v in self.appbuilder.baseviews if isinstance(v, self.security_api))
            authentication.limit_logins(self.limiter, self.auth_rate_limit,
                                        self.auth_view.blueprint, api.blueprint)

    @property
    def is_auth_limited(self):
        # FAB's own limit (the form only, per address, an English message) gives way to ours.
        return False

    def create_jwt_manager(self, app):
        manager = super().create_jwt_manager(app)
        manager.additional_claims_loader(authentication.token_claims)
        manager.token_in_blocklist_loader(lambda _header, data: authentication.token_is_revoked(data))
        manager.revoked_token_loader(authentication.revoked_token_response)
        api_errors.register_jwt(manager)
        return manager

    def load_user(self, pk):
        """Flask-Login's loader: a session cookie of an older generation, or of an inactive
        user, is anonymous (the user and the generation are read in one query)."""
        user = authentication.session_user(int(pk)) if str(pk).isdigit() else None
        return user if user is not None and user.is_active else None

    def load_user_jwt(self, _jwt_header, jwt_data):
        # JWTs carry their generation in a claim, checked by the blocklist loader.
        user = super().load_user(jwt_data["sub"])
        if user is not None:
            g.user = user
            authentication.remember_actor(user)
        return user

    def on_user_logout(self, user):
        session_generations.revoke(self.session, user.id)
        self.session.commit()

    def add_user(self, username, first_name, last_name, email, role=None, password="",
                 hashed_password="", **kwargs):
        if password and not hashed_password:
            self.check_password_policy(password)
        return super().add_user(username, first_name, last_name, email, role, password,
                                hashed_password, **kwargs)

    def reset_password(self, userid, password):
        self.check_password_policy(password)
        super().reset_password(userid, password)

    def check_password_policy(self, password):
        """DomainError (translated) when the configured policy refuses `password`."""
        if current_app.config.get("FAB_PASSWORD_COMPLEXITY_ENABLED"):
            passwords.check_strength(
                password, current_app.config.get("FAB_PASSWORD_COMPLEXITY_VALIDATOR"))

    def _permission_set(self, user):
        cache = g.setdefault("_crm_permissions", {}) if has_request_context() else {}
        key = getattr(user, "id", None)
        if key not in cache:
            cache[key] = self.load_permission_set(user)
        return cache[key]

    def load_permission_set(self, user):
        """Every (permission, view) pair of the user's roles, in one query."""
        if user is None or not user.is_authenticated:
            return granted_pairs(self.session, None, public_role=self.auth_role_public)
        return granted_pairs(self.session, user.id)

    def _has_view_access(self, user, permission_name, view_name):
        return (permission_name, view_name) in self._permission_set(user)

    def is_item_public(self, permission_name, view_name):
        return (permission_name, view_name) in self._permission_set(None)

    def _get_user_permission_view_menus(self, user, permission_name, view_menus_name):
        granted = self._permission_set(user)
        return {name for name in view_menus_name if (permission_name, name) in granted}

    def user_can(self, permission_name, view_name):
        """has_access for code that is not a view (filters, services' callers)."""
        return self.has_access(permission_name, view_name)
