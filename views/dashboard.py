"""Tableau de bord: managers see the team, reps their own leads and their day. Every figure is
an SQL sum over the running counts (app/services/stats.py); every chart also reads as a table."""
import datetime as dt

from flask import abort, request
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import DASHBOARD
from app.services.stats import by_rep, funnel, leads_over_time, performance
from app.services.agenda import agenda_appointments
from app.services.viewer import scope
from app.timezones import crm_zone, to_utc_naive
from models import STATUSES, Appointment, Reminder, User
from models.base import utcnow
from views.base import PageView
from views.request_args import day_arg
from views.scoping import current_viewer

UNITS = ("day", "week", "month")


def _int_arg(name):
    value = request.args.get(name, "")
    if value and not value.isdigit():
        abort(400, description=_("Filtre invalide : %(name)s", name=name))
    return int(value) if value else None


class DashboardView(PageView):
    route_base = "/dashboard"
    class_permission_name = DASHBOARD

    @expose("/")
    @has_access
    def index(self):
        viewer = current_viewer()
        team = viewer.sees_all_leads
        today = dt.datetime.now(crm_zone()).date()
        start_day = day_arg("created_from", today - dt.timedelta(days=29))
        end_day = day_arg("created_to", today)
        unit = request.args.get("unit", "day")
        if end_day < start_day or unit not in UNITS:
            abort(400, description=_("Période invalide."))
        filters = {"first_day": start_day, "last_day": end_day, "source_id": _int_arg("source"),
                   "campaign_id": _int_arg("campaign"),
                   "owner_id": _int_arg("owner") if team else viewer.user_id}
        now = utcnow()
        campaigns = [r for r in performance(db.session, "campaign", **filters) if r["key"]]
        ranked = sorted((r for r in campaigns if r["leads"] >= 5),
                        key=lambda r: (r["conversion_rate"], r["leads"]), reverse=True)
        reps = by_rep(db.session, **filters) if team else []
        names = dict(db.session.query(User.id, User.first_name + " " + User.last_name)
                     .filter(User.id.in_([r["owner_id"] for r in reps])).all()) if reps else {}
        week_start = to_utc_naive(dt.datetime.combine(today - dt.timedelta(days=today.weekday()),
                                                      dt.time()))
        appointments = agenda_appointments(db.session, viewer).filter(
            Appointment.starts_at >= week_start,
            Appointment.starts_at < week_start + dt.timedelta(days=7),
            Appointment.status.in_(("planned", "confirmed", "done")))
        end_of_today = to_utc_naive(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
        my_reminders = scope(db.session.query(Reminder), Reminder, viewer).filter(
            Reminder.user_id == viewer.user_id, Reminder.done_at.is_(None),
            Reminder.due_at < end_of_today).order_by(Reminder.due_at).limit(20).all()
        counts = funnel(db.session, **filters)
        return self.render_template(
            "dashboard/index.html", title=_("Tableau de bord"), team=team,
            period={"created_from": start_day.isoformat(), "created_to": end_day.isoformat()},
            unit=unit, over_time=leads_over_time(db.session, unit, **filters),
            funnel=[(str(label), counts.get(code, 0)) for code, label in STATUSES.items()],
            sources=performance(db.session, "source", **filters), campaigns=campaigns,
            best=ranked[:3], worst=ranked[-3:][::-1] if len(ranked) > 3 else [],
            reps=[{**r, "name": names.get(r["owner_id"], "?")} for r in reps],
            appointments=appointments.order_by(Appointment.starts_at).limit(50).all(),
            reminders=my_reminders, now=now)
