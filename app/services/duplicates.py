"""Likely duplicate leads, and merging two of them into one."""
from flask_babel import gettext as _
from sqlalchemy import false, func, select, true, union_all
from sqlalchemy.orm import aliased

from app.services.errors import DomainError
from app.services.privacy.merges import remember_merge
from app.services.reassignment import follow_owners
from app.services.viewer import scope_leads
from models import Appointment, Interaction, Lead, Reminder
from models.base import utcnow


def _sharing_with_flagged(name):
    """(id, value) of the leads whose e-mail or phone (`name`) a flagged duplicate also holds.
    A live lead holds its value alone (unique index), so any group of two or more has a flagged
    lead in it: starting from the flagged leads' small index spares a scan of every lead."""
    flagged, live = aliased(Lead), aliased(Lead)
    flagged_value, live_value = getattr(flagged, name), getattr(live, name)
    held = select(flagged.id, flagged_value).where(flagged.possible_duplicate == true(),
                                                   flagged_value.is_not(None))
    return union_all(held, select(live.id, live_value).where(
        live.possible_duplicate == false(),
        live_value.in_(held.with_only_columns(flagged_value))))


# Each criterion: (id, value, ...) rows of the leads that may share the values.
CRITERIA = {
    "email": _sharing_with_flagged("email"),
    "phone": _sharing_with_flagged("phone"),
    "name_company": select(Lead.id, Lead.name_key, func.lower(Lead.company)).where(
        Lead.name_key.is_not(None), Lead.company.is_not(None)),
}
MERGED_FIELDS = ("first_name", "email", "phone", "company", "source_id", "campaign_id",
                 "owner_id", "utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid")


def likely_duplicates(session, viewer, limit=50):
    """[(criterion, [lead, ...])]: groups of leads sharing an e-mail, a phone, or a name and a
    company, both of which the viewer may see. One GROUP BY per criterion."""
    groups = []
    for criterion, rows in CRITERIA.items():
        lead_id, *values = rows.subquery().columns
        query = session.query(func.min(lead_id), func.max(lead_id)).group_by(*values).having(
            func.count() > 1)
        for first, last in query.limit(limit).all():
            groups.append((criterion, first, last))
    ids = {i for _, first, last in groups for i in (first, last)}
    leads = {lead.id: lead for lead in scope_leads(session.query(Lead), viewer)
             .filter(Lead.id.in_(ids))} if ids else {}
    seen, result = set(), []
    for criterion, first, last in groups:
        if (first, last) not in seen and first in leads and last in leads:
            seen.add((first, last))
            result.append((criterion, [leads[first], leads[last]]))
    return result


def merge(session, keep, other, user=None):
    """Move everything of `other` onto `keep`, fill keep's empty fields, delete `other`, and
    record the merge on `keep` as an internal note. Returns the note."""
    if keep.id == other.id:
        raise DomainError(_("Choisissez deux prospects différents."))
    for model in (Interaction, Appointment, Reminder):
        session.query(model).filter(model.lead_id == other.id).update(
            {model.lead_id: keep.id}, synchronize_session=False)
    taken = {field: getattr(other, field) for field in MERGED_FIELDS
             if getattr(keep, field) in (None, "") and getattr(other, field) not in (None, "")}
    notes = [n for n in (keep.note, other.note) if n]
    summary = _("Fusion avec le prospect n° %(id)s (%(name)s, %(email)s) : interactions, rendez-vous "
                "et notes repris.", id=other.id, name=other.full_name, email=other.email or "—")
    remember_merge(session, keep, other, user.id if user else None)
    session.delete(other)
    session.flush()  # the other's e-mail and phone are free before keep takes them
    for field, value in taken.items():
        setattr(keep, field, value)
    keep.note = "\n\n".join(notes) or None
    keep.possible_duplicate = False
    keep.updated_at = utcnow()
    if keep.owner_id is not None:  # what lies ahead with the other's rep goes to keep's
        follow_owners(session, {keep.id: keep.owner_id})
    session.add(Interaction(lead_id=keep.id, kind="note", direction="internal",
                            occurred_at=utcnow(), user_id=user.id if user else None,
                            subject=_("Fusion de doublons"), summary=summary))
    session.flush()
    return summary
