"""Rules for sales appointments."""
from flask_babel import gettext as _

from app.services.errors import DomainError
from models import APPOINTMENT_STATUSES, Appointment


def check_appointment(item):
    if item.starts_at is None or item.ends_at is None:
        raise DomainError(_("Le début et la fin sont obligatoires."), field="starts_at")
    if item.ends_at <= item.starts_at:
        raise DomainError(_("La fin doit être après le début."), field="ends_at")
    if item.status not in APPOINTMENT_STATUSES:
        raise DomainError(_("Statut de rendez-vous inconnu : %(value)s", value=item.status),
                          field="status")


def overlapping(session, owner_id, start, end, exclude_id=None):
    """The rep's live appointments that overlap [start, end) (to warn before saving)."""
    query = session.query(Appointment).filter(
        Appointment.owner_id == owner_id, Appointment.status.in_(("planned", "confirmed", "done")),
        Appointment.starts_at < end, Appointment.ends_at > start)
    if exclude_id is not None:
        query = query.filter(Appointment.id != exclude_id)
    return query.order_by(Appointment.starts_at).all()


def move_appointment(appointment, start, end):
    """A new time for a planned or confirmed appointment (what follows a change happens at
    flush: app/services/events.py)."""
    if appointment.status not in ("planned", "confirmed"):
        raise DomainError(_("Ce rendez-vous ne se déplace plus."), field="starts_at")
    appointment.starts_at, appointment.ends_at = start, end
    check_appointment(appointment)
