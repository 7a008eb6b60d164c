"""What people write on a lead (shared notes, the discussion thread) and what happened to it
(status changes, imports, merges...), for the lead's timeline."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from models.base import utcnow

NOTE_KINDS = {"note": _l("Note"), "message": _l("Message")}
EVENT_KINDS = {
    "status": _l("Changement de statut"),
    "reminder_done": _l("Rappel fait"),
    "followup": _l("Relance"),
    "erased": _l("Effacement (RGPD)"),
    "retention_notice": _l("Avis de fin de durée de conservation"),
}


class LeadNote(Model):
    """A shared note (kind "note") or a message of the lead's discussion (kind "message")."""
    __tablename__ = "lead_note"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    lead = relationship("Lead")
    kind = Column(String(10), nullable=False, default="note")
    author_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    author = relationship(User, lazy="joined")
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    mentions = relationship("NoteMention", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (Index("ix_lead_note_lead_created", "lead_id", "created_at"),)


class NoteMention(Model):
    __tablename__ = "note_mention"
    note_id = Column(Integer, ForeignKey("lead_note.id", ondelete="CASCADE"), primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    user = relationship(User, lazy="joined")


class LeadEvent(Model):
    """A fact of the lead's life that is not an interaction: `detail` holds what the timeline
    shows (old and new status, file name...)."""
    __tablename__ = "lead_event"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(20), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    user = relationship(User, lazy="joined")
    detail = Column(String(500))

    __table_args__ = (Index("ix_lead_event_lead_at", "lead_id", "at"),)

    def kind_label(self):
        return str(EVENT_KINDS.get(self.kind, self.kind))
