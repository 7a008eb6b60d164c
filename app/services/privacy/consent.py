"""Consent per channel, with its proof: records are appended, never edited; a channel's state is
its latest record. What a lead may receive follows from it (consumers opt in, professionals may
object), and the lead's summary columns (consent_contact, consent_at) are kept in step."""
import json

from flask_babel import gettext as _
from sqlalchemy import func

from app.services.errors import DomainError
from app.services.privacy.suppression import is_suppressed
from models import ConsentRecord
from models.base import utcnow
from models.consent import CHANNELS, METHODS, STATES

# The entrances that run without a person of ours deciding: they cannot revive the consent of
# someone on the suppression list. Only a rep recording an oral consent (with a note) can.
AUTOMATED_METHODS = frozenset({"web_form", "google_ads", "meta", "booking", "import", "api",
                               "legacy"})
# Proof fields a record may carry, by method (others are refused rather than silently kept).
PROOF_FIELDS = ("page_url", "wording", "wording_version", "platform_fields", "import_batch_id",
                "import_row", "user_id", "note", "ip_address", "user_agent")


def _check(channel, state, method, proof):
    if channel not in CHANNELS:
        raise DomainError(_("Canal inconnu : %(value)s.", value=channel), field="channel")
    if state not in STATES:
        raise DomainError(_("État de consentement inconnu : %(value)s.", value=state),
                          field="state")
    if method not in METHODS:
        raise DomainError(_("Origine du consentement inconnue : %(value)s.", value=method),
                          field="method")
    unknown = set(proof) - set(PROOF_FIELDS)
    if unknown:
        raise DomainError(_("Preuve inconnue : %(names)s.", names=", ".join(sorted(unknown))))
    if method == "oral" and not ((proof.get("note") or "").strip() and proof.get("user_id")):
        raise DomainError(_("Un consentement oral doit être accompagné d'une note."),
                          field="note")


def record_consent(session, lead, channel, state, method, stated_at=None, **proof):
    """Append one record; returns it, or None when the suppression list refuses an automated
    "given" (the person withdrew or was erased: only what they say to a rep revives it).

    `stated_at` is when the person said it (a file's date, a platform's); None means now for
    live entrances, and stays None for an import without a date (never invented)."""
    _check(channel, state, method, proof)
    if (state == "given" and method in AUTOMATED_METHODS
            and is_suppressed(session, lead.email, lead.phone)):
        return None
    if isinstance(proof.get("platform_fields"), (dict, list)):
        proof["platform_fields"] = json.dumps(proof["platform_fields"], ensure_ascii=False)
    if stated_at is None and method != "import":
        stated_at = utcnow()
    if lead.id is None:
        session.flush()
    record = ConsentRecord(lead_id=lead.id, channel=channel, state=state, method=method,
                           stated_at=stated_at, **proof)
    session.add(record)
    session.flush()
    summarise(session, lead)
    return record


def current(session, lead_id):
    """{channel: latest record} of one lead (channels never recorded are absent)."""
    latest = (session.query(func.max(ConsentRecord.id))
              .filter(ConsentRecord.lead_id == lead_id).group_by(ConsentRecord.channel))
    rows = session.query(ConsentRecord).filter(ConsentRecord.id.in_(latest.scalar_subquery()))
    return {row.channel: row for row in rows}


def history(session, lead_id):
    """Every record of the lead, newest first."""
    return (session.query(ConsentRecord).filter(ConsentRecord.lead_id == lead_id)
            .order_by(ConsentRecord.id.desc()).all())


def is_professional(lead, company_is_b2b=True):
    """A lead marked professional or consumer is that; otherwise a company makes it one
    (unless the setting CRM_COMPANY_IS_B2B says not)."""
    if lead.professional is not None:
        return lead.professional
    return bool(company_is_b2b and (lead.company or "").strip())


def may_prospect(session, lead, channel, company_is_b2b=True):
    """Whether prospecting (non-transactional) messages may go to the lead on `channel`.

    Consumers must have given it (opt-in); professionals may be prospected unless they refused
    or withdrew (right to object), as may anyone by post. Transactional messages (appointment
    confirmations and reminders) do not ask this."""
    return permits(current(session, lead.id).get(channel), lead, channel, company_is_b2b)


def permits(record, lead, channel, company_is_b2b=True):
    """may_prospect's rule, given the channel's latest record (or None): for callers that
    loaded the records of many leads at once."""
    if record is not None:
        return record.state == "given"
    return channel == "post" or is_professional(lead, company_is_b2b)


def summarise(session, lead):
    """Keep lead.consent_contact/consent_at in step with the records: any channel given now,
    and the date of the latest such consent."""
    given = [record for record in current(session, lead.id).values() if record.state == "given"]
    lead.consent_contact = bool(given)
    if given:
        lead.consent_at = max((r.stated_at for r in given if r.stated_at), default=None)
