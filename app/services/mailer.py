"""E-mails the CRM sends, rendered in the recipient's language."""
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Message

from app.extensions import mail


def send_assignment_mail(lead, user, locale=None):
    locale = locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")
    base_url = current_app.config["CRM_BASE_URL"].rstrip("/")
    with force_locale(locale):
        context = {"lead": lead, "user": user, "url": f"{base_url}/leads/show/{lead.id}"}
        message = Message(
            subject=_("Nouveau prospect attribué : %(name)s", name=lead.full_name),
            recipients=[user.email],
            body=render_template("mail/lead_assigned.txt", **context),
            html=render_template("mail/lead_assigned.html", **context),
        )
    mail.send(message)
