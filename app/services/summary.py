"""Small figures for the home page, computed in SQL."""
import datetime as dt

from sqlalchemy import func

from app.services.agenda import agenda_appointments
from app.services.viewer import scope_leads
from models import STATUSES, Appointment, Lead
from models.base import utcnow


def home_summary(session, viewer):
    """Leads by status and the next appointments this viewer may see."""
    leads = scope_leads(session.query(Lead.status, func.count()), viewer).group_by(Lead.status)
    upcoming = agenda_appointments(session, viewer).filter(
        Appointment.starts_at >= utcnow(), Appointment.status.in_(("planned", "confirmed"))
    )
    counts = dict(leads.all())
    return {
        "by_status": [(code, label, counts.get(code, 0)) for code, label in STATUSES.items()],
        "upcoming": upcoming.order_by(Appointment.starts_at).limit(5).all(),
        "week_end": utcnow() + dt.timedelta(days=7),
    }
