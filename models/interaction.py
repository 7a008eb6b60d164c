"""Everything that happened with a lead: calls, e-mails, SMS, meetings, notes."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, utcnow

KINDS = {
    "call": _l("Appel"),
    "email": _l("E-mail"),
    "sms": _l("SMS"),
    "meeting": _l("Réunion"),
    "note": _l("Note"),
}
DIRECTIONS = {
    "outbound": _l("Sortant"),
    "inbound": _l("Entrant"),
    "internal": _l("Interne"),
}

MAIL_STATUSES = {"queued": _l("En attente d'envoi"), "sent": _l("Envoyé"),
                     "failed": _l("Échec de l'envoi"),
                     # consent withdrawn between writing and sending: not sent, with the reason
                     "blocked": _l("Non envoyé")}


class Interaction(TimestampMixin, Model):
    __tablename__ = "interaction"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    lead = relationship("Lead", back_populates="interactions", lazy="joined")
    kind = Column(String(20), nullable=False, default="call")
    direction = Column(String(20), nullable=False, default="outbound")
    occurred_at = Column(DateTime, nullable=False, default=utcnow)
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    user = relationship(User, lazy="joined")
    subject = Column(String(200))
    summary = Column(Text)
    duration_minutes = Column(Integer)
    # Outgoing e-mails written from the lead sheet are sent by a job: its outcome.
    delivery_status = Column(String(10))  # queued, sent, failed, blocked
    delivery_error = Column(String(500))

    __table_args__ = (Index("ix_interaction_lead_when", "lead_id", "occurred_at"),)

    def kind_label(self):
        return str(KINDS.get(self.kind, self.kind))

    def direction_label(self):
        return str(DIRECTIONS.get(self.direction, self.direction))

    def delivery_label(self):
        return str(MAIL_STATUSES.get(self.delivery_status, "")) if self.delivery_status else ""

    def __repr__(self):
        return f"{self.kind_label()} {self.occurred_at:%Y-%m-%d}"
