"""The agenda: each user's secret iCalendar subscription (/calendar/<token>.ics) that Google
Calendar and Outlook poll, and the page that shows and renews it."""
import secrets

from flask import Response, abort, flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import CALENDAR
from app.services.ical import feed
from app.services.mailer import absolute_url
from app.services.notifications import profile_of
from models import Appointment, UserProfile
from views.scoping import current_user


def subscription_token(user_id, renew=False):
    """The user's feed secret, created on first use; `renew` revokes the old address."""
    profile = db.session.get(UserProfile, user_id)
    if profile is None:
        profile = profile_of(db.session, user_id)
        db.session.add(profile)
    if renew or not profile.calendar_token:
        profile.calendar_token = secrets.token_urlsafe(32)
    return profile.calendar_token


class CalendarFeedView(BaseView):
    """Public by its secret: calendar apps do not log in."""

    route_base = "/calendar"

    @expose("/<token>.ics")
    def feed(self, token):
        if len(token) > 64:
            abort(404)
        profile = db.session.query(UserProfile).filter_by(calendar_token=token).first()
        if profile is None or not profile.user.active:
            abort(404)
        appointments = (db.session.query(Appointment).filter(Appointment.owner_id == profile.user_id)
                        .order_by(Appointment.starts_at).all())
        body = feed(appointments, _("CRM — %(name)s", name=profile.user.get_full_name()),
                    lambda lead_id: absolute_url(f"/leads/show/{lead_id}"))
        return Response(body, mimetype="text/calendar", headers={
            "Content-Disposition": "inline; filename=agenda.ics", "Cache-Control": "no-store"})


class CalendarView(BaseView):
    route_base = "/agenda"
    class_permission_name = CALENDAR
    base_permissions = ["can_list", "can_subscribe"]
    method_permission_name = {"index": "list", "renew": "subscribe"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        user = current_user()
        token = subscription_token(user.id)
        db.session.commit()
        url = absolute_url(url_for("CalendarFeedView.feed", token=token))
        return self.render_template("calendar/index.html", feed_url=url,
                                    title=_("Agenda"))

    @expose("/renew", methods=["POST"])
    @has_access
    def renew(self):
        subscription_token(current_user().id, renew=True)
        db.session.commit()
        flash(_("Nouvelle adresse d'abonnement créée : l'ancienne ne fonctionne plus."), "success")
        return redirect(url_for("CalendarView.index"))
