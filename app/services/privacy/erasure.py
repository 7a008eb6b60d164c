"""Erasure (RGPD art. 17): a lead is anonymised in place. The row stays as « Prospect anonymisé »
with what the figures need (status, source, campaign, rep, dates, value), so that dashboards
and reports do not move; everything that says who the person was goes, in every table and in
the files the CRM keeps (attachments, exports, import files and their rejects / warnings).

The service writes the database and the files; the caller commits, then asks the CalDAV
servers to delete the appointments' copies (`summary["calendar_copies"]`, see jobs/erasure.py).
Running it again on an erased lead is harmless (a retry after a failed commit completes it)."""
import os

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, or_, select, update

from app.services.attachments import stored_path
from app.services.contact import search_key
from app.services.errors import DomainError
from app.services.privacy.audit import forget_values, record_many
from app.services.privacy.erasure_files import PersonMatcher, purge_import_files
from app.services.privacy.suppression import suppress_all
from models import (Appointment, Attachment, ConsentRecord, ExportFile, ExportLead,
                    IdempotencyKey, IntakeDelivery, Interaction, Lead, LeadDeletion, LeadEvent,
                    LeadMerge, LeadNote, NoteMention, Notification, PrivacyRequest, Reminder)
from models.audit import ERASE
from models.base import utcnow

# Why a lead was erased: the person asked, or its retention period ran out. Only a request
# puts the person on the suppression list (an inactive prospect did not object to anything).
REASONS = {"request": _l("Demande de la personne"),
           "retention": _l("Durée de conservation écoulée")}
ERASED_KIND = "erased"
CHUNK = 500  # ids per IN (...) list


def anonymised_name():
    """What an erased lead is called, in the CRM's language (it is stored)."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        return _("Prospect anonymisé")


def erased_text():
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        return _("(effacé)")


def _chunks(ids):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def erase_leads(session, lead_ids, actor_id=None, reason="request", *, attachment_dir,
                region="FR", ip=None):
    """Anonymise the leads `lead_ids`; returns a summary of what went (counts, files deleted,
    the CalDAV copies to delete after the commit). DomainError for an unknown lead or reason:
    nothing is written then."""
    if reason not in REASONS:
        raise DomainError(_("Motif d'effacement inconnu : %(value)s.", value=reason),
                          field="reason")
    ids = sorted({int(i) for i in lead_ids})
    people = [row for chunk in _chunks(ids) for row in session.execute(
        select(Lead.id, Lead.email, Lead.phone, Lead.last_name, Lead.gclid, Lead.fbclid,
               Lead.external_id, Lead.import_batch_id, Lead.import_row)
        .where(Lead.id.in_(chunk)))]
    missing = set(ids) - {row.id for row in people}
    if missing:
        raise DomainError(_("Prospect introuvable : %(ids)s.",
                            ids=", ".join(f"#{i}" for i in sorted(missing))), field="lead")
    if reason == "request":
        suppress_all(session, [(p.email, p.phone) for p in people], reason="erased",
                     region=region)
    matcher = PersonMatcher(people, region)
    summary = {"leads": len(ids), "reason": reason}
    summary["attachments"] = _delete_attachments(session, ids, attachment_dir)
    summary["export_files"] = _delete_exports(session, ids)
    # Searches by content (raw payloads, API answers, import files) for a request only: they
    # read whole tables and files, and what a retention erases is years old, when those were
    # purged long ago (payloads and import files after 90 days, API answers after 24 h).
    searching = reason == "request"
    summary["import_rows"] = purge_import_files(session, matcher, people) if searching else 0
    summary["calendar_copies"] = _forget_calendar_copies(session, ids)
    for chunk in _chunks(ids):
        for name, count in _blank_rows(session, chunk).items():
            summary[name] = summary.get(name, 0) + count
    if searching:
        summary["intake_deliveries"] += _blank_by_content(session, IntakeDelivery.body, matcher,
                                                          _INTAKE_BLANK)
        summary["idempotency_keys"] = _delete_by_content(session, matcher)
    _forget_platform_ids(session, people)
    summary["merges"], summary["requests"] = _forget_merges_and_requests(session, ids, people)
    _anonymise(session, ids, actor_id, reason)
    summary["audit_values"] = forget_values(session, ids)
    record_many(session, ERASE, actor_id, ip, ids, reason=reason)
    session.expire_all()  # the bulk statements bypassed the objects the session holds
    return summary


def _delete_attachments(session, ids, directory):
    """Files first, then rows: a file left behind by a failed removal would be an orphan the
    tick removes anyway (remove_orphan_files), never a row pointing at nothing."""
    count = 0
    for chunk in _chunks(ids):
        for item in session.scalars(select(Attachment).where(Attachment.lead_id.in_(chunk))):
            path = stored_path(directory, item)
            if os.path.exists(path):
                os.remove(path)
            session.delete(item)
            count += 1
    session.flush()
    return count


def _delete_exports(session, ids):
    """Stored exports that held any of the leads: the whole file and its row go (the file
    cannot be edited into a truthful export). Returns their paths."""
    export_ids = {i for chunk in _chunks(ids) for (i,) in session.execute(
        select(ExportLead.export_file_id).where(ExportLead.lead_id.in_(chunk)))}
    paths = []
    for export in session.scalars(select(ExportFile).where(ExportFile.id.in_(export_ids))):
        if export.path and os.path.exists(export.path):
            os.remove(export.path)
            paths.append(export.path)
        session.execute(delete(ExportLead).where(ExportLead.export_file_id == export.id))
        session.delete(export)
    session.flush()
    return paths


def _forget_calendar_copies(session, ids):
    """[(rep id, href)] of the appointments pushed to a CalDAV calendar. The hrefs are cleared
    now, so that the next pull does not take the coming deletion for a cancellation."""
    return [(owner, href) for chunk in _chunks(ids) for owner, href in session.execute(
        select(Appointment.owner_id, Appointment.caldav_href).where(
            Appointment.lead_id.in_(chunk), Appointment.caldav_href.is_not(None)))]


_INTAKE_BLANK = {"body": "", "message": None, "remote_addr": None, "external_id": None}


def _blank_rows(session, chunk):
    """Every text about the leads `chunk`, table by table; returns counts by table."""
    def run(statement):
        return session.execute(statement, execution_options={"synchronize_session": False}).rowcount

    notes = select(LeadNote.id).where(LeadNote.lead_id.in_(chunk))
    return {
        "outbox_emails": run(delete(Interaction).where(Interaction.lead_id.in_(chunk),
                                                      Interaction.delivery_status == "queued")),
        "interactions": run(update(Interaction).where(Interaction.lead_id.in_(chunk)).values(
            subject=None, summary=None, delivery_error=None)),
        "appointments": run(update(Appointment).where(Appointment.lead_id.in_(chunk)).values(
            title=None, place=None, minutes=None, ical_block=None, ical_key=None,
            caldav_href=None)),
        "mentions": run(delete(NoteMention).where(NoteMention.note_id.in_(notes))),
        "notes": run(delete(LeadNote).where(LeadNote.lead_id.in_(chunk))),
        "events": run(update(LeadEvent).where(LeadEvent.lead_id.in_(chunk),
                                              LeadEvent.kind != "status").values(detail=None)),
        "reminders": run(update(Reminder).where(Reminder.lead_id.in_(chunk)).values(
            what=erased_text())),
        "notifications": run(update(Notification).where(Notification.lead_id.in_(chunk)).values(
            title=anonymised_name(), email_state=None, sms_state=None)),
        "consent_records": run(update(ConsentRecord).where(ConsentRecord.lead_id.in_(chunk)).values(
            page_url=None, wording=None, platform_fields=None, note=None, ip_address=None,
            user_agent=None)),
        "intake_deliveries": run(update(IntakeDelivery).where(
            IntakeDelivery.lead_id.in_(chunk)).values(**_INTAKE_BLANK)),
    }


def _blank_by_content(session, column, matcher, values):
    """Raw payloads that name the person without being linked to the lead (a delivery that
    failed, or was taken for a duplicate of another lead)."""
    count = 0
    for condition in _mentions(column, matcher):
        count += session.execute(update(column.class_).where(condition).values(**values),
                                 execution_options={"synchronize_session": False}).rowcount
    return count


def _delete_by_content(session, matcher):
    """API answers kept for replay (24 h) that show the person: deleted (a retry then runs
    again, on the anonymised lead)."""
    return sum(session.execute(delete(IdempotencyKey).where(condition),
                               execution_options={"synchronize_session": False}).rowcount
               for condition in _mentions(IdempotencyKey.response_body, matcher))


def _mentions(column, matcher, per_query=100):
    needles = sorted(matcher.needles())
    for start in range(0, len(needles), per_query):
        yield or_(*(column.contains(n, autoescape=True)
                    for n in needles[start:start + per_query]))


def _forget_platform_ids(session, people):
    """Tombstones of deleted duplicates of the person keep the ad platforms' ids: cleared."""
    for name in ("external_id", "gclid", "fbclid"):
        values = sorted({getattr(p, name) for p in people if getattr(p, name)})
        column = getattr(LeadDeletion, name)
        for chunk in _chunks(values):
            session.execute(update(LeadDeletion).where(column.in_(chunk)).values({name: None}),
                            execution_options={"synchronize_session": False})


