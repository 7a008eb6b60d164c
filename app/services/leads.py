"""Lead rules: normalisation, duplicates, statuses, assignment."""
from flask_babel import gettext as _
from sqlalchemy import and_, false, inspect, or_

from app.services.assignment import record
from app.services.contact import clean_text, normalise_email, normalise_phone, search_key
from app.services.errors import DomainError
from models import STATUS_ABANDONED, STATUS_CONVERTED, STATUSES, Lead
from models.base import utcnow


def find_duplicate(session, email=None, phone=None, exclude_id=None):
    """The first live lead sharing the e-mail or the phone, or None."""
    # Each term names the partial unique index's condition, so each is an index search.
    live = Lead.possible_duplicate == false()
    conditions = []
    if email:
        conditions.append(and_(Lead.email == email, live))
    if phone:
        conditions.append(and_(Lead.phone == phone, live))
    if not conditions:
        return None
    query = session.query(Lead.id, Lead.email, Lead.phone).filter(or_(*conditions))
    if exclude_id is not None:
        query = query.filter(Lead.id != exclude_id)
    return query.order_by(Lead.id).first()


def duplicate_error(row, email, phone):
    field = "email" if email and row.email == email else "phone"
    if field == "email":
        message = _("Un prospect avec cet e-mail existe déjà (n° %(id)s).", id=row.id)
    else:
        message = _("Un prospect avec ce téléphone existe déjà (n° %(id)s).", id=row.id)
    return DomainError(message, field=field, existing_id=row.id)


def check_status(status, abandon_reason):
    if status not in STATUSES:
        raise DomainError(
            _("Statut inconnu : %(value)s. Valeurs possibles : %(choices)s",
              value=status, choices=", ".join(STATUSES)),
            field="status",
        )
    if status == STATUS_ABANDONED and not (abandon_reason or "").strip():
        raise DomainError(
            _("Indiquez la raison de l'abandon."), field="abandon_reason"
        )


def date_consent(lead):
    """Date consent when it is given by this change, and only then.

    A consent date is a legal proof: it is never invented. Ticking the box (or creating a lead
    with it ticked) gives consent now, unless the caller states when it was given (an import
    keeps its file's date, None when the file has none: "date inconnue"). Any other save leaves
    both consent fields as they are; a withdrawal keeps the date the consent had been given."""
    given, dated = inspect(lead).attrs.consent_contact.history, inspect(lead).attrs.consent_at.history
    ticked_now = lead.consent_contact and given.has_changes() and not any(given.deleted)
    if ticked_now and not dated.has_changes():
        lead.consent_at = utcnow()


def normalise_lead(session, lead, region="FR"):
    """Validate and normalise a lead in place (new or edited); raise DomainError if invalid.

    Dates that follow from the status are maintained here, so every entrance (form, API,
    bulk action, import) applies the same rules.
    """
    lead.first_name = clean_text(lead.first_name)
    lead.last_name = clean_text(lead.last_name)
    lead.company = clean_text(lead.company)
    if not lead.last_name:
        raise DomainError(_("Le nom est obligatoire."), field="last_name")
    lead.email = normalise_email(lead.email)
    lead.phone = normalise_phone(lead.phone, region)
    lead.name_key = search_key(f"{lead.last_name} {lead.first_name or ''}")
    lead.status = lead.status or "new"
    check_status(lead.status, lead.abandon_reason)
    if lead.status != STATUS_ABANDONED:
        lead.abandon_reason = None
    date_consent(lead)
    if lead.status == STATUS_CONVERTED and lead.converted_at is None:
        lead.converted_at = utcnow()
    elif lead.status != STATUS_CONVERTED:
        lead.converted_at = None
    if not lead.possible_duplicate:
        with session.no_autoflush:
            row = find_duplicate(session, lead.email, lead.phone, exclude_id=lead.id)
        if row is not None:
            raise duplicate_error(row, lead.email, lead.phone)
    return lead


def set_status(session, leads, status, abandon_reason=None, region="FR"):
    """Bulk status change; every lead goes through the same rules as a form edit."""
    check_status(status, abandon_reason)
    for lead in leads:
        lead.status = status
        if status == STATUS_ABANDONED:
            lead.abandon_reason = abandon_reason.strip()
        normalise_lead(session, lead, region)
    return len(leads)


def assign(session, leads, owner, by_user_id=None):
    """Give leads to a rep, recording each change; return the ids that changed (to notify)."""
    changed = []
    for lead in leads:
        if lead.owner_id != owner.id:
            record(session, lead, owner.id, previous_id=lead.owner_id, by_user_id=by_user_id)
            lead.owner = owner
            lead.owner_id = owner.id
            changed.append(lead.id)
    return changed
