"""Shared notes and the discussion thread of a lead, with @mentions."""
import re

from flask_babel import gettext as _

from app.services.errors import DomainError
from models import NOTE_KINDS, LeadNote, NoteMention, User

MAX_NOTE = 10_000
_MENTION = re.compile(r"(?<![\w.@])@([\w.\-]+)")


def mentioned_usernames(body):
    return {name.rstrip(".-") for name in _MENTION.findall(body or "")}


def add_note(session, lead, author, body, kind, may_see):
    """Write a note or message; `may_see(user, lead)` says who can be mentioned (a user who
    cannot open the lead is not told about it). Returns (note, mentioned users)."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise DomainError(_("Le texte est vide."), field="body")
    if len(body) > MAX_NOTE:
        raise DomainError(_("Texte trop long (%(max)d caractères au plus).", max=MAX_NOTE),
                          field="body")
    if kind not in NOTE_KINDS:
        raise DomainError(_("Type de note inconnu."), field="kind")
    names = mentioned_usernames(body)
    users = session.query(User).filter(User.username.in_(names), User.active.is_(True)).all() \
        if names else []
    mentioned = [u for u in users if u.id != author.id and may_see(u, lead)]
    note = LeadNote(lead_id=lead.id, author_id=author.id, kind=kind, body=body,
                    mentions=[NoteMention(user_id=u.id) for u in mentioned])
    session.add(note)
    return note, mentioned
