"""A user's calendars outside the CRM: the secret iCalendar subscription that Google Calendar
and Outlook poll, and the CalDAV account kept in step (app/services/caldav_sync.py)."""
import secrets

from flask_babel import gettext as _

from app.services.agenda import owned_appointments
from app.services.caldav_sync import connect
from app.services.ical import feed
from app.services.mailer import absolute_url
from app.services.notifications import profile_of
from app.services.viewer import Viewer
from models import Appointment, CalendarAccount, ExternalBusy, UserProfile
from models.base import utcnow

LONGEST_TOKEN = 64


def subscription_token(session, user_id, renew=False):
    """The user's feed secret, created on first use; `renew` revokes the old address."""
    profile = session.get(UserProfile, user_id)
    if profile is None:
        profile = profile_of(session, user_id)
        session.add(profile)
    if renew or not profile.calendar_token:
        profile.calendar_token = secrets.token_urlsafe(32)
    return profile.calendar_token


def calendar_account(session, user_id):
    """The user's CalDAV account, if any (its last error says why a sync failed)."""
    return session.get(CalendarAccount, user_id)


def subscription(session, user_id):
    """What the agenda page shows: the feed secret (created on first visit) and the account."""
    return subscription_token(session, user_id), calendar_account(session, user_id)


def subscription_feed(session, token):
    """The iCalendar text behind a feed secret, as its owner's viewer sees the appointments
    (None for an unknown secret or a deactivated user). The caller commits the events built on
    the way."""
    if len(token) > LONGEST_TOKEN:
        return None
    profile = session.query(UserProfile).filter_by(calendar_token=token).first()
    if profile is None or not profile.user.active:
        return None
    viewer = Viewer.for_user(session, profile.user_id)
    appointments = owned_appointments(session, viewer).order_by(Appointment.starts_at).all()
    return feed(appointments, _("CRM — %(name)s", name=profile.user.get_full_name()),
                lambda lead_id: absolute_url(f"/leads/show/{lead_id}"))


def connect_calendar(session, viewer, url, username, password):
    """Store the viewer's CalDAV account (DomainError if the server refuses); the ids of their
    coming live appointments, to push there once committed."""
    connect(session, viewer.user_id, url, username, password)
    return [pk for pk, in owned_appointments(session, viewer).with_entities(Appointment.id).filter(
        Appointment.starts_at > utcnow(), Appointment.status.in_(("planned", "confirmed")))]


def disconnect_calendar(session, user_id):
    """Forget the account and the busy times read from it."""
    session.query(CalendarAccount).filter_by(user_id=user_id).delete()
    session.query(ExternalBusy).filter_by(user_id=user_id).delete()
