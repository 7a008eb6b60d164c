"""Jobs that tell users about things that concern them (copies by e-mail and SMS)."""
from flask_babel import gettext as _

from app.extensions import db
from app.services.mailer import send_notification_mail
from app.services.notifications import notify, profile_of
from app.services.sms import send_sms
from jobs.queue import enqueue
from models import Lead, Notification


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
    item = notify(db.session, user_id, "assigned",
                  lambda: _("Nouveau prospect attribué : %(name)s", name=lead.full_name),
                  url=f"/leads/show/{lead.id}", lead_id=lead.id)
    db.session.commit()
    if item is not None:
        deliver(item.id)
    return item is not None
