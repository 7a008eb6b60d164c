"""Registers every screen, menu entry and API on an AppBuilder (kept out of views/__init__.py:
`from views import formatters` must not import every view)."""
from flask import current_app
from flask_appbuilder.api.manager import SwaggerView
from flask_babel import lazy_gettext as _l

from app import security as sec
from app.extensions import csrf
from views.appointments import AppointmentApi, AppointmentView
from views.booking import BookingView
from views.booking_admin import BookingPageView
from views.calendar import CalendarFeedView, CalendarView
from views.catalog import CampaignApi, CampaignView, SourceApi, SourceView
from views.assignment import AssignmentMemberView, AssignmentRuleView, LeadAssignmentView
from views.dashboard import DashboardView
from views.duplicates import DuplicatesView
from views.imports import ImportView
from views.intake_log import IntakeDeliveryView
from views.interactions import InteractionApi, InteractionView
from views.followup_admin import EmailTemplateView, FollowUpRuleView, UserProfileView
from views.lead_sheet import LeadSheetView
from views.lead_export import LeadExportView
from views.leads import LeadApi, LeadView
from views.notifications import NotificationView, ReminderView
from views.performance import PerformanceView
from views.privacy.register import RegisterView
from views.privacy.unsubscribe import ONE_CLICK_ENDPOINT, UnsubscribeView
from views.privacy.requests import PrivacyRequestsView
from views.privacy.erasure import LeadErasureView
from views.privacy.audit import AuditLogView
from views.reports import ReportView
from views.spend_import import SpendImportView
from views.sheet_api import LeadSheetApi
from views.lookup import LookupView
from views.openapi import CRMOpenApi
from views.webhooks import WebhookView


def register_views(appbuilder):
    steering = {"category": sec.MENU_STEERING, "category_label": _l("Pilotage"),
                "category_icon": "fa-tachometer-alt"}
    appbuilder.add_view(DashboardView, sec.MENU_DASHBOARD, label=_l("Tableau de bord"),
                        icon="fa-tachometer-alt", **steering)
    appbuilder.add_view(PerformanceView, sec.MENU_PERFORMANCE, label=_l("Performance des campagnes"),
                        icon="fa-chart-line", **steering)
    appbuilder.add_view(ReportView, sec.MENU_REPORTS, label=_l("Rapports"), icon="fa-table",
                        **steering)
    appbuilder.add_view(SpendImportView, sec.MENU_SPEND, label=_l("Importer des dépenses"),
                        icon="fa-file-invoice-dollar", **steering)
    appbuilder.add_view(LeadView, sec.MENU_LEADS, label=_l("Prospects"), icon="fa-address-card")
    appbuilder.add_view(AppointmentView, sec.MENU_APPOINTMENTS, label=_l("Rendez-vous"),
                        icon="fa-calendar")
    appbuilder.add_view(InteractionView, sec.MENU_INTERACTIONS, label=_l("Interactions"),
                        icon="fa-comments")
    appbuilder.add_view(SourceView, sec.MENU_SOURCES, label=_l("Sources"), icon="fa-sign-in-alt")
    appbuilder.add_view(CampaignView, sec.MENU_CAMPAIGNS, label=_l("Campagnes"),
                        icon="fa-bullhorn")
    tools = {"category": sec.MENU_TOOLS, "category_label": _l("Outils"),
             "category_icon": "fa-toolbox"}
    appbuilder.add_view(ImportView, sec.MENU_IMPORT, label=_l("Importer des prospects"),
                        icon="fa-file-import", **tools)
    appbuilder.add_view(IntakeDeliveryView, sec.MENU_INTAKE_LOG, label=_l("Journal des entrées"),
                        icon="fa-inbox", **tools)
    appbuilder.add_view(DuplicatesView, sec.MENU_DUPLICATES, label=_l("Doublons possibles"),
                        icon="fa-clone", **tools)
    appbuilder.add_view(AssignmentRuleView, sec.MENU_ASSIGNMENT, label=_l("Règles d'attribution"),
                        icon="fa-random", **tools)
    appbuilder.add_view(FollowUpRuleView, sec.MENU_FOLLOWUP, label=_l("Relances automatiques"),
                        icon="fa-stopwatch", **tools)
    appbuilder.add_view(EmailTemplateView, sec.MENU_EMAIL_TEMPLATES, label=_l("Modèles d'e-mail"),
                        icon="fa-envelope-open-text", **tools)
    appbuilder.add_view(UserProfileView, sec.MENU_USER_PROFILES, label=_l("Profils des utilisateurs"),
                        icon="fa-id-badge", **tools)
    appbuilder.add_view(PrivacyRequestsView, sec.MENU_PRIVACY_REQUESTS, label=_l("Demandes RGPD"),
                        icon="fa-user-shield", **tools)
    appbuilder.add_view(ReminderView, sec.MENU_REMINDERS, label=_l("Mes rappels"), icon="fa-bell")
    appbuilder.add_view(CalendarView, sec.MENU_CALENDAR, label=_l("Agenda"), icon="fa-calendar-alt")
    appbuilder.add_view(BookingPageView, sec.MENU_BOOKING_PAGES,
                        label=_l("Pages de prise de rendez-vous"), icon="fa-calendar-check", **tools)
    appbuilder.add_view(RegisterView, sec.MENU_PRIVACY_REGISTER,
                        label=_l("Registre des traitements"), icon="fa-book", **tools)
    # Beside FAB's users and roles: the admins' own menu.
    appbuilder.add_view(AuditLogView, sec.MENU_AUDIT_LOG, label=_l("Journal d'audit"),
                        icon="fa-clipboard-list", category="Security")
    appbuilder.add_view_no_menu(CalendarFeedView)
    appbuilder.add_view_no_menu(LeadExportView)
    appbuilder.add_view_no_menu(BookingView)
    appbuilder.add_view_no_menu(NotificationView)
    appbuilder.add_view_no_menu(LeadSheetView)
    appbuilder.add_view_no_menu(LeadErasureView)
    appbuilder.add_view_no_menu(AssignmentMemberView)
    appbuilder.add_view_no_menu(LeadAssignmentView)
    appbuilder.add_view_no_menu(LookupView)
    webhooks = appbuilder.add_view_no_menu(WebhookView)
    csrf.exempt(webhooks.blueprint)
    appbuilder.add_view_no_menu(UnsubscribeView)
    csrf.exempt(ONE_CLICK_ENDPOINT)  # mail providers' one-click POST has no page, no cookie
    for api in (LeadApi, SourceApi, CampaignApi, AppointmentApi, InteractionApi, LeadSheetApi):
        appbuilder.add_api(api)
    # FAB's own OpenAPI view is off (FAB_ADD_OPENAPI_VIEWS): this one corrects the document.
    appbuilder.add_api(CRMOpenApi)
    if current_app.config.get("FAB_API_SWAGGER_UI"):
        appbuilder.add_view_no_menu(SwaggerView)
