"""Planning on the agenda: which appointments it shows, and booking, moving or cancelling one
there, under the row-level rule of the viewer. Wall times are Paris times: the agenda runs in
that zone whatever the browser's."""
import datetime as dt

from flask_babel import gettext as _

from app.services.appointments import check_appointment, move_appointment, overlapping
from app.services.errors import DomainError
from app.services.viewer import scope
from app.timezones import format_local, parse_datetime, to_local
from models import Appointment, Lead, User

LONGEST_WINDOW = dt.timedelta(days=62)
MOST_EVENTS = 2000


class NotVisible(DomainError):
    status = 404


class NotYours(DomainError):
    status = 403


class Overlap(DomainError):
    """The rep already has an appointment then; the user may confirm (force) and save."""
    status = 409


def wall_time(value):
    """Naive UTC -> Paris wall time as ISO text (FullCalendar in its "UTC" mode shows the text
    as it is)."""
    return to_local(value).replace(tzinfo=None).isoformat(timespec="minutes")


def parse_wall_time(text, field):
    """FullCalendar in its "UTC" mode labels Paris wall times with a `Z`: the label is dropped."""
    return parse_datetime(str(text or "").strip().removesuffix("Z"), field)


def _owner_condition(viewer, wanted):
    """Whose appointments: a rep only theirs; a manager theirs ("me"), a colleague's (an id)
    or all ("all")."""
    if not viewer.sees_all_leads or wanted == "me":
        return Appointment.owner_id == viewer.user_id
    if wanted == "all":
        return None
    if not str(wanted).isdigit():
        raise DomainError(_("Filtre invalide : %(name)s", name="user"), field="user")
    return Appointment.owner_id == int(wanted)


def agenda_events(session, viewer, start_text, end_text, wanted="me", cancelled=False):
    """The visible appointments overlapping a window of at most LONGEST_WINDOW."""
    start = parse_wall_time(start_text, "start")
    end = parse_wall_time(end_text, "end")
    if end <= start or end - start > LONGEST_WINDOW:
        raise DomainError(_("Période invalide."), field="end")
    query = scope(session.query(Appointment), Appointment, viewer).filter(
        Appointment.starts_at < end, Appointment.ends_at > start)
    owner = _owner_condition(viewer, wanted)
    if owner is not None:
        query = query.filter(owner)
    if not cancelled:
        query = query.filter(Appointment.status != "cancelled")
    return query.order_by(Appointment.starts_at).limit(MOST_EVENTS).all()


def _check_free(session, viewer, owner_id, start, end, exclude_id=None):
    """Overlap listing the rep's clashing appointments (a clash on a lead the viewer no longer
    sees still takes the slot, unnamed)."""
    clashes = overlapping(session, owner_id, start, end, exclude_id)
    if not clashes:
        return
    seen = {pk for pk, in scope(session.query(Appointment.id), Appointment, viewer).filter(
        Appointment.id.in_([c.id for c in clashes]))}
    names = ", ".join(f"{c.lead.full_name if c.id in seen else _('Rendez-vous')} "
                      f"({format_local(c.starts_at, '%H:%M')})" for c in clashes)
    raise Overlap(_("Ce commercial a déjà un rendez-vous sur ce créneau : "
                    "%(names)s. Enregistrer quand même ?", names=names))


def _booked_owner(session, viewer, owner):
    """The rep an appointment is booked for: the viewer, or whom a manager named."""
    if not owner or not viewer.can_assign:
        return viewer.user_id
    try:
        user = session.get(User, int(owner))
    except (TypeError, ValueError):
        raise DomainError(_("Données invalides."))
    if user is None or not user.active:
        raise DomainError(_("Choisissez un commercial actif."), field="owner")
    return user.id


def book_appointment(session, viewer, lead_id, start_text, end_text, title=None, place=None,
                     owner=None, force=False):
    """A planned appointment on a visible lead, and the change to tell of; Overlap unless
    `force`."""
    lead = None
    if str(lead_id or "").isdigit():
        lead = scope(session.query(Lead), Lead, viewer).filter(Lead.id == int(lead_id)).first()
    if lead is None:
        raise DomainError(_("Choisissez un prospect."), field="lead")
    appointment = Appointment(
        lead_id=lead.id, owner_id=_booked_owner(session, viewer, owner),
        title=(title or "").strip()[:200] or None, place=(place or "").strip()[:300] or None,
        status="planned", starts_at=parse_wall_time(start_text, "start"),
        ends_at=parse_wall_time(end_text, "end"))
    check_appointment(appointment)
    if not force:
        _check_free(session, viewer, appointment.owner_id, appointment.starts_at,
                    appointment.ends_at)
    session.add(appointment)
    return appointment, "booked"


def plannable_appointment(session, viewer, appointment_id):
    """A visible appointment the viewer may move or cancel: their own, or anyone's for a
    manager who assigns."""
    appointment = scope(session.query(Appointment), Appointment, viewer).filter(
        Appointment.id == appointment_id).first()
    if appointment is None:
        raise NotVisible(_("Page ou élément introuvable."))
    if appointment.owner_id != viewer.user_id and not viewer.can_assign:
        raise NotYours(_("Accès refusé."))
    return appointment


def move_on_agenda(session, viewer, appointment_id, start_text, end_text, force=False):
    """A new time, dragged on the agenda; Overlap unless `force`."""
    appointment = plannable_appointment(session, viewer, appointment_id)
    start = parse_wall_time(start_text, "start")
    end = parse_wall_time(end_text, "end")
    move_appointment(appointment, start, end)
    if not force:
        _check_free(session, viewer, appointment.owner_id, start, end, appointment.id)
    return appointment, "changed"


def cancel_on_agenda(session, viewer, appointment_id):
    """The appointment cancelled (cancelling twice changes nothing and tells nobody)."""
    appointment = plannable_appointment(session, viewer, appointment_id)
    if appointment.status == "cancelled":
        return appointment, None
    appointment.status = "cancelled"
    return appointment, "cancelled"
