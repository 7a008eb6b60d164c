"""E-mails the CRM sends, rendered in the recipient's language."""
from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from app.extensions import mail


def absolute_url(path):
    return current_app.config["CRM_BASE_URL"].rstrip("/") + (path or "/")


def send_notification_mail(notification, lead, locale=None):
    """The e-mail copy of a notification; an assignment gets the lead's contact details."""
    user = notification.user
    locale = locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")
    template = "lead_assigned" if notification.event == "assigned" and lead else "notification"
    with force_locale(locale):
        context = {"lead": lead, "user": user, "notification": notification,
                   "url": absolute_url(notification.url)}
        message = Message(subject=notification.title, recipients=[user.email],
                          body=render_template(f"mail/{template}.txt", **context),
                          html=render_template(f"mail/{template}.html", **context))
    mail.send(message)
