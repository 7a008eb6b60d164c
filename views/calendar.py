"""The agenda: each user's secret iCalendar subscription (/calendar/<token>.ics) that Google
Calendar and Outlook poll, and the page that shows and renews it."""
import datetime as dt
import secrets

from flask import Response, abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import CALENDAR
from app.services.agenda import owned_appointments
from app.services.appointments import check_appointment, move_appointment, overlapping
from app.services.caldav_sync import connect
from app.services.errors import DomainError
from app.services.ical import feed
from app.services.mailer import absolute_url
from app.services.notifications import profile_of
from app.services.viewer import Viewer
from app.timezones import format_local, to_local, to_utc_naive
from jobs.calendar_sync import push_appointment, sync_account
from jobs.queue import enqueue
from models import Appointment, CalendarAccount, ExternalBusy, Lead, User, UserProfile
from models.base import utcnow
from views.appointment_notices import tell_about
from views.scoping import (can_assign, current_user, current_viewer, scope_appointments,
                           scope_leads, sees_all_leads)


def scoped_lead_or_error(value):
    lead = None
    if str(value or "").isdigit():
        lead = scope_leads(db.session.query(Lead)).filter(Lead.id == int(value)).first()
    if lead is None:
        raise DomainError(_("Choisissez un prospect."), field="lead")
    return lead


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
        viewer = Viewer.for_user(db.session, profile.user_id)
        appointments = owned_appointments(db.session, viewer).order_by(Appointment.starts_at).all()
        body = feed(appointments, _("CRM — %(name)s", name=profile.user.get_full_name()),
                    lambda lead_id: absolute_url(f"/leads/show/{lead_id}"))
        db.session.commit()  # the events built on the way
        return Response(body, mimetype="text/calendar", headers={
            "Content-Disposition": "inline; filename=agenda.ics", "Cache-Control": "no-store"})


# One colour per rep (no red: red is for cancelled appointments).
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#ff7f0e", "#7f7f7f", "#393b79")
STATUS_COLOURS = {"planned": "#3a87ad", "confirmed": "#2e7d32", "done": "#757575",
                  "cancelled": "#c62828", "no_show": "#ef6c00"}


def wall_time(value):
    """Naive UTC -> Paris wall time as ISO text: the agenda runs in that zone whatever the
    browser's (FullCalendar in its "UTC" mode shows the text as it is)."""
    return to_local(value).replace(tzinfo=None).isoformat(timespec="minutes")


def parse_wall_time(text, field):
    try:
        value = dt.datetime.fromisoformat(str(text or "").replace("Z", "")[:19])
    except ValueError:
        raise DomainError(_("Date et heure invalides."), field=field)
    return to_utc_naive(value.replace(tzinfo=None))


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


