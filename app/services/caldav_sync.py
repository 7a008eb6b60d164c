"""Two-way sync with a user's CalDAV calendar (the caldav library).

Push: each appointment of the user is written to the calendar under its own UID (cancelled
ones are removed). Pull: the calendar's events over the coming weeks are read back; an
appointment moved there moves in the CRM, one deleted there is cancelled, and every other
event becomes busy time that booking pages respect."""
import datetime as dt

import caldav
from caldav.lib.error import DAVError, NotFoundError
from caldav.lib.http_sync import requests as http  # niquests or requests, as caldav chose
from flask import current_app
from flask_babel import gettext as _

from app.services import outbound
from app.services.errors import DomainError
from app.services.ical import single_event
from app.services.viewer import Viewer, scope, user_sees_lead
from app.timezones import to_utc_naive
from models import Appointment, CalendarAccount, ExternalBusy
from models.base import utcnow

PAST, AHEAD = dt.timedelta(days=1), dt.timedelta(days=90)
LIVE = ("planned", "confirmed")
FAILURES = (DAVError, http.exceptions.RequestException, OSError, ValueError)


def _client(url, username, password):
    """A client whose every request (redirects and the URLs the server names included) goes
    through the outbound guard."""
    client = caldav.DAVClient(url=url, username=username, password=password, timeout=15,
                              enable_rfc6764=False)
    client.session.close()
    client.session = outbound.session()
    return client


def failure_message(exc):
    """What the user reads of a failure: our own words, never the remote server's answer
    (a probe of the internal network would read it); the details go to the server log."""
    if isinstance(exc, DomainError):
        return exc.message
    current_app.logger.warning("CalDAV request failed: %r", exc)
    return _("Connexion CalDAV impossible : vérifiez l'adresse du serveur, l'identifiant et le "
             "mot de passe d'application.")


def _calendar(account):
    password = account.password_secret  # None: sealed with a key no longer configured
    if password is None:
        raise DomainError(_("Reconnectez votre agenda CalDAV (la clé du serveur a changé)."))
    return _client(account.calendar_url, account.username, password).calendar(url=account.calendar_url)


def connect(session, user_id, url, username, password):
    """Check the account, pick its calendar (the one at `url`, else the first, else a new
    "CRM" calendar) and store it. DomainError with the reason if the server refuses."""
    url, username = (url or "").strip(), (username or "").strip()
    if not url.startswith(("http://", "https://")) or not username or not password:
        raise DomainError(_("Adresse (http… ou https…), identifiant et mot de passe sont "
                            "obligatoires."), field="server_url")
    try:
        principal = _client(url, username, password).principal()
        calendars = principal.calendars()
        chosen = next((c for c in calendars if str(c.url).rstrip("/") == url.rstrip("/")), None)
        chosen = chosen or (calendars[0] if calendars else principal.make_calendar(name="CRM"))
        name = chosen.get_display_name()
    except FAILURES as exc:
        raise DomainError(failure_message(exc), field="server_url")
    account = session.get(CalendarAccount, user_id) or CalendarAccount(user_id=user_id)
    account.server_url, account.username, account.password_secret = url, username, password
    account.calendar_url, account.calendar_name = str(chosen.url), name
    account.active, account.last_error = True, None
    session.add(account)
    return account


def push(session, appointment):
    """Write (or remove) one appointment in its rep's calendar, if the rep has one. A rep who
    no longer sees the lead (sent back to the pool, say) gets the copy removed, not its details."""
    account = session.get(CalendarAccount, appointment.owner_id) if appointment.owner_id else None
    if account is None or not account.active:
        return False
    calendar = _calendar(account)
    if appointment.status not in LIVE or not user_sees_lead(session, appointment.owner_id,
                                                             appointment.lead_id):
        if appointment.caldav_href:
            _delete(calendar, appointment.caldav_href)
            appointment.caldav_href = None
        return True
    event = calendar.save_event(single_event(appointment))
    appointment.caldav_href = str(event.url)
    return True


def remove_copy(session, user_id, href):
    """Remove the event at `href` from a user's calendar (an appointment given to another
    rep), if the user has one."""
    account = session.get(CalendarAccount, user_id) if user_id and href else None
    if account is None or not account.active:
        return False
    _delete(_calendar(account), href)
    return True


def _delete(calendar, href):
    try:
        calendar.event_by_url(href).delete()
    except NotFoundError:  # already gone (deleted there, or a retried job)
        pass


def _utc(value):
    """An event time as naive UTC: floating times and all-day dates are Paris time."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return to_utc_naive(value)


def pull(session, account, now=None):
    """Read the calendar back. Returns [(appointment, "changed" | "cancelled")]."""
    now = now or utcnow()
    start, end = now - PAST, now + AHEAD
    calendar = _calendar(account)
    events = calendar.search(start=start, end=end, event=True, expand=True)
    # Only what the rep may see: an event of a lead they lost moves or cancels nothing here.
    ours = {a.uid: a for a in scope(session.query(Appointment).filter(
        Appointment.owner_id == account.user_id, Appointment.caldav_href.is_not(None)),
        Appointment, Viewer.for_user(session, account.user_id))}
    changes, seen, busy = [], set(), []
    for event in events:
        component = event.icalendar_component
        uid = str(component.get("uid", ""))
        begins = _utc(component.decoded("dtstart"))
        ends = _utc(component.decoded("dtend")) if component.get("dtend") else begins + dt.timedelta(hours=1)
        appointment = ours.get(uid)
        if appointment is not None:
            seen.add(uid)
            if appointment.status in LIVE and (appointment.starts_at, appointment.ends_at) != (begins, ends):
                appointment.starts_at, appointment.ends_at = begins, ends
                changes.append((appointment, "changed"))
        elif str(component.get("transp", "")).upper() != "TRANSPARENT" \
                and str(component.get("status", "")).upper() != "CANCELLED":
            busy.append(ExternalBusy(user_id=account.user_id, starts_at=begins, ends_at=ends))
    for uid, appointment in ours.items():
        if uid not in seen and appointment.status in LIVE and start <= appointment.starts_at < end:
            appointment.status, appointment.caldav_href = "cancelled", None  # deleted there
            changes.append((appointment, "cancelled"))
    session.query(ExternalBusy).filter(ExternalBusy.user_id == account.user_id).delete()
    session.add_all(busy)
    account.last_sync_at, account.last_error = now, None
    return changes
