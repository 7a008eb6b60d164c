"""The public booking pages (/rdv/<slug>): no login, French, made for a phone. A lead books a
free slot, then moves or cancels it through the private link of their confirmation e-mail."""
import itertools
import time

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import OperationalError

from app.body_limits import body_limit
from app.extensions import db
from app.services.booking import (CONSENT_WORDING, appointment_for_token, book, cancel,
                                  manage_token, parse_slot, reschedule)
from app.services.errors import DomainError
from app.timezones import to_local
from jobs.appointments import email_lead, schedule_lead_reminders
from jobs.calendar_sync import push_appointment
from jobs.notifications import notify_appointment
from jobs.queue import enqueue
from app.services.slots import free_slots
from models import BookingPage
from models.base import utcnow

HONEYPOT = "site_web"


def committed(action, attempts=4):
    """Run a booking change and commit it. SQLite refuses a second writer whose read snapshot
    went stale ("database is locked") instead of waiting: start again from a fresh
    transaction, where the held quarter hours decide who had the slot."""
    for attempt in range(attempts):
        try:
            result = action()
            db.session.commit()
            return result
        except OperationalError as exc:
            db.session.rollback()
            if "locked" not in str(exc.orig):
                raise
            time.sleep(0.05 * (attempt + 1))
    raise DomainError(_("Trop de réservations en même temps : réessayez dans un instant."))


def _booking_limit():
    return current_app.config["CRM_BOOKING_RATE_LIMIT"]


def _visitor_proof():
    """What proves the visitor's consent besides the wording: the page, their address (through
    the trusted proxies) and browser."""
    return {"page_url": request.base_url[:2000], "ip_address": request.remote_addr,
            "user_agent": request.headers.get("User-Agent", "")[:500]}


def _days(slots):
    """Free slots grouped by local day, for the page: [(date, [(utc value, "09:30")])]."""
    local = [(to_local(start), start) for start, _reps in slots]
    return [(day, [(start.strftime("%Y-%m-%dT%H:%M"), moment.strftime("%H:%M")) for moment, start in group])
            for day, group in itertools.groupby(local, key=lambda pair: pair[0].date())]


class BookingView(BaseView):
    route_base = "/rdv"
    limits = [Limit(limit_value=_booking_limit, key_func=get_remote_address)]

    def _page(self, slug):
        page = db.session.query(BookingPage).filter_by(slug=slug, active=True).first()
        if page is None:
            abort(404, description=_("Cette page de prise de rendez-vous n'existe pas."))
        return page

    def _render(self, template, status=200, **context):
        return render_template(template, **context), status

    def _form_page(self, page, status=200, error=None, form=None):
        slots = free_slots(db.session, page, utcnow())
        return self._render("booking/page.html", status, page=page, days=_days(slots),
                            error=error, form=form or {}, honeypot=HONEYPOT,
                            consent_wording=CONSENT_WORDING)

    @expose("/<slug>", methods=["GET"])
    def page(self, slug):
        return self._form_page(self._page(slug))

    @expose("/<slug>", methods=["POST"])
    @body_limit("CRM_BOOKING_MAX_BYTES")
    def take(self, slug):
        page = self._page(slug)
        if request.form.get(HONEYPOT):
            return self._render("booking/thanks.html", page=page)
        try:
            appointment = committed(lambda: book(
                db.session, page, parse_slot(request.form.get("slot")), request.form,
                current_app.config["CRM_PHONE_REGION"], proof=_visitor_proof()))
        except DomainError as exc:
            db.session.rollback()
            return self._form_page(page, 400, exc.message, request.form)
        self._after(appointment, "booked")
        return redirect(url_for("BookingView.manage", token=manage_token(appointment), done=1))

    @staticmethod
    def _after(appointment, change):
        enqueue(email_lead, appointment.id, change)
        enqueue(notify_appointment, appointment.id, change)
        enqueue(push_appointment, appointment.id)
        schedule_lead_reminders(appointment)

    def _managed(self, token):
        appointment = appointment_for_token(db.session, token)
        if appointment is None or appointment.booking_page_id is None:
            abort(404, description=_("Ce lien n'est pas valide. Utilisez celui de votre e-mail "
                                     "de confirmation."))
        return appointment, db.session.get(BookingPage, appointment.booking_page_id)

    def _manage_page(self, appointment, page, status=200, error=None):
        slots = free_slots(db.session, page, utcnow(), exclude_id=appointment.id) if page else []
        return self._render("booking/manage.html", status, appointment=appointment, page=page,
                            days=_days(slots), error=error, when=to_local(appointment.starts_at),
                            done=request.args.get("done") == "1")

    @expose("/gerer/<token>", methods=["GET"])
    def manage(self, token):
        return self._manage_page(*self._managed(token))

    @expose("/gerer/<token>/deplacer", methods=["POST"])
    @body_limit("CRM_BOOKING_MAX_BYTES")
    def move(self, token):
        appointment, page = self._managed(token)
        try:
            committed(lambda: reschedule(db.session, appointment, page,
                                         parse_slot(request.form.get("slot"))))
        except DomainError as exc:
            db.session.rollback()
            return self._manage_page(appointment, page, 400, exc.message)
        self._after(appointment, "changed")
        return redirect(url_for("BookingView.manage", token=token))

    @expose("/gerer/<token>/annuler", methods=["POST"])
    @body_limit("CRM_BOOKING_MAX_BYTES")
    def cancel(self, token):
        appointment, page = self._managed(token)
        try:
            cancel(db.session, appointment)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return self._manage_page(appointment, page, 400, exc.message)
        self._after(appointment, "cancelled")
        return redirect(url_for("BookingView.manage", token=token))
