"""Whose appointments an agenda shows, under the row-level rule: an appointment follows its
lead, so a lead handed to another rep leaves the former rep's agenda, feed and dashboard."""
from app.services.viewer import scope
from models import Appointment


def owned_appointments(session, viewer):
    """The viewer's own appointments, on leads they still see (feeds, CalDAV pushes)."""
    return scope(session.query(Appointment), Appointment, viewer).filter(
        Appointment.owner_id == viewer.user_id)


def agenda_appointments(session, viewer):
    """Every visible appointment for a manager; a rep's own otherwise (home, dashboard)."""
    if viewer.owner_scope is None:
        return scope(session.query(Appointment), Appointment, viewer)
    return owned_appointments(session, viewer)
