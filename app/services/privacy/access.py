"""Right of access and portability (RGPD Art. 15 and 20): everything the CRM holds about a
person, found by e-mail or phone across every lead (no row-level scope: only the DPO asks),
merged leads included. Plain dicts and lists, dates in RFC 3339: the screen, the JSON download
and the PDF summary all read this one shape (docs/rgpd-acces.md describes every key)."""
import datetime as dt
import decimal
import json

from flask_babel import gettext as _
from sqlalchemy import func, or_

from app.services.contact import format_phone, normalise_email, normalise_phone
from app.services.errors import DomainError
from app.services.privacy.merges import merges_of
from app.timezones import format_rfc3339
from models import (Appointment, Attachment, ConsentRecord, ExportFile, ExportLead, ImportBatch,
                    IntakeDelivery, Interaction, Lead, LeadEvent, LeadNote, Notification,
                    PrivacyRequest, Reminder, User, live_or_flagged)
from models.base import utcnow

FORMAT_VERSION = 1
LEAD_FIELDS = (
    "id", "first_name", "last_name", "email", "phone", "company", "status", "note",
    "abandon_reason", "professional", "consent_contact", "consent_at", "last_contact_at",
    "anonymised_at", "first_contacted_at", "converted_at", "value", "is_test",
    "possible_duplicate", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "gclid", "fbclid", "external_id", "form_id", "created_at", "updated_at")
CONSENT_FIELDS = ("id", "lead_id", "channel", "state", "stated_at", "method", "page_url",
                  "wording", "wording_version", "import_batch_id", "import_row", "note",
                  "ip_address", "user_agent", "recorded_at")
INTERACTION_FIELDS = ("id", "lead_id", "kind", "direction", "occurred_at", "subject", "summary",
                      "duration_minutes")
EMAIL_FIELDS = ("id", "lead_id", "direction", "occurred_at", "subject", "summary",
                "delivery_status", "delivery_error")
APPOINTMENT_FIELDS = ("id", "lead_id", "title", "starts_at", "ends_at", "place", "status",
                      "minutes", "created_at")
ATTACHMENT_FIELDS = ("id", "lead_id", "filename", "content_type", "size", "created_at")
REMINDER_FIELDS = ("id", "lead_id", "what", "due_at", "done_at", "created_at")
EVENT_FIELDS = ("id", "lead_id", "kind", "at", "detail")
INTAKE_FIELDS = ("id", "lead_id", "channel", "received_at", "status", "external_id",
                 "content_type", "remote_addr", "body")
NOTIFICATION_FIELDS = ("id", "lead_id", "event", "title", "created_at", "read_at")
MERGE_FIELDS = ("merged_lead_id", "kept_lead_id", "first_name", "last_name", "email", "phone",
                "merged_at")
REQUEST_FIELDS = ("id", "kind", "email", "phone", "received_at", "due_at", "status",
                  "closed_at", "note", "lead_ids")


def person_key(email=None, phone=None, region="FR"):
    """(e-mail, phone) normalised as leads store them; DomainError (translated) when both are
    empty or one is malformed."""
    email, phone = normalise_email(email), normalise_phone(phone, region)
    if not email and not phone:
        raise DomainError(_("Indiquez l'e-mail ou le téléphone de la personne."))
    return email, phone


def find_lead_ids(session, email=None, phone=None):
    """Ids of the leads holding this (normalised) e-mail or phone now, and of the leads that
    took over a merged lead that held it."""
    conditions = [live_or_flagged(column == value) for column, value in
                  ((Lead.email, email), (Lead.phone, phone)) if value]
    ids = {i for (i,) in session.query(Lead.id).filter(or_(*conditions))} if conditions else set()
    ids |= {merge.kept_lead_id for merge in merges_of(session, email, phone)}
    return sorted(i for (i,) in session.query(Lead.id).filter(Lead.id.in_(ids))) if ids else []


def person_data(session, email=None, phone=None, region="FR"):
    """Everything held about the person with this e-mail and/or phone (raw values: they are
    normalised here). The shape is documented key by key in docs/rgpd-acces.md."""
    email, phone = person_key(email, phone, region)
    lead_ids = find_lead_ids(session, email, phone)
    users = _user_names(session)
    leads = session.query(Lead).filter(Lead.id.in_(lead_ids)).order_by(Lead.id).all()
    interactions = _rows(session, Interaction, lead_ids, "occurred_at")
    emails = interactions.filter(Interaction.kind == "email")
    others = interactions.filter(Interaction.kind != "email")
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": format_rfc3339(utcnow()),
        "search": {"email": email, "phone": phone},
        "leads": [_lead(lead, users) for lead in leads],
        "merged_leads": [_plain(m, MERGE_FIELDS) for m in merges_of(session, email, phone)],
        "consents": [_consent(c, users) for c in
                     _rows(session, ConsentRecord, lead_ids, "id")],
        "interactions": [_plain(i, INTERACTION_FIELDS, user=users.get(i.user_id)) for i in others],
        "emails": [_plain(i, EMAIL_FIELDS, user=users.get(i.user_id)) for i in emails],
        "notes": [_note(n, users, lead_ids)
                  for n in _notes(session, lead_ids, email, phone, region)],
        "events": [_plain(e, EVENT_FIELDS, user=users.get(e.user_id))
                   for e in _rows(session, LeadEvent, lead_ids, "at")],
        "appointments": [_plain(a, APPOINTMENT_FIELDS, owner=users.get(a.owner_id))
                         for a in _rows(session, Appointment, lead_ids, "starts_at")],
        "attachments": [_plain(a, ATTACHMENT_FIELDS, uploaded_by=users.get(a.uploaded_by_id))
                        for a in _rows(session, Attachment, lead_ids, "created_at")],
        "reminders": [_plain(r, REMINDER_FIELDS, user=users.get(r.user_id))
                      for r in _rows(session, Reminder, lead_ids, "due_at")],
        "intake_deliveries": [_plain(d, INTAKE_FIELDS, source=d.source.name if d.source else None)
                              for d in _deliveries(session, lead_ids, email, phone, region)],
        "import_rows": _import_rows(session, leads, lead_ids, users),
        "notifications": [_plain(n, NOTIFICATION_FIELDS, user=users.get(n.user_id))
                          for n in _rows(session, Notification, lead_ids, "created_at")],
        "exports": _exports(session, lead_ids, users),
        "requests": [_plain(r, REQUEST_FIELDS, handled_by=users.get(r.handled_by_id))
                     for r in _requests(session, email, phone)],
    }