def _forget_merges_and_requests(session, ids, people):
    """The contact data kept of leads merged into the erased ones, and the e-mail, phone and
    note of the person's RGPD requests (the request itself, its dates and who handled it stay:
    the proof that it was answered)."""
    emails = [p.email for p in people if p.email]
    phones = [p.phone for p in people if p.phone]
    merges = sum(session.execute(delete(LeadMerge).where(LeadMerge.kept_lead_id.in_(chunk)))
                 .rowcount for chunk in _chunks(ids))
    requests = 0
    if emails or phones:
        requests = session.execute(update(PrivacyRequest).where(or_(
            PrivacyRequest.email.in_(emails), PrivacyRequest.phone.in_(phones)))
            .values(email=None, phone=None, note=None),
            execution_options={"synchronize_session": False}).rowcount
    return merges, requests


def _anonymise(session, ids, actor_id, reason):
    """The lead row itself, and the timeline's record of the erasure (no personal text)."""
    name, now = anonymised_name(), utcnow()
    for chunk in _chunks(ids):
        session.execute(update(Lead).where(Lead.id.in_(chunk)).values(
            first_name=None, last_name=name, name_key=search_key(name), email=None, phone=None,
            company=None, note=None, abandon_reason=None, utm_source=None, utm_medium=None,
            utm_campaign=None, utm_term=None, utm_content=None, gclid=None, fbclid=None,
            external_id=None, form_id=None, form_answers=None, anonymised_at=now),
            execution_options={"synchronize_session": False})
        session.execute(insert(LeadEvent), [
            {"lead_id": lead_id, "kind": ERASED_KIND, "at": now, "user_id": actor_id,
             "detail": reason} for lead_id in chunk])
