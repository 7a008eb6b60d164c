"""Jobs that tell users about things that concern them (copies by e-mail and SMS)."""
import datetime as dt

from flask_babel import gettext as _

from app.extensions import db
from app.services.mailer import send_notification_mail
from app.services.notifications import notify, profile_of, title_for
from app.services.sms import send_sms
from app.services.viewer import user_sees_lead
from app.timezones import format_local
from jobs.queue import enqueue
from models import Appointment, Lead, Notification
from models.base import utcnow


def dispatch(notifications):
    """After the commit that wrote them: send the e-mail and SMS copies (by job)."""
    for item in notifications:
        if item is not None and (item.email_state == "pending" or item.sms_state == "pending"):
            enqueue(deliver, item.id)


def deliver(notification_id):
    """Send a notification's pending copies. Each copy is marked once sent: a retried job
    does not send it again."""
    item = db.session.get(Notification, notification_id)
    if item is None:
        return False
    profile = profile_of(db.session, item.user_id)
    # A failure raises (rq keeps the job, retries it): the copy stays pending until sent.
    if item.email_state == "pending":
        lead = db.session.get(Lead, item.lead_id) if item.lead_id else None
        send_notification_mail(item, lead, profile.locale)
        item.email_state = "sent"
        db.session.commit()
    if item.sms_state == "pending":
        send_sms(profile.mobile, item.title)
        item.sms_state = "sent"
        db.session.commit()
    return True


def notify_assignment(lead_id, user_id):
    """Tell a rep a lead was assigned to them; nothing if the lead moved on meanwhile."""
    lead = db.session.get(Lead, lead_id)
    if lead is None or lead.owner_id != user_id:
        return False
    item = _notify_once(user_id, "assigned", lead,
                        lambda: _("Nouveau prospect attribué : %(name)s", name=lead.full_name))
    return item is not None


def _notify_once(user_id, event, lead, title, linked=True):
    """Notify and send the copies; a retried job finds its notification of a moment ago
    (same user, event, lead and text) and only sends what is still pending. Not `linked`:
    no link to the lead, which the user no longer sees."""
    recent = utcnow() - dt.timedelta(minutes=10)
    text = title_for(profile_of(db.session, user_id), title)
    lead_id = lead.id if linked else None
    item = db.session.query(Notification).filter(
        Notification.user_id == user_id, Notification.event == event,
        Notification.lead_id == lead_id, Notification.title == text,
        Notification.created_at >= recent).first()
    if item is None:
        item = notify(db.session, user_id, event, title,
                      url=f"/leads/show/{lead.id}" if linked else None, lead_id=lead_id)
        db.session.commit()
    if item is not None:
        deliver(item.id)
    return item


def notify_new_lead(lead_id):
    """A lead that came in by itself (ad platform, web form): its rep and the person who
    follows its campaign are told."""
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        return False
    if lead.owner_id:
        notify_assignment(lead.id, lead.owner_id)
    manager_id = lead.campaign.manager_id if lead.campaign else None
    if manager_id and manager_id != lead.owner_id \
            and user_sees_lead(db.session, manager_id, lead.id):
        _notify_once(manager_id, "campaign_lead", lead,
                     lambda: _("Nouveau prospect de la campagne %(campaign)s : %(name)s",
                               campaign=lead.campaign.name, name=lead.full_name))
    return True


APPOINTMENT_CHANGES = {
    "booked": lambda a, when: _("Rendez-vous avec %(lead)s le %(when)s", lead=a.lead.full_name,
                                 when=when),
    "changed": lambda a, when: _("Rendez-vous avec %(lead)s modifié : %(when)s",
                                  lead=a.lead.full_name, when=when),
    "cancelled": lambda a, when: _("Rendez-vous avec %(lead)s du %(when)s annulé",
                                    lead=a.lead.full_name, when=when),
}


def notify_appointment(appointment_id, change):
    """Tell an appointment's rep that it was booked, changed or cancelled for them."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.owner_id is None \
            or not user_sees_lead(db.session, appointment.owner_id, appointment.lead_id):
        return False
    when = format_local(appointment.starts_at)
    _notify_once(appointment.owner_id, "appointment", appointment.lead,
                 lambda: APPOINTMENT_CHANGES[change](appointment, when))
    return True


def notify_appointment_moved(appointment_id, owner_id, user_id):
    """Tell `user_id`, the former or the new rep, that the appointment went to `owner_id`
    with its lead; nothing if it has moved on since."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.owner_id != owner_id:
        return False
    when, user = format_local(appointment.starts_at), appointment.owner.get_full_name()
    if user_id == owner_id:
        _notify_once(user_id, "appointment", appointment.lead,
                     lambda: _("Rendez-vous du %(when)s avec %(lead)s transféré à %(user)s",
                               when=when, lead=appointment.lead.full_name, user=user))
    else:  # the former rep no longer sees the lead: not even its name
        _notify_once(user_id, "appointment", appointment.lead,
                     lambda: _("Votre rendez-vous du %(when)s a été transféré à %(user)s",
                               when=when, user=user), linked=False)
    return True
