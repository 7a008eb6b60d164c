"""Booking by leads themselves: a free slot of a page becomes an appointment with a rep, for a
lead found by e-mail or phone or created; moving or cancelling through a private link.

Two visitors on the same slot: each booking holds the rep's quarter hours in
appointment_block (primary key rep + quarter), so the second insert fails and only one
appointment remains, on SQLite as on PostgreSQL."""
import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from app.services.assignment import record
from app.services.contact import normalise_email, normalise_phone, search_key
from app.services.errors import DomainError
from app.services.leads import find_duplicate
from app.services.privacy.consent_intake import GENERIC_CHANNELS, record_states
from app.services.slots import free_slots
from app.timezones import UTC, parse_datetime
from models import STATUS_NEW, Appointment, AppointmentBlock, Lead, Source
from models.base import utcnow

QUARTER = dt.timedelta(minutes=15)
SOURCE_NAME = "Prise de rendez-vous"
# The consent box of the booking page, kept with each booking's consent as the wording shown:
# change the version whenever the wording changes.
CONSENT_WORDING = _l("J'accepte d'être recontacté au sujet de ma demande.")
CONSENT_VERSION = "rdv-1"


def _visitor(form, region):
    name = " ".join((form.get("name") or "").split())
    if not name:
        raise DomainError(_("Indiquez votre nom."), field="name")
    if len(name) > 200:
        raise DomainError(_("Nom trop long."), field="name")
    email = normalise_email(form.get("email"))
    if not email:
        raise DomainError(_("Indiquez votre adresse e-mail."), field="email")
    phone = normalise_phone(form.get("phone"), region)
    message = (form.get("message") or "").strip()
    if len(message) > 2000:
        raise DomainError(_("Message trop long (2 000 caractères au plus)."), field="message")
    if not form.get("consent"):
        raise DomainError(_("Cochez la case pour accepter d'être recontacté."), field="consent")
    first, _sep, last = name.rpartition(" ")
    return {"first_name": first or None, "last_name": last, "email": email, "phone": phone,
            "message": message}


def _booking_source(session):
    source = session.query(Source).filter(func.lower(Source.name) == SOURCE_NAME.lower()).first()
    if source is None:
        source = Source(name=SOURCE_NAME, kind="booking")
        session.add(source)
        session.flush()
    return source


def _lead_for(session, visitor, owner_id, now, proof):
    """The lead with this e-mail or phone, or a new one given to the booked rep (recorded in
    its history, in the booking's transaction). The visitor consents now, with the page's
    proof (unless the suppression list says they withdrew: only a rep can revive that)."""
    found = find_duplicate(session, visitor["email"], visitor["phone"])
    if found is not None:
        lead = session.get(Lead, found.id)
        lead.phone = lead.phone or visitor["phone"]
    else:
        lead = Lead(first_name=visitor["first_name"], last_name=visitor["last_name"],
                    name_key=search_key(f"{visitor['last_name']} {visitor['first_name'] or ''}")[:201],
                    email=visitor["email"], phone=visitor["phone"], status=STATUS_NEW,
                    source_id=_booking_source(session).id, owner_id=owner_id)
        session.add(lead)
        session.flush()
        record(session, lead, owner_id)
    if visitor["message"]:
        lead.note = "\n\n".join(p for p in (lead.note, visitor["message"]) if p)
    record_states(session, lead, dict.fromkeys(GENERIC_CHANNELS, "given"), "booking", now,
                  wording=str(CONSENT_WORDING), wording_version=CONSENT_VERSION, **proof)
    return lead


def _least_booked(session, page, user_ids):
    """Round robin over the free reps: the one this page gave the fewest appointments."""
    counts = dict(session.query(Appointment.owner_id, func.count(Appointment.id)).filter(
        Appointment.booking_page_id == page.id, Appointment.owner_id.in_(user_ids))
        .group_by(Appointment.owner_id).all())
    return min(user_ids, key=lambda uid: (counts.get(uid, 0), uid))


