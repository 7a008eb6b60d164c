"""Telling users what concerns them: in the app, by e-mail, by SMS, as each user chose.

`notify` writes the notification (its title in the user's language) and marks the e-mail and
SMS copies pending; after the caller commits, jobs.notifications.deliver sends those copies.
"""
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, true, update

from app.services.viewer import scope
from models import (DEFAULT_CHANNELS, EVENTS, NOTIFICATION_CHANNELS, Notification,
                    NotificationPreference, User, UserProfile)
from models.base import utcnow


def chosen_channels(session, user_id):
    """{event: set of channels} for a user: their choices over the defaults."""
    chosen = {event: {c for c, events in DEFAULT_CHANNELS.items() if event in events}
              for event in EVENTS}
    for pref in session.query(NotificationPreference).filter_by(user_id=user_id):
        if pref.event in chosen and pref.channel in NOTIFICATION_CHANNELS:
            (chosen[pref.event].add if pref.enabled else chosen[pref.event].discard)(pref.channel)
    return chosen


def save_channels(session, user_id, pairs):
    """Store the user's choice: `pairs` is the set of (event, channel) they want."""
    session.query(NotificationPreference).filter_by(user_id=user_id).delete()
    session.add_all(NotificationPreference(user_id=user_id, event=event, channel=channel,
                                           enabled=(event, channel) in pairs)
                    for event in EVENTS for channel in NOTIFICATION_CHANNELS)


def profile_of(session, user_id):
    return session.get(UserProfile, user_id) or UserProfile(user_id=user_id, locale=default_locale())


def default_locale():
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")


def notify(session, user_id, event, title, url=None, lead_id=None):
    """Notify one user; `title` is a callable giving the text in the current language.
    Returns the notification, or None if the user wants nothing for this event."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    channels = chosen_channels(session, user_id)[event]
    if not channels:
        return None
    profile = profile_of(session, user_id)
    text = title_for(profile, title)
    now = utcnow()
    item = Notification(
        user_id=user_id, event=event, title=text, url=url, lead_id=lead_id, created_at=now,
        in_app="app" in channels, read_at=None if "app" in channels else now,
        email_state="pending" if "email" in channels and user.email else None,
        sms_state="pending" if "sms" in channels and profile.mobile else None)
    session.add(item)
    return item


def title_for(profile, title):
    """The notification's text in the user's language."""
    with force_locale(profile.locale or default_locale()):
        return str(title())[:300]


def unread_count(session, viewer):
    """The viewer's unread notifications (none about a lead they no longer see)."""
    return session.scalar(scope(select(func.count()).select_from(Notification), Notification,
                                viewer).where(Notification.read_at.is_(None))) or 0


def recent(session, viewer, limit=50):
    return session.scalars(
        scope(select(Notification), Notification, viewer)
        .where(Notification.in_app == true())  # the index's predicate
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


def mark_read(session, user_id, ids=None):
    """Mark the user's notifications read (all, or those ids): another user's are untouched."""
    query = update(Notification).where(Notification.user_id == user_id,
                                       Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    return session.execute(query.values(read_at=utcnow())).rowcount
