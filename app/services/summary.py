"""Small figures for the home page, computed in SQL."""
import datetime as dt

from sqlalchemy import func

from models import STATUSES, Appointment, Lead
from models.base import utcnow


def home_summary(session, owner_id=None):
    """Leads by status and the next appointments, for everyone or for one rep."""
    leads = session.query(Lead.status, func.count()).group_by(Lead.status)
    upcoming = session.query(Appointment).filter(
        Appointment.starts_at >= utcnow(), Appointment.status.in_(("planned", "confirmed"))
    )
    if owner_id is not None:
        leads = leads.filter(Lead.owner_id == owner_id)
        upcoming = upcoming.filter(Appointment.owner_id == owner_id)
    counts = dict(leads.all())
    return {
        "by_status": [(code, label, counts.get(code, 0)) for code, label in STATUSES.items()],
        "upcoming": upcoming.order_by(Appointment.starts_at).limit(5).all(),
        "week_end": utcnow() + dt.timedelta(days=7),
    }
