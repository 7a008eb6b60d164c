"""Every model is imported here so that the metadata (and Alembic) sees them all."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User

from models.activity import EVENT_KINDS, NOTE_KINDS, LeadEvent, LeadNote, NoteMention
from models.appointment import APPOINTMENT_STATUSES, Appointment
from models.assignment import RULE_MODES, AssignmentMember, AssignmentRule, LeadAssignment
from models.booking import DEFAULT_HOURS, AppointmentBlock, BookingPage
from models.calendar_account import CalendarAccount, ExternalBusy
from models.campaign import PLATFORMS, Campaign
from models.campaign_spend import CampaignSpend
from models.consent import ConsentRecord, Suppression
from models.consent import CHANNELS as CONSENT_CHANNELS
from models.attachment import Attachment
from models.audit import ACTIONS as AUDIT_ACTIONS
from models.audit import AuditEntry
from models.email_template import EmailTemplate
from models.export_file import ExportFile, ExportLead
from models.idempotency import IdempotencyKey
from models.import_batch import BATCH_STATUSES, POLICIES, ImportBatch
from models.intake import CHANNELS, DELIVERY_STATUSES, IntakeDelivery
from models.interaction import DIRECTIONS, KINDS, MAIL_STATUSES, Interaction
from models.lead import (
    FIELD_LABELS,
    STATUS_ABANDONED,
    STATUS_CONVERTED,
    STATUS_IN_PROGRESS,
    STATUS_NEW,
    STATUSES,
    Lead,
    live_or_flagged,
)
from models.notification import (DEFAULT_CHANNELS, EVENTS, Notification, NotificationPreference,
                                 UserProfile)
from models.notification import CHANNELS as NOTIFICATION_CHANNELS
from models.reminder import RULE_STATUSES, FollowUpAlert, FollowUpRule, Reminder
from models.lead_deletion import LeadDeletion
from models.lead_merge import LeadMerge
from models.privacy_request import REQUEST_KINDS, REQUEST_STATUSES, PrivacyRequest
from models.lead_stat import LeadContactStat, LeadDayStat
from models.processing_register import ProcessingRegister
from models.report import SavedReport
from models.session_generation import SessionGeneration
from models.source import SOURCE_KINDS, Source

metadata = Model.metadata

__all__ = [
    "APPOINTMENT_STATUSES", "Appointment", "AssignmentMember", "AssignmentRule", "LeadAssignment",
    "RULE_MODES", "BATCH_STATUSES", "Campaign", "ImportBatch", "POLICIES", "CHANNELS", "DELIVERY_STATUSES", "DIRECTIONS", "FIELD_LABELS", "IntakeDelivery",
    "Interaction", "KINDS",
    "Lead", "PLATFORMS", "SOURCE_KINDS", "STATUSES", "STATUS_ABANDONED", "STATUS_CONVERTED",
    "STATUS_IN_PROGRESS", "STATUS_NEW", "Source", "User", "metadata",
    "EVENT_KINDS", "NOTE_KINDS", "LeadEvent", "LeadNote", "NoteMention", "Attachment",
    "EmailTemplate", "MAIL_STATUSES", "DEFAULT_CHANNELS", "EVENTS", "Notification",
    "NotificationPreference", "UserProfile", "NOTIFICATION_CHANNELS", "RULE_STATUSES",
    "FollowUpAlert", "FollowUpRule", "Reminder", "DEFAULT_HOURS", "AppointmentBlock",
    "BookingPage", "CalendarAccount", "ExternalBusy", "ExportFile", "CampaignSpend", "SavedReport", "SessionGeneration",
    "LeadContactStat", "LeadDayStat", "live_or_flagged", "IdempotencyKey", "LeadDeletion",
    "ConsentRecord", "Suppression", "CONSENT_CHANNELS", "ExportLead", "ProcessingRegister",
    "LeadMerge", "PrivacyRequest", "REQUEST_KINDS", "REQUEST_STATUSES", "AuditEntry",
    "AUDIT_ACTIONS",
]
