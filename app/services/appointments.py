"""Rules for sales appointments."""
from flask_babel import gettext as _

from app.services.errors import DomainError
from models import APPOINTMENT_STATUSES


def check_appointment(item):
    if item.starts_at is None or item.ends_at is None:
        raise DomainError(_("Le début et la fin sont obligatoires."), field="starts_at")
    if item.ends_at <= item.starts_at:
        raise DomainError(_("La fin doit être après le début."), field="ends_at")
    if item.status not in APPOINTMENT_STATUSES:
        raise DomainError(_("Statut de rendez-vous inconnu : %(value)s", value=item.status),
                          field="status")
