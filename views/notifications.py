"""The bell (unread count, polled), the notification list, each user's channel choices, and
"Mes rappels"."""
import datetime as dt

from flask import flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.utils.base import is_safe_redirect_url
from flask_babel import gettext as _

from app.extensions import db
from app.security import NOTIFICATIONS, REMINDERS
from app.services.notifications import chosen_channels, mark_read, recent, save_channels, unread_count
from app.services.reminders import buckets
from app.services.viewer import scope
from app.timezones import crm_zone, to_utc_naive
from models import EVENTS, NOTIFICATION_CHANNELS, Reminder
from models.base import utcnow
from views.base import PageView
from views.scoping import current_user, current_viewer


class NotificationView(BaseView):
    route_base = "/notifications"
    class_permission_name = NOTIFICATIONS
    base_permissions = ["can_list", "can_read", "can_preferences"]
    method_permission_name = {"index": "list", "count": "list", "read": "read",
                              "preferences": "preferences"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("notifications/index.html",
                                    items=recent(db.session, current_viewer(), limit=100),
                                    title=_("Notifications"))

    @expose("/count")
    @has_access
    def count(self):
        """What the bell polls: one indexed count."""
        return jsonify(unread=unread_count(db.session, current_viewer()))

    @expose("/read", methods=["POST"])
    @has_access
    def read(self):
        """Mark read: one (id, then follow its link), or all."""
        user = current_user()
        raw = request.form.get("id", "")
        if raw and not raw.isdigit():
            return jsonify(error=_("Identifiant invalide.")), 400
        ids = [int(raw)] if raw else None
        mark_read(db.session, user.id, ids)
        db.session.commit()
        target = request.form.get("next", "")
        if target.startswith("/") and is_safe_redirect_url(target):  # this site only
            return redirect(target)
        return redirect(url_for("NotificationView.index"))

    @expose("/preferences", methods=["GET", "POST"])
    @has_access
    def preferences(self):
        user = current_user()
        if request.method == "POST":
            pairs = {tuple(value.split(":", 1)) for value in request.form.getlist("pref")
                     if ":" in value}
            if any(e not in EVENTS or c not in NOTIFICATION_CHANNELS for e, c in pairs):
                flash(_("Choix inconnu."), "danger")
                return self._preferences_page(user), 400
            save_channels(db.session, user.id, pairs)
            db.session.commit()
            flash(_("Préférences enregistrées."), "success")
            return redirect(url_for("NotificationView.preferences"))
        return self._preferences_page(user)

    def _preferences_page(self, user):
        return self.render_template("notifications/preferences.html", events=EVENTS,
                                    channels=NOTIFICATION_CHANNELS,
                                    chosen=chosen_channels(db.session, user.id),
                                    title=_("Mes notifications"))


class ReminderView(PageView):
    """Mes rappels: the user's open reminders, overdue first."""

    route_base = "/reminders"
    class_permission_name = REMINDERS

    @expose("/")
    @has_access
    def index(self):
        viewer = current_viewer()
        # Only on leads the user still sees (a lead handed to another rep drops out).
        reminders = (scope(db.session.query(Reminder), Reminder, viewer)
                     .filter(Reminder.user_id == viewer.user_id, Reminder.done_at.is_(None))
                     .order_by(Reminder.due_at).limit(500).all())
        now = utcnow()
        local_today = dt.datetime.now(crm_zone()).replace(tzinfo=None).date()
        end_of_day = to_utc_naive(dt.datetime.combine(local_today, dt.time(23, 59, 59)))
        overdue, today, upcoming = buckets(reminders, now, end_of_day)
        return self.render_template("reminders/index.html", overdue=overdue, today=today,
                                    upcoming=upcoming, title=_("Mes rappels"))
