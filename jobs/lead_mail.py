"""Sending the e-mails reps write from the lead sheet; the outcome is kept on the interaction."""
import smtplib

from flask import current_app
from flask_babel import force_locale
from flask_mail import Message

from app.extensions import db, mail
from app.services.errors import DomainError
from app.services.privacy.sending import prepare_prospecting_email
from models import Interaction


def send_lead_email(interaction_id):
    """Send a queued e-mail once: sent, failed or blocked (with the reason) is recorded either
    way. Consent is checked again here: the lead may have unsubscribed since it was written."""
    item = db.session.get(Interaction, interaction_id)
    if item is None or item.delivery_status != "queued":
        return False
    user, config = item.user, current_app.config
    message = Message(subject=item.subject, recipients=[item.lead.email], body=item.summary,
                      sender=config["MAIL_DEFAULT_SENDER"],
                      reply_to=user.email if user and user.email else None)
    try:
        with force_locale(config.get("BABEL_DEFAULT_LOCALE", "fr")):
            prepare_prospecting_email(db.session, message, item.lead, config)
        mail.send(message)
        item.delivery_status, item.delivery_error = "sent", None
    except DomainError as exc:
        item.delivery_status, item.delivery_error = "blocked", exc.message[:500]
    except (smtplib.SMTPException, OSError) as exc:
        item.delivery_status, item.delivery_error = "failed", str(exc)[:500]
    db.session.commit()
    return item.delivery_status == "sent"