def _value(value):
    if isinstance(value, dt.datetime):
        return format_rfc3339(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _plain(item, names, **extra):
    return {**{name: _value(getattr(item, name)) for name in names}, **extra}


def _rows(session, model, lead_ids, order):
    return session.query(model).filter(model.lead_id.in_(lead_ids)).order_by(
        getattr(model, order), model.id)


def _user_names(session):
    """{user id: "First Last"} of every account (a CRM has tens of users, not thousands)."""
    return {u.id: " ".join(p for p in (u.first_name, u.last_name) if p) or u.username
            for u in session.query(User.id, User.first_name, User.last_name, User.username)}


def _lead(lead, users):
    return _plain(lead, LEAD_FIELDS, source=lead.source.name if lead.source else None,
                  campaign=lead.campaign.name if lead.campaign else None,
                  owner=users.get(lead.owner_id), form_answers=_json(lead.form_answers))


def _json(text):
    """Stored JSON as data; text that is not JSON as it is."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _consent(record, users):
    return _plain(record, CONSENT_FIELDS, platform_fields=_json(record.platform_fields),
                  recorded_by=users.get(record.user_id))


def _contains_person(column, email, phone, region):
    """`column` mentions the e-mail or the phone (E.164 or national digits): a scan, which a
    DPO's search, a few times a month, can afford."""
    needles = [email] if email else []
    if phone:
        needles += {phone, format_phone(phone, region).replace(" ", "")}
    return or_(*(func.lower(column).contains(needle.lower(), autoescape=True)
                 for needle in needles))


def _notes(session, lead_ids, email, phone, region):
    """Notes and messages on their leads, and those on other leads that name their contact."""
    return session.query(LeadNote).filter(or_(
        LeadNote.lead_id.in_(lead_ids), _contains_person(LeadNote.body, email, phone, region)
    )).order_by(LeadNote.created_at, LeadNote.id).all()


def _note(note, users, lead_ids):
    return _plain(note, ("id", "lead_id", "kind", "body", "created_at"),
                  author=users.get(note.author_id), on_their_lead=note.lead_id in lead_ids,
                  mentioned_users=[users.get(m.user_id) for m in note.mentions])


def _deliveries(session, lead_ids, email, phone, region):
    """Raw deliveries that made or updated their leads, or whose payload holds their contact."""
    return session.query(IntakeDelivery).filter(or_(
        IntakeDelivery.lead_id.in_(lead_ids),
        _contains_person(IntakeDelivery.body, email, phone, region),
    )).order_by(IntakeDelivery.received_at, IntakeDelivery.id).all()


def _import_rows(session, leads, lead_ids, users):
    """Rows of imported files that created a lead of theirs, or carried their consent (a row
    that updated an existing lead leaves its batch and row number on the consent record)."""
    rows = {(lead.import_batch_id, lead.import_row): ("created", lead.id)
            for lead in leads if lead.import_batch_id is not None}
    for batch_id, row, lead_id in session.query(
            ConsentRecord.import_batch_id, ConsentRecord.import_row, ConsentRecord.lead_id).filter(
            ConsentRecord.lead_id.in_(lead_ids), ConsentRecord.import_batch_id.is_not(None)):
        rows.setdefault((batch_id, row), ("updated", lead_id))
    batches = {b.id: b for b in session.query(ImportBatch).filter(
        ImportBatch.id.in_({batch_id for batch_id, _row in rows}))} if rows else {}
    result = []
    for (batch_id, row), (outcome, lead_id) in sorted(rows.items(),
                                                      key=lambda i: (i[0][0], i[0][1] or 0)):
        batch = batches.get(batch_id)
        result.append({"batch_id": batch_id, "row": row, "lead_id": lead_id, "outcome": outcome,
                       "file_name": batch.file_name if batch else None,
                       "imported_at": _value(batch.created_at) if batch else None,
                       "imported_by": users.get(batch.created_by_id) if batch else None})
    return result


def _exports(session, lead_ids, users):
    query = (session.query(ExportFile, ExportLead.lead_id)
             .join(ExportLead, ExportLead.export_file_id == ExportFile.id)
             .filter(ExportLead.lead_id.in_(lead_ids))
             .order_by(ExportFile.created_at, ExportFile.id, ExportLead.lead_id))
    return [_plain(export, ("kind", "file_format", "status", "rows", "created_at",
                            "finished_at"), export_id=export.id, lead_id=lead_id,
                   user=users.get(export.user_id), stored=bool(export.path))
            for export, lead_id in query]


def _requests(session, email, phone):
    conditions = [column == value for column, value in
                  ((PrivacyRequest.email, email), (PrivacyRequest.phone, phone)) if value]
    return session.query(PrivacyRequest).filter(or_(*conditions)).order_by(
        PrivacyRequest.received_at, PrivacyRequest.id).all()
