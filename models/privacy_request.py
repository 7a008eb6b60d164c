"""RGPD requests of a person (access, rectification, erasure, objection), tracked to their
legal deadline: one calendar month from receipt (Art. 12.3)."""
import json

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from models.base import utcnow

REQUEST_KINDS = {
    "access": _l("Accès / portabilité"),
    "rectification": _l("Rectification"),
    "erasure": _l("Effacement"),
    "objection": _l("Opposition"),
}
REQUEST_STATUSES = {"open": _l("En cours"), "done": _l("Traitée"), "refused": _l("Refusée")}


class PrivacyRequest(Model):
    __tablename__ = "privacy_request"
    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    # The person as they identified themselves (normalised), whatever leads are found.
    email = Column(String(254))
    phone = Column(String(20))
    received_at = Column(DateTime, nullable=False, default=utcnow)
    due_at = Column(DateTime, nullable=False)
    status = Column(String(10), nullable=False, default="open")
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    handled_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    handled_by = relationship(User, foreign_keys=[handled_by_id], lazy="joined")
    closed_at = Column(DateTime)
    note = Column(Text)
    # JSON list of the lead ids found when the request was recorded (no foreign key: an
    # erasure must not lose the trace of what it was about).
    lead_ids_json = Column(Text, nullable=False, default="[]")
    # Set once when the DPO users were told the request is overdue.
    overdue_notified_at = Column(DateTime)

    __table_args__ = (Index("ix_privacy_request_status_due", "status", "due_at"),)

    @property
    def lead_ids(self):
        return json.loads(self.lead_ids_json or "[]")

    @lead_ids.setter
    def lead_ids(self, ids):
        self.lead_ids_json = json.dumps(sorted(set(ids)))

    def kind_label(self):
        return str(REQUEST_KINDS.get(self.kind, self.kind))

    def status_label(self):
        return str(REQUEST_STATUSES.get(self.status, self.status))
