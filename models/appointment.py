"""Sales appointments (rendez-vous) between a rep and a lead."""
import uuid

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin

ICAL_FIELDS = ("starts_at", "ends_at", "status", "title", "place")  # a change raises SEQUENCE

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
    # iCalendar identity: a UID that never changes, a SEQUENCE raised on each change.
    uid = Column(String(80), nullable=False, default=lambda: f"{uuid.uuid4().hex}@leadcrm")
    sequence = Column(Integer, nullable=False, default=0, server_default="0")
    booking_page_id = Column(Integer, ForeignKey("booking_page.id", ondelete="SET NULL",
                                                 name="fk_appointment_booking_page"))
    # Reminders to the lead, claimed once each (see jobs/appointments.py).
    reminded_day_at = Column(DateTime)
    reminded_hour_at = Column(DateTime)
    # Where the appointment stands in its rep's CalDAV calendar, once pushed there.
    caldav_href = Column(String(500))
    # The appointment's VEVENT as the feed serves it, and what it was built from (vobject
    # takes half a millisecond an event: a feed of 1,000 reuses these).
    ical_block = Column(Text)
    ical_key = Column(String(80))

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ck_appointment_ends_after_start"),
        Index("ix_appointment_owner_start", "owner_id", "starts_at"),
        Index("ix_appointment_lead_start", "lead_id", "starts_at"),
        UniqueConstraint("uid", name="uq_appointment_uid"),
    )

    def status_label(self):
        return str(APPOINTMENT_STATUSES.get(self.status, self.status))

    def __repr__(self):
        return self.title or f"RDV #{self.id}"