def _free_reps(session, page, start, now, moving=None):
    for slot, reps in free_slots(session, page, now, exclude_id=moving):
        if slot == start:
            return reps
    if start < now:
        raise DomainError(_("Ce créneau est passé."), field="slot")
    raise DomainError(_("Ce créneau n'est plus libre : choisissez-en un autre."), field="slot")


def _holding(session, place):
    """Run `place` (which creates or moves an appointment) and hold the rep's quarter hours
    of its new time, in one savepoint: if another booking holds one of them, nothing stays
    and the visitor is told. (Changing an appointment's time frees its old quarters: see
    app/services/events.py.)"""
    try:
        with session.begin_nested():
            appointment = place()
            session.flush()
            blocks, at = [], appointment.starts_at
            while at < appointment.ends_at:
                blocks.append(AppointmentBlock(user_id=appointment.owner_id, starts_at=at,
                                               appointment_id=appointment.id))
                at += QUARTER
            session.add_all(blocks)
            session.flush()
    except IntegrityError:
        raise DomainError(_("Ce créneau vient d'être réservé par quelqu'un d'autre : "
                            "choisissez-en un autre."), field="slot")
    return appointment


def book(session, page, start, form, region="FR", now=None, proof=None):
    """Book the slot `start` (naive UTC) of `page` for the visitor of `form`. Returns the
    appointment; DomainError if the form is invalid or the slot is not free (any more).
    `proof`: the visitor's page_url, ip_address and user_agent, kept with their consent."""
    now = now or utcnow()
    visitor = _visitor(form, region)
    owner_id = _least_booked(session, page, _free_reps(session, page, start, now))

    def create():
        lead = _lead_for(session, visitor, owner_id, now, proof or {})
        appointment = Appointment(
            lead=lead, owner_id=owner_id, starts_at=start,
            ends_at=start + dt.timedelta(minutes=page.slot_minutes), status="confirmed",
            title=page.title, place=page.place, booking_page_id=page.id)
        session.add(appointment)
        return appointment
    return _holding(session, create)


def reschedule(session, appointment, page, start, now=None):
    """Move a booked appointment to another free slot of its page (same rep if free)."""
    now = now or utcnow()
    if appointment.status not in ("planned", "confirmed") or appointment.starts_at <= now:
        raise DomainError(_("Ce rendez-vous ne peut plus être modifié."), field="slot")
    reps = _free_reps(session, page, start, now, moving=appointment.id)

    def move():
        if appointment.owner_id not in reps:
            appointment.owner_id = _least_booked(session, page, reps)
        appointment.starts_at = start
        appointment.ends_at = start + dt.timedelta(minutes=page.slot_minutes)
        return appointment
    return _holding(session, move)


def cancel(session, appointment, now=None):
    if appointment.status == "cancelled":
        return appointment
    if appointment.starts_at <= (now or utcnow()):
        raise DomainError(_("Ce rendez-vous ne peut plus être annulé."), field="slot")
    appointment.status = "cancelled"
    return appointment


def parse_slot(text):
    """A slot from the page's form: ISO UTC ("2030-06-01T07:30")."""
    try:
        value = parse_datetime(text, "slot", naive_zone=UTC)
    except DomainError:
        raise DomainError(_("Créneau invalide."), field="slot")
    if value.minute % 15 or value.second or value.microsecond:
        raise DomainError(_("Créneau invalide."), field="slot")
    return value


def _signer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="rdv-manage")


def manage_token(appointment):
    """The private part of the lead's link to move or cancel: signed, so a changed link fails."""
    return _signer().dumps([appointment.id, appointment.uid[:8]])


def appointment_for_token(session, token):
    try:
        appointment_id, uid_start = _signer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    appointment = session.get(Appointment, appointment_id) if isinstance(appointment_id, int) else None
    return appointment if appointment and appointment.uid.startswith(str(uid_start)) else None
