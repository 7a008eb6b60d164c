"""Who hears of an appointment set, moved or cancelled in the CRM (form, API, agenda)."""
from jobs.appointments import email_lead, schedule_lead_reminders
from jobs.calendar_sync import push_appointment
from jobs.notifications import notify_appointment
from jobs.queue import enqueue
from models.base import utcnow
from views.scoping import current_user


def tell_about(appointment, change):
    """The lead gets the confirmation, change or cancellation (with its invitation) and
    reminders; the rep hears of what someone else set, moved or cancelled for them."""
    if change is None:
        return
    if appointment.status in ("planned", "confirmed", "cancelled") \
            and appointment.starts_at > utcnow():
        enqueue(email_lead, appointment.id, change)
        schedule_lead_reminders(appointment)
    if appointment.owner_id and appointment.owner_id != current_user().id:
        enqueue(notify_appointment, appointment.id, change)
    enqueue(push_appointment, appointment.id)