def _overlap_answer(owner_id, start, end, exclude_id=None):
    """A 409 listing the rep's overlapping appointments, unless the user confirmed."""
    if (request.get_json(silent=True) or {}).get("force"):
        return None
    clashes = overlapping(db.session, owner_id, start, end, exclude_id)
    if not clashes:
        return None
    # A clash on a lead the user no longer sees still takes the slot, unnamed.
    seen = {pk for pk, in scope_appointments(db.session.query(Appointment.id)).filter(
        Appointment.id.in_([c.id for c in clashes]))}
    names = ", ".join(f"{c.lead.full_name if c.id in seen else _('Rendez-vous')} "
                      f"({format_local(c.starts_at, '%H:%M')})" for c in clashes)
    return jsonify(overlap=True, message=_("Ce commercial a déjà un rendez-vous sur ce créneau : "
                                           "%(names)s. Enregistrer quand même ?", names=names)), 409


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
        token = subscription_token(user.id)
        db.session.commit()
        url = absolute_url(url_for("CalendarFeedView.feed", token=token))
        return self.render_template("calendar/index.html", feed_url=url, title=_("Agenda"),
                                    team=sees_all_leads(), user=user,
                                    account=db.session.get(CalendarAccount, user.id),
                                    can_plan=self.appbuilder.sm.has_access("can_plan", CALENDAR))

    @expose("/caldav", methods=["POST"])
    @has_access
    def connect(self):
        """Connect a CalDAV calendar, then push the coming appointments and read it back."""
        user = current_user()
        try:
            connect(db.session, user.id, request.form.get("server_url"),
                    request.form.get("username"), request.form.get("password"))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return self.index(), 400
        for appointment_id, in owned_appointments(db.session, current_viewer()).with_entities(
                Appointment.id).filter(Appointment.starts_at > utcnow(),
                Appointment.status.in_(("planned", "confirmed"))):
            enqueue(push_appointment, appointment_id)
        enqueue(sync_account, user.id)
        flash(_("Agenda CalDAV connecté."), "success")
        return redirect(url_for("CalendarView.index"))

    @expose("/caldav/sync", methods=["POST"])
    @has_access
    def sync(self):
        sync_account(current_user().id)
        account = db.session.get(CalendarAccount, current_user().id)
        if account is not None and account.last_error:
            flash(_("Synchronisation impossible : %(reason)s", reason=account.last_error), "danger")
        else:
            flash(_("Agenda synchronisé."), "success")
        return redirect(url_for("CalendarView.index"))

    @expose("/caldav/disconnect", methods=["POST"])
    @has_access
    def disconnect(self):
        user_id = current_user().id
        db.session.query(CalendarAccount).filter_by(user_id=user_id).delete()
        db.session.query(ExternalBusy).filter_by(user_id=user_id).delete()
        db.session.commit()
        flash(_("Agenda CalDAV déconnecté."), "success")
        return redirect(url_for("CalendarView.index"))

    def _owner_filter(self):
        """Whose appointments: a rep only theirs; a manager theirs, a colleague's or all."""
        user = current_user()
        wanted = request.args.get("user", "me")
        if not sees_all_leads() or wanted == "me":
            return Appointment.owner_id == user.id
        if wanted == "all":
            return None
        if not wanted.isdigit():
            abort(400, description=_("Filtre invalide : %(name)s", name="user"))
        return Appointment.owner_id == int(wanted)

    @expose("/events")
    @has_access
    def events(self):
        try:
            start = parse_wall_time(request.args.get("start"), "start")
            end = parse_wall_time(request.args.get("end"), "end")
        except DomainError as exc:
            return jsonify(message=exc.message), 400
        if end <= start or end - start > dt.timedelta(days=62):
            return jsonify(message=_("Période invalide.")), 400
        query = scope_appointments(db.session.query(Appointment)).filter(
            Appointment.starts_at < end, Appointment.ends_at > start)
        owner = self._owner_filter()
        if owner is not None:
            query = query.filter(owner)
        if request.args.get("cancelled") != "1":
            query = query.filter(Appointment.status != "cancelled")
        return jsonify([event_json(a) for a in query.order_by(Appointment.starts_at).limit(2000)])

    @expose("/events", methods=["POST"])
    @has_access
    def create(self):
        data = request.get_json(silent=True) or {}
        try:
            lead = scoped_lead_or_error(data.get("lead"))
            owner_id = current_user().id
            if data.get("owner") and can_assign():
                owner = db.session.get(User, int(data["owner"]))
                if owner is None or not owner.active:
                    raise DomainError(_("Choisissez un commercial actif."), field="owner")
                owner_id = owner.id
            appointment = Appointment(
                lead_id=lead.id, owner_id=owner_id,
                title=(data.get("title") or "").strip()[:200] or None,
                place=(data.get("place") or "").strip()[:300] or None, status="planned",
                starts_at=parse_wall_time(data.get("start"), "start"),
                ends_at=parse_wall_time(data.get("end"), "end"))
            check_appointment(appointment)
        except (DomainError, ValueError) as exc:
            db.session.rollback()
            return jsonify(message=getattr(exc, "message", _("Données invalides."))), 400
        clash = _overlap_answer(owner_id, appointment.starts_at, appointment.ends_at)
        if clash:
            db.session.rollback()
            return clash
        db.session.add(appointment)
        db.session.commit()
        tell_about(appointment, "booked")
        return jsonify(event_json(appointment)), 201

    def _visible(self, appointment_id):
        appointment = scope_appointments(db.session.query(Appointment)).filter(
            Appointment.id == appointment_id).first()
        if appointment is None:
            abort(404)
        if appointment.owner_id != current_user().id and not can_assign():
            abort(403)
        return appointment

    @expose("/events/<int:appointment_id>/move", methods=["POST"])
    @has_access
    def move(self, appointment_id):
        appointment = self._visible(appointment_id)
        data = request.get_json(silent=True) or {}
        try:
            start = parse_wall_time(data.get("start"), "start")
            end = parse_wall_time(data.get("end"), "end")
            move_appointment(appointment, start, end)
        except DomainError as exc:
            db.session.rollback()
            return jsonify(message=exc.message), 400
        clash = _overlap_answer(appointment.owner_id, start, end, appointment.id)
        if clash:
            db.session.rollback()
            return clash
        db.session.commit()
        tell_about(appointment, "changed")
        return jsonify(event_json(appointment))

    @expose("/events/<int:appointment_id>/cancel", methods=["POST"])
    @has_access
    def cancel(self, appointment_id):
        appointment = self._visible(appointment_id)
        if appointment.status != "cancelled":
            appointment.status = "cancelled"
            db.session.commit()
            tell_about(appointment, "cancelled")
        return jsonify(event_json(appointment))

    @expose("/renew", methods=["POST"])
    @has_access
    def renew(self):
        subscription_token(current_user().id, renew=True)
        db.session.commit()
        flash(_("Nouvelle adresse d'abonnement créée : l'ancienne ne fonctionne plus."), "success")
        return redirect(url_for("CalendarView.index"))
