"""E-mails to the lead about an appointment (confirmation, change, cancellation, each with its
iCalendar invitation; reminders 24 h and 1 h before, by e-mail and SMS), and their schedule."""
import datetime as dt

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Message
from sqlalchemy import update

from app.extensions import db, get_queue, mail
from app.services.booking import manage_token
from app.services.ical import invitation
from app.services.mailer import absolute_url
from app.services.privacy.sending import mark_transactional
from app.services.sms import send_sms
from app.timezones import format_local
from models import Appointment
from models.base import utcnow

REMINDERS = {"day": dt.timedelta(hours=24), "hour": dt.timedelta(hours=1)}
LIVE = ("planned", "confirmed")


def _context(appointment):
    manage = (absolute_url(f"/rdv/gerer/{manage_token(appointment)}")
              if appointment.booking_page_id else None)
    return {"appointment": appointment, "lead": appointment.lead, "rep": appointment.owner,
            "when": format_local(appointment.starts_at, "%d/%m/%Y à %H:%M"),
            "manage_url": manage}


SUBJECTS = {
    "booked": lambda c: _("Votre rendez-vous du %(when)s est confirmé", when=c["when"]),
    "changed": lambda c: _("Votre rendez-vous est déplacé au %(when)s", when=c["when"]),
    "cancelled": lambda c: _("Votre rendez-vous du %(when)s est annulé", when=c["when"]),
    "day": lambda c: _("Rappel : votre rendez-vous du %(when)s", when=c["when"]),
    "hour": lambda c: _("Rappel : rendez-vous dans une heure (%(when)s)", when=c["when"]),
}


def email_lead(appointment_id, change):
    """Tell the lead (in French, the page's language) that their appointment was booked,
    changed or cancelled; the .ics lets their mail client update its calendar."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not appointment.lead.email or appointment.owner is None:
        return False
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        context = {**_context(appointment), "change": change}
        message = Message(subject=SUBJECTS[change](context), recipients=[appointment.lead.email],
                          reply_to=appointment.owner.email or None,
                          body=render_template("mail/appointment_lead.txt", **context),
                          html=render_template("mail/appointment_lead.html", **context))
    ics, method = invitation(appointment, appointment.owner, appointment.lead.email,
                             appointment.lead.full_name)
    message.attach("invitation.ics", f"text/calendar; method={method}; charset=UTF-8",
                   ics.encode("utf-8"))
    mark_transactional(message)  # about an appointment the lead agreed to: no consent asked
    mail.send(message)
    return True


def schedule_lead_reminders(appointment):
    """One job per reminder at its time (ids fixed per appointment: moving replaces them).
    A job that finds the appointment moved or cancelled does nothing; `tick` catches any
    reminder a lost job missed."""
    queue = get_queue()
    if queue is None or appointment.status not in LIVE:
        return
    for kind, before in REMINDERS.items():
        at = appointment.starts_at - before
        if at > utcnow():
            queue.enqueue_at(at.replace(tzinfo=dt.timezone.utc), remind_lead, appointment.id,
                             kind, job_id=f"appointment-{appointment.id}-{kind}")


def remind_lead(appointment_id, kind, now=None):
    """Send one reminder if it is due and not sent yet (claimed in the database)."""
    now = now or utcnow()
    column = Appointment.reminded_day_at if kind == "day" else Appointment.reminded_hour_at
    claimed = db.session.execute(update(Appointment).where(
        Appointment.id == appointment_id, column.is_(None), Appointment.status.in_(LIVE),
        Appointment.starts_at > now, Appointment.starts_at <= now + REMINDERS[kind])
        .values({column: now})).rowcount == 1
    db.session.commit()
    if not claimed:
        return False
    appointment = db.session.get(Appointment, appointment_id)
    if appointment.starts_at - appointment.created_at < REMINDERS[kind]:
        return False  # booked later than that: the confirmation was the reminder
    if appointment.lead.email:
        email_lead(appointment_id, kind)
    if appointment.lead.phone:  # transactional too: sent whatever the SMS consent
        send_sms(appointment.lead.phone, SUBJECTS[kind](_context(appointment)))
    return True


def due_lead_reminders(now=None):
    """For the tick: reminders whose time has come and that no job has sent."""
    now = now or utcnow()
    sent = 0
    for kind, before in REMINDERS.items():
        column = Appointment.reminded_day_at if kind == "day" else Appointment.reminded_hour_at
        ids = [i for (i,) in db.session.query(Appointment.id).filter(
            column.is_(None), Appointment.status.in_(LIVE), Appointment.starts_at > now,
            Appointment.starts_at <= now + before)]
        sent += sum(1 for i in ids if remind_lead(i, kind, now))
    return sent
