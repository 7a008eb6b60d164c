"""Every model is imported here so that the metadata (and Alembic) sees them all."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User

from models.appointment import APPOINTMENT_STATUSES, Appointment
from models.assignment import RULE_MODES, AssignmentMember, AssignmentRule, LeadAssignment
from models.campaign import PLATFORMS, Campaign
from models.import_batch import BATCH_STATUSES, POLICIES, ImportBatch
from models.intake import CHANNELS, DELIVERY_STATUSES, IntakeDelivery
from models.interaction import DIRECTIONS, KINDS, Interaction
from models.lead import (
    FIELD_LABELS,
    STATUS_ABANDONED,
    STATUS_CONVERTED,
    STATUS_IN_PROGRESS,
    STATUS_NEW,
    STATUSES,
    Lead,
)
from models.source import SOURCE_KINDS, Source

metadata = Model.metadata

__all__ = [
    "APPOINTMENT_STATUSES", "Appointment", "AssignmentMember", "AssignmentRule", "LeadAssignment",
    "RULE_MODES", "BATCH_STATUSES", "Campaign", "ImportBatch", "POLICIES", "CHANNELS", "DELIVERY_STATUSES", "DIRECTIONS", "FIELD_LABELS", "IntakeDelivery",
    "Interaction", "KINDS",
    "Lead", "PLATFORMS", "SOURCE_KINDS", "STATUSES", "STATUS_ABANDONED", "STATUS_CONVERTED",
    "STATUS_IN_PROGRESS", "STATUS_NEW", "Source", "User", "metadata",
]
