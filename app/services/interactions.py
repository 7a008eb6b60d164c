"""Rules for interactions and appointments logged on a lead."""
from flask_babel import gettext as _

from app.services.errors import DomainError
from models import DIRECTIONS, KINDS, STATUS_IN_PROGRESS, STATUS_NEW


def check_interaction(item):
    if item.lead is None and item.lead_id is None:
        raise DomainError(_("Choisissez un prospect."), field="lead")
    if item.kind not in KINDS:
        raise DomainError(_("Type d'interaction inconnu : %(value)s", value=item.kind), field="kind")
    if item.direction not in DIRECTIONS:
        raise DomainError(_("Sens inconnu : %(value)s", value=item.direction), field="direction")
    if item.duration_minutes is not None and not 0 <= item.duration_minutes <= 24 * 60:
        raise DomainError(_("Durée invalide."), field="duration_minutes")
    if item.occurred_at is None:
        raise DomainError(_("La date est obligatoire."), field="occurred_at")


def record_first_contact(interaction):
    """A first real contact dates the lead's first contact and moves a new lead forward."""
    lead = interaction.lead
    if interaction.kind == "note" or lead is None:
        return False
    changed = False
    if lead.first_contacted_at is None or interaction.occurred_at < lead.first_contacted_at:
        lead.first_contacted_at = interaction.occurred_at
        changed = True
    if lead.status == STATUS_NEW:
        lead.status = STATUS_IN_PROGRESS
        changed = True
    return changed
