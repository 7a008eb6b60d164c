"""What may be sent to a lead, and how a message says what it is.

Every prospecting (non-transactional) message to a lead goes through `check_prospecting`, or
`prepare_prospecting_email` for an e-mail, which also adds the unsubscribe headers (RFC 2369,
RFC 8058) and the visible link. Transactional messages (appointment confirmations and
reminders the lead asked for) are only marked as such: they need no consent and carry no
unsubscribe link."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import func

from app.services.errors import DomainError
from app.services.privacy.consent import current, permits
from app.services.privacy.suppression import digests
from app.services.privacy.unsubscribe import CONTACT_OF, unsubscribe_links
from models import ConsentRecord, Lead, Suppression

MESSAGE_TYPE_HEADER = "X-CRM-Message-Type"
TRANSACTIONAL = "transactional"
PROSPECTING = "prospecting"

REFUSALS = {
    "email": _l("Envoi refusé : ce prospect n'a pas accepté de recevoir nos e-mails de "
                "prospection, ou il s'y est opposé."),
    "sms": _l("Envoi refusé : ce prospect n'a pas accepté de recevoir nos SMS de prospection, "
              "ou il s'y est opposé."),
    "phone": _l("Ce prospect n'a pas accepté d'être démarché par téléphone, ou il s'y est "
                "opposé."),
    "post": _l("Ce prospect s'est opposé à recevoir notre courrier de prospection."),
}


def _allowed(record, lead, channel, company_is_b2b, suppressed):
    """The consent rule, plus the suppression list: someone who unsubscribed (on this or a
    duplicate lead) is not prospected again on the rule's default, only on a consent given
    since."""
    if record is not None and record.state == "given":
        return True
    return not suppressed and permits(record, lead, channel, company_is_b2b)


def _contact_digest(lead, channel):
    kind = CONTACT_OF.get(channel)
    return digests(**{kind: getattr(lead, kind)}).get(kind) if kind else None


def refusal(session, lead, channel, company_is_b2b=True):
    """None when prospecting `lead` on `channel` is allowed, else the reason (translated)."""
    digest = _contact_digest(lead, channel)
    suppressed = digest is not None and session.query(Suppression.id).filter_by(
        digest=digest).first() is not None
    record = current(session, lead.id).get(channel)
    return None if _allowed(record, lead, channel, company_is_b2b, suppressed) else str(
        REFUSALS[channel])


def check_prospecting(session, lead, channel, company_is_b2b=True):
    """Raise DomainError (with the reason) unless prospecting `lead` on `channel` is allowed.
    Every non-transactional sender (sheet e-mails, campaigns, automations) calls it."""
    reason = refusal(session, lead, channel, company_is_b2b)
    if reason:
        raise DomainError(reason, field=channel)


def refused_leads(session, lead_ids, channel, company_is_b2b=True):
    """The ids among `lead_ids` that may not be prospected on `channel`, in three queries
    whatever their number (lists show a warning on each)."""
    if not lead_ids:
        return set()
    leads = session.query(Lead).filter(Lead.id.in_(lead_ids)).all()
    latest = (session.query(func.max(ConsentRecord.id))
              .filter(ConsentRecord.lead_id.in_(lead_ids), ConsentRecord.channel == channel)
              .group_by(ConsentRecord.lead_id))
    records = {record.lead_id: record for record in session.query(ConsentRecord).filter(
        ConsentRecord.id.in_(latest.scalar_subquery()))}
    contact = {lead.id: _contact_digest(lead, channel) for lead in leads}
    wanted = [digest for digest in contact.values() if digest]
    suppressed = {digest for (digest,) in session.query(Suppression.digest).filter(
        Suppression.digest.in_(wanted))} if wanted else set()
    return {lead.id for lead in leads if not _allowed(
        records.get(lead.id), lead, channel, company_is_b2b, contact[lead.id] in suppressed)}


def mark_transactional(message):
    """A Flask-Mail message the lead asked for (no consent needed, no unsubscribe link)."""
    message.extra_headers = {**(message.extra_headers or {}), MESSAGE_TYPE_HEADER: TRANSACTIONAL}


def prepare_prospecting_email(session, message, lead, settings):
    """Check the lead's e-mail consent (DomainError if refused), then add the one-click
    unsubscribe headers and the visible link to the Flask-Mail `message`.

    `settings` is the application's configuration (SECRET_KEY, CRM_BASE_URL,
    CRM_UNSUBSCRIBE_MAILTO, CRM_COMPANY_IS_B2B)."""
    check_prospecting(session, lead, "email", settings["CRM_COMPANY_IS_B2B"])
    url, mailto = unsubscribe_links(settings["SECRET_KEY"], settings["CRM_BASE_URL"], lead.id,
                                    "email", settings.get("CRM_UNSUBSCRIBE_MAILTO"))
    message.extra_headers = {
        **(message.extra_headers or {}), MESSAGE_TYPE_HEADER: PROSPECTING,
        "List-Unsubscribe": ", ".join(f"<{link}>" for link in (url, mailto) if link),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    footer = _("Ne plus recevoir nos e-mails : %(url)s", url=url)
    message.body = f"{message.body or ''}\n\n-- \n{footer}\n"
    if message.html:
        link = f'<a href="{escape(url)}">{escape(url)}</a>'
        message.html += "<p>" + _("Ne plus recevoir nos e-mails : %(url)s", url=link) + "</p>"
