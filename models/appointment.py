"""Sales appointments (rendez-vous) between a rep and a lead."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from models.base import TimestampMixin

APPOINTMENT_STATUSES = {
    "planned": _l("Planifié"),
    "confirmed": _l("Confirmé"),
    "done": _l("Honoré"),
    "cancelled": _l("Annulé"),
    "no_show": _l("Absent"),
}


class Appointment(TimestampMixin, Model):
    __tablename__ = "appointment"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    lead = relationship("Lead", back_populates="appointments", lazy="joined")
    owner_id = Column(Integer, ForeignKey("ab_user.id"))
    owner = relationship(User, lazy="joined")
    title = Column(String(200))
    starts_at = Column(DateTime, nullable=False)  # UTC
    ends_at = Column(DateTime, nullable=False)  # UTC
    place = Column(String(300))
    status = Column(String(20), nullable=False, default="planned")
    minutes = Column(Text)

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ck_appointment_ends_after_start"),
        Index("ix_appointment_owner_start", "owner_id", "starts_at"),
        Index("ix_appointment_lead_start", "lead_id", "starts_at"),
    )

    def status_label(self):
        return str(APPOINTMENT_STATUSES.get(self.status, self.status))

    def __repr__(self):
        return self.title or f"RDV #{self.id}"
