"""Public booking pages (/rdv/<slug>) of a rep or a team, and the time blocks a booking holds."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String,
                        Table, Text)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin

booking_page_member = Table(
    "booking_page_member", Model.metadata,
    Column("page_id", Integer, ForeignKey("booking_page.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True),
)

# Working hours: {"mon": "09:00-12:00, 14:00-18:00", ...}; a missing day is a day off.
DEFAULT_HOURS = {day: "09:00-12:00, 14:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}


class BookingPage(TimestampMixin, Model):
    __tablename__ = "booking_page"
    id = Column(Integer, primary_key=True)
    slug = Column(String(60), nullable=False, unique=True)
    title = Column(String(120), nullable=False)
    description = Column(Text)
    active = Column(Boolean, nullable=False, default=True)
    members = relationship(User, secondary=booking_page_member, lazy="selectin")
    working_hours = Column(Text, nullable=False)  # JSON, see DEFAULT_HOURS
    slot_minutes = Column(Integer, nullable=False, default=30)
    buffer_minutes = Column(Integer, nullable=False, default=0)
    notice_hours = Column(Integer, nullable=False, default=4)
    horizon_days = Column(Integer, nullable=False, default=30)
    place = Column(String(300))

    __table_args__ = (
        CheckConstraint("slot_minutes BETWEEN 15 AND 480 AND slot_minutes % 15 = 0",
                        name="ck_booking_slot_minutes"),
        CheckConstraint("buffer_minutes >= 0 AND buffer_minutes % 15 = 0", name="ck_booking_buffer"),
        CheckConstraint("notice_hours >= 0 AND horizon_days BETWEEN 1 AND 365",
                        name="ck_booking_window"),
    )

    def __repr__(self):
        return self.title


class AppointmentBlock(Model):
    """A quarter of an hour of a rep's time held by a booked appointment. The primary key is
    what makes two visitors taking the same slot at once end with one appointment."""
    __tablename__ = "appointment_block"
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    starts_at = Column(DateTime, primary_key=True)  # UTC, on a quarter hour
    appointment_id = Column(Integer, ForeignKey("appointment.id", ondelete="CASCADE"),
                            nullable=False, index=True)
