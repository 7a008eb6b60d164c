"""Sending the e-mails reps write from the lead sheet; the outcome is kept on the interaction."""
import smtplib

from flask import current_app
from flask_mail import Message

from app.extensions import db, mail
from models import Interaction


def send_lead_email(interaction_id):
    """Send a queued e-mail once: sent or failed (with the reason) is recorded either way."""
    item = db.session.get(Interaction, interaction_id)
    if item is None or item.delivery_status != "queued":
        return False
    user = item.user
    message = Message(subject=item.subject, recipients=[item.lead.email], body=item.summary,
                      sender=current_app.config["MAIL_DEFAULT_SENDER"],
                      reply_to=user.email if user and user.email else None)
    try:
        mail.send(message)
        item.delivery_status, item.delivery_error = "sent", None
    except (smtplib.SMTPException, OSError) as exc:
        item.delivery_status, item.delivery_error = "failed", str(exc)[:500]
    db.session.commit()
    return item.delivery_status == "sent"
