"""E-mails written to a lead from its sheet: templates with variables, logged as interactions."""
import re

from flask_babel import gettext as _

from app.services.errors import DomainError
from app.services.privacy.sending import check_prospecting
from app.timezones import format_local
from models import Appointment, Interaction
from models.base import utcnow

_VARIABLE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def _next_appointment(session, lead, _user):
    item = (session.query(Appointment)
            .filter(Appointment.lead_id == lead.id, Appointment.starts_at >= utcnow(),
                    Appointment.status.in_(("planned", "confirmed")))
            .order_by(Appointment.starts_at).first())
    return format_local(item.starts_at, "%d/%m/%Y %H:%M") if item else ""


VARIABLES = {
    "prenom": lambda session, lead, user: lead.first_name or "",
    "nom": lambda session, lead, user: lead.last_name or "",
    "societe": lambda session, lead, user: lead.company or "",
    "commercial": lambda session, lead, user: user.get_full_name(),
    "commercial_email": lambda session, lead, user: user.email or "",
    "prochain_rdv": _next_appointment,
}


def check_template(text):
    unknown = sorted(set(_VARIABLE.findall(text or "")) - set(VARIABLES))
    if unknown:
        raise DomainError(_("Variables inconnues : %(names)s. Disponibles : %(known)s.",
                            names=", ".join(unknown), known=", ".join(VARIABLES)))


def render(session, text, lead, user):
    """The text with its {{ variables }} replaced (plain text: no markup is interpreted)."""
    values = {}

    def value(match):
        name = match.group(1)
        if name not in VARIABLES:
            return match.group(0)
        if name not in values:
            values[name] = str(VARIABLES[name](session, lead, user))
        return values[name]
    return _VARIABLE.sub(value, text or "")


def queue_email(session, lead, user, subject, body, company_is_b2b=True):
    """The outgoing e-mail as an interaction waiting for its job (jobs.lead_mail.send); refused
    without the lead's e-mail consent (the job checks it again before sending)."""
    if not lead.email:
        raise DomainError(_("Ce prospect n'a pas d'adresse e-mail."), field="email")
    check_prospecting(session, lead, "email", company_is_b2b)
    subject, body = " ".join((subject or "").split()), (body or "").strip()
    if not subject or not body:
        raise DomainError(_("L'objet et le message sont obligatoires."), field="subject")
    if len(subject) > 200 or len(body) > 20_000:
        raise DomainError(_("Objet ou message trop long."), field="subject")
    if "\n" in subject or "\r" in subject:
        raise DomainError(_("Objet invalide."), field="subject")
    item = Interaction(lead_id=lead.id, kind="email", direction="outbound", occurred_at=utcnow(),
                       user_id=user.id, subject=subject, summary=body, delivery_status="queued")
    session.add(item)
    return item
