"""The agenda: each user's secret iCalendar subscription (/calendar/<token>.ics) that Google
Calendar and Outlook poll, the page that shows and renews it, and planning on the agenda.
The rules live in app/services/calendar_planning.py and calendar_subscription.py."""
from flask import Response, abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import CALENDAR
from app.services.calendar_planning import (NotVisible, NotYours, Overlap, agenda_events,
                                            book_appointment, cancel_on_agenda, move_on_agenda,
                                            wall_time)
from app.services.calendar_subscription import (calendar_account, connect_calendar,
                                                disconnect_calendar, subscription,
                                                subscription_feed, subscription_token)
from app.services.errors import DomainError
from app.services.mailer import absolute_url
from jobs.calendar_sync import push_appointment, sync_account
from jobs.queue import enqueue
from views.appointment_notices import tell_about
from views.scoping import current_user, current_viewer, sees_all_leads


def _commit(action, after=None):
    """Run one service call and commit; `after` then gets its result (notices, pushes). A
    DomainError writes nothing and goes up to the view's answer."""
    try:
        result = action()
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    if after:
        after(result)
    return result


class CalendarFeedView(BaseView):
    """Public by its secret: calendar apps do not log in."""

    route_base = "/calendar"

    @expose("/<token>.ics")
    def feed(self, token):
        body = _commit(lambda: subscription_feed(db.session, token))  # the events built
        if body is None:
            abort(404)
        return Response(body, mimetype="text/calendar", headers={
            "Content-Disposition": "inline; filename=agenda.ics", "Cache-Control": "no-store"})


# One colour per rep (no red: red is for cancelled appointments).
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#ff7f0e", "#7f7f7f", "#393b79")
STATUS_COLOURS = {"planned": "#3a87ad", "confirmed": "#2e7d32", "done": "#757575",
                  "cancelled": "#c62828", "no_show": "#ef6c00"}


def event_json(appointment):
    lead = appointment.lead
    return {
        "id": appointment.id,
        "title": lead.full_name + (f" — {appointment.title}" if appointment.title else ""),
        "start": wall_time(appointment.starts_at), "end": wall_time(appointment.ends_at),
        "backgroundColor": PALETTE[(appointment.owner_id or 0) % len(PALETTE)],
        "borderColor": STATUS_COLOURS.get(appointment.status, "#3a87ad"),
        "classNames": [f"crm-event-{appointment.status}"],
        "editable": appointment.status in ("planned", "confirmed"),
        "extendedProps": {
            "lead": lead.full_name, "leadUrl": url_for("LeadView.show", pk=lead.id),
            "status": appointment.status, "statusLabel": appointment.status_label(),
            "statusColour": STATUS_COLOURS.get(appointment.status, "#3a87ad"),
            "place": appointment.place or "", "minutes": appointment.minutes or "",
            "owner": appointment.owner.get_full_name() if appointment.owner else "",
            "editUrl": url_for("AppointmentView.edit", pk=appointment.id),
            "phone": lead.phone or "", "email": lead.email or ""},
    }


def _planned(action, status=200):
    """Book, move or cancel, then the event as the agenda shows it; the lead and the rep hear
    of the change once committed. A refusal answers its reason (an overlap: 409, to confirm)."""
    try:
        appointment, _change = _commit(action, after=lambda done: tell_about(*done))
    except (NotVisible, NotYours) as exc:
        abort(exc.status)
    except DomainError as exc:
        overlap = {"overlap": True} if isinstance(exc, Overlap) else {}
        return jsonify(message=exc.message, **overlap), exc.status
    return jsonify(event_json(appointment)), status


def _json_body():
    return request.get_json(silent=True) or {}


class CalendarView(BaseView):
    route_base = "/agenda"
    class_permission_name = CALENDAR
    base_permissions = ["can_list", "can_subscribe", "can_plan"]
    method_permission_name = {"index": "list", "events": "list", "renew": "subscribe",
                              "connect": "subscribe", "disconnect": "subscribe",
                              "sync": "subscribe", "create": "plan", "move": "plan",
                              "cancel": "plan"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        user = current_user()
        token, account = _commit(lambda: subscription(db.session, user.id))
        url = absolute_url(url_for("CalendarFeedView.feed", token=token))
        return self.render_template("calendar/index.html", feed_url=url, title=_("Agenda"),
                                    team=sees_all_leads(), user=user, account=account,
                                    can_plan=self.appbuilder.sm.has_access("can_plan", CALENDAR))

    @expose("/caldav", methods=["POST"])
    @has_access
    def connect(self):
        """Connect a CalDAV calendar, then push the coming appointments and read it back."""
        form, viewer = request.form, current_viewer()

        def push_and_read(appointment_ids):
            for appointment_id in appointment_ids:
                enqueue(push_appointment, appointment_id)
            enqueue(sync_account, viewer.user_id)
        try:
            _commit(lambda: connect_calendar(db.session, viewer, form.get("server_url"),
                                             form.get("username"), form.get("password")),
                    after=push_and_read)
        except DomainError as exc:
            flash(exc.message, "danger")
            return self.index(), 400
        flash(_("Agenda CalDAV connecté."), "success")
        return redirect(url_for("CalendarView.index"))

    @expose("/caldav/sync", methods=["POST"])
    @has_access
    def sync(self):
        sync_account(current_user().id)  # the job, run now: it commits and records a failure
        account = calendar_account(db.session, current_user().id)
        if account is not None and account.last_error:
            flash(_("Synchronisation impossible : %(reason)s", reason=account.last_error), "danger")
        else:
            flash(_("Agenda synchronisé."), "success")
        return redirect(url_for("CalendarView.index"))

    @expose("/caldav/disconnect", methods=["POST"])
    @has_access
    def disconnect(self):
        _commit(lambda: disconnect_calendar(db.session, current_user().id))
        flash(_("Agenda CalDAV déconnecté."), "success")
        return redirect(url_for("CalendarView.index"))

    @expose("/events")
    @has_access
    def events(self):
        args = request.args
        try:
            appointments = agenda_events(db.session, current_viewer(), args.get("start"),
                                         args.get("end"), args.get("user", "me"),
                                         cancelled=args.get("cancelled") == "1")
        except DomainError as exc:
            if exc.field == "user":  # a bad filter, refused as on every other page
                abort(400, description=exc.message)
            return jsonify(message=exc.message), 400
        return jsonify([event_json(a) for a in appointments])

    @expose("/events", methods=["POST"])
    @has_access
    def create(self):
        data = _json_body()
        return _planned(lambda: book_appointment(
            db.session, current_viewer(), data.get("lead"), data.get("start"), data.get("end"),
            title=data.get("title"), place=data.get("place"), owner=data.get("owner"),
            force=bool(data.get("force"))), status=201)

    @expose("/events/<int:appointment_id>/move", methods=["POST"])
    @has_access
    def move(self, appointment_id):
        data = _json_body()
        return _planned(lambda: move_on_agenda(db.session, current_viewer(), appointment_id,
                                               data.get("start"), data.get("end"),
                                               force=bool(data.get("force"))))

    @expose("/events/<int:appointment_id>/cancel", methods=["POST"])
    @has_access
    def cancel(self, appointment_id):
        return _planned(lambda: cancel_on_agenda(db.session, current_viewer(), appointment_id))

    @expose("/renew", methods=["POST"])
    @has_access
    def renew(self):
        _commit(lambda: subscription_token(db.session, current_user().id, renew=True))
        flash(_("Nouvelle adresse d'abonnement créée : l'ancienne ne fonctionne plus."), "success")
        return redirect(url_for("CalendarView.index"))
