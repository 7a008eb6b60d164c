"""Jobs that tell users about things that concern them."""
from app.extensions import db
from app.services.mailer import send_assignment_mail
from models import Lead, User


def notify_assignment(lead_id, user_id):
    """E-mail a rep that a lead was assigned to them. Idempotent enough: at worst one more mail
    if the worker died after sending; nothing is sent if the lead moved on meanwhile."""
    lead = db.session.get(Lead, lead_id)
    user = db.session.get(User, user_id)
    if lead is None or user is None or lead.owner_id != user_id or not user.email:
        return False
    send_assignment_mail(lead, user)
    return True
