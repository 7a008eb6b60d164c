"""Everything about a lead on one line of time, newest first: interactions, notes and messages,
appointments, assignments, status changes and other events, files, the lead's arrival."""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import (NOTE_KINDS, STATUSES, Appointment, Attachment, ImportBatch, Interaction,
                    LeadAssignment, LeadEvent, LeadNote)


@dataclass
class Entry:
    at: object  # naive UTC datetime
    kind: str  # css class and icon key
    title: str
    user: object = None
    text: str = ""  # plain text (escaped and linked when shown)
    meta: list = field(default_factory=list)
    item: object = None


def _interactions(session, lead):
    rows = session.scalars(select(Interaction).where(Interaction.lead_id == lead.id)).all()
    for row in rows:
        meta = [row.direction_label()]
        if row.duration_minutes:
            meta.append(_("%(n)d min", n=row.duration_minutes))
        if row.delivery_status:
            meta.append(row.delivery_label() + (f" : {row.delivery_error}" if row.delivery_error else ""))
        title = row.kind_label() + (f" — {row.subject}" if row.subject else "")
        yield Entry(row.occurred_at, row.kind, title, row.user, row.summary or "", meta, row)


def _notes(session, lead):
    rows = session.scalars(select(LeadNote).where(LeadNote.lead_id == lead.id)
                           .options(selectinload(LeadNote.mentions))).all()
    for row in rows:
        yield Entry(row.created_at, row.kind, str(NOTE_KINDS.get(row.kind, row.kind)), row.author,
                    row.body, [], row)


def _appointments(session, lead):
    for row in session.scalars(select(Appointment).where(Appointment.lead_id == lead.id)):
        meta = [row.status_label()] + ([row.place] if row.place else [])
        yield Entry(row.starts_at, "appointment", _("Rendez-vous") + (f" — {row.title}" if row.title else ""),
                    row.owner, row.minutes or "", meta, row)


def _assignments(session, lead):
    for row in session.scalars(select(LeadAssignment).where(LeadAssignment.lead_id == lead.id)):
        name = row.user.get_full_name() if row.user else _("personne")
        how = (_("par la règle « %(rule)s »", rule=row.rule.name) if row.rule
               else _("par %(user)s", user=row.assigned_by.get_full_name()) if row.assigned_by
               else "")
        yield Entry(row.at, "assignment", _("Attribué à %(name)s", name=name), row.assigned_by,
                    "", [how] if how else [], row)


def _events(session, lead):
    for row in session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id)):
        if row.kind == "status" and row.detail and ">" in row.detail:
            old, new = row.detail.split(">", 1)
            title = _("Statut : %(old)s → %(new)s", old=STATUSES.get(old, old), new=STATUSES.get(new, new))
            yield Entry(row.at, "status", title, row.user, "", [], row)
        else:
            yield Entry(row.at, row.kind, row.kind_label(), row.user, row.detail or "", [], row)


def _files(session, lead):
    for row in session.scalars(select(Attachment).where(Attachment.lead_id == lead.id)):
        yield Entry(row.created_at, "file", _("Pièce jointe : %(name)s", name=row.filename),
                    row.uploaded_by, "", [], row)


def _arrival(session, lead):
    meta = [lead.source.name] if lead.source else []
    if lead.import_batch_id:
        batch = session.get(ImportBatch, lead.import_batch_id)
        title = _("Importé du fichier %(name)s", name=batch.file_name) if batch else _("Importé")
        yield Entry(lead.created_at, "import", title, batch.created_by if batch else None, "", meta)
    else:
        yield Entry(lead.created_at, "created", _("Prospect créé"), None, "", meta)


SOURCES = (_interactions, _notes, _appointments, _assignments, _events, _files, _arrival)


def timeline(session, lead):
    entries = [entry for source in SOURCES for entry in source(session, lead)]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
