"""Public booking pages, the lead's e-mails with their invitations, reminders to the lead, and
the iCalendar subscription feed, read back by an independent parser (icalendar)."""
import datetime as dt
import email
import email.policy
import json
import re
import threading
import time

import icalendar
import pytest
from rq import Queue

from app.extensions import db
from app.services.booking import manage_token
from app.services.slots import candidate_slots, free_slots
from jobs.appointments import due_lead_reminders, schedule_lead_reminders
from jobs.worker import run_worker
from models import Appointment, AppointmentBlock, BookingPage, Lead, Notification, UserProfile
from models.base import utcnow
from tests.conftest import empty_database, make_app
from tests.factories import make_appointment, make_lead
from tests.integration.conftest import use_smtp

EVERY_DAY = json.dumps({d: "08:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})


@pytest.fixture
def claire(accounts):
    return accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit",
                           email="claire@agence.fr")


def make_page(*members, **fields):
    page = BookingPage(slug=fields.pop("slug", "claire"), title=fields.pop("title", "Découverte"),
                       working_hours=fields.pop("working_hours", EVERY_DAY), slot_minutes=30,
                       notice_hours=fields.pop("notice_hours", 0), horizon_days=14,
                       place="Visio", **fields)
    page.members = list(members)
    db.session.add(page)
    db.session.commit()
    return page


def first_slot(client, slug="claire"):
    body = client.get(f"/rdv/{slug}").get_data(as_text=True)
    return re.search(r'name="slot" value="([^"]+)"', body).group(1)


VISITOR = {"name": "Marie Dupont", "email": "Marie.Dupont@exemple.fr", "phone": "06 12 34 56 78",
           "message": "Je voudrais un devis", "consent": "1"}


def to_lead(smtp, address="marie.dupont@exemple.fr"):
    """The messages sent to the lead (the rep gets notifications too), parsed."""
    return [email.message_from_bytes(m.content, policy=email.policy.default)
            for m in smtp.messages if m.rcpt_tos == [address]]


def ics_of(message):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no invitation attached")


def test_slots_follow_working_hours_across_the_clock_change(app, claire):
    page = make_page(claire, working_hours=json.dumps({"fri": "09:00-10:00", "mon": "09:00-10:00"}))
    # Friday 29 March 2030 (winter time) and Monday 1 April 2030 (summer time), 09:00 in Paris.
    slots = candidate_slots(page, dt.datetime(2030, 3, 28, 12, 0), days=5)
    assert slots == [dt.datetime(2030, 3, 29, 8, 0), dt.datetime(2030, 3, 29, 8, 30),
                     dt.datetime(2030, 4, 1, 7, 0), dt.datetime(2030, 4, 1, 7, 30)]


def test_slots_leave_out_appointments_their_buffer_and_the_notice(app, claire):
    page = make_page(claire, working_hours=json.dumps({"mon": "09:00-12:00"}), buffer_minutes=15)
    lead = make_lead(owner=claire)
    make_appointment(lead, owner=claire, start=dt.datetime(2030, 4, 1, 8, 0))  # 10:00-11:00 Paris
    now = dt.datetime(2030, 3, 31, 12, 0)
    starts = [start for start, _reps in free_slots(db.session, page, now, days=2)]
    assert starts == [dt.datetime(2030, 4, 1, 7, 0), dt.datetime(2030, 4, 1, 9, 30)]
    page.notice_hours = 24
    assert free_slots(db.session, page, dt.datetime(2030, 3, 31, 8, 0), days=2)[0][0] \
        == dt.datetime(2030, 4, 1, 9, 30)


@pytest.mark.clock
def test_a_visitor_books_on_the_phone_page(app, client, claire, smtp):
    use_smtp(app, smtp)
    page = make_page(claire)
    body = client.get("/rdv/claire").get_data(as_text=True)
    assert 'name="viewport"' in body and "Découverte" in body
    slot = first_slot(client)
    response = client.post("/rdv/claire", data={**VISITOR, "slot": slot})
    assert response.status_code == 302 and "/rdv/gerer/" in response.headers["Location"]
    appointment = db.session.query(Appointment).one()
    lead = appointment.lead
    assert (lead.email, lead.phone, lead.owner_id) == ("marie.dupont@exemple.fr", "+33612345678", claire.id)
    assert lead.source.name == "Prise de rendez-vous" and lead.consent_contact and lead.consent_at
    assert "Je voudrais un devis" in lead.note
    assert appointment.starts_at == dt.datetime.strptime(slot, "%Y-%m-%dT%H:%M")
    assert (appointment.booking_page_id, appointment.status) == (page.id, "confirmed")
    assert db.session.query(AppointmentBlock).count() == 2  # two quarter hours held
    (message,) = to_lead(smtp)
    assert "confirmé" in message["Subject"]
    invite = ics_of(message)
    assert invite["METHOD"] == "REQUEST"
    event = invite.walk("VEVENT")[0]
    assert str(event["UID"]) == appointment.uid and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == appointment.starts_at.replace(tzinfo=dt.timezone.utc)
    assert "claire@agence.fr" in str(event["ORGANIZER"])
    assert db.session.query(Notification).filter_by(user_id=claire.id, event="appointment").count() == 1
    page_html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "C&#39;est réservé" in page_html or "C'est réservé" in page_html


def test_an_existing_lead_is_reused(app, client, claire):
    make_page(claire)
    existing = make_lead(owner=claire, email="marie.dupont@exemple.fr", last_name="Dupont")
    client.post("/rdv/claire", data={**VISITOR, "slot": first_slot(client)})
    assert db.session.query(Lead).count() == 1
    assert db.session.query(Appointment).one().lead_id == existing.id


@pytest.mark.parametrize("change, message", [
    ({"slot": "2001-01-01T08:00"}, "passé"),
    ({"slot": "demain"}, "Créneau invalide"),
    ({"slot": "2030-01-01T08:07"}, "Créneau invalide"),
    ({"consent": ""}, "recontacté"),
    ({"email": "pas-un-email"}, "e-mail invalide"),
    ({"name": "  "}, "Indiquez votre nom"),
])
def test_bad_bookings_are_refused_and_write_nothing(client, claire, change, message):
    make_page(claire)
    form = {**VISITOR, "slot": first_slot(client), **change}
    response = client.post("/rdv/claire", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 0 and db.session.query(Lead).count() == 0


@pytest.mark.clock
def test_a_slot_outside_working_hours_or_taken_is_refused(client, claire):
    page = make_page(claire, working_hours=json.dumps({d: "09:00-12:00" for d in
                                                       ("mon", "tue", "wed", "thu", "fri")}))
    slot = first_slot(client)
    # 01:00 the day after the first slot: in the future even when the first slot is today.
    night = (dt.datetime.strptime(slot, "%Y-%m-%dT%H:%M") + dt.timedelta(days=1)).replace(hour=1)
    response = client.post("/rdv/claire", data={**VISITOR, "slot": night.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400 and "plus libre" in response.get_data(as_text=True)
    client.post("/rdv/claire", data={**VISITOR, "slot": slot})
    again = client.post("/rdv/claire", data={**VISITOR, "email": "autre@exemple.fr", "slot": slot})
    assert again.status_code == 400 and "plus libre" in again.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 1 and page.id


def test_the_honeypot_books_nothing(client, claire):
    make_page(claire)
    response = client.post("/rdv/claire", data={**VISITOR, "slot": first_slot(client),
                                                 "site_web": "http://spam"})
    assert response.status_code == 200 and db.session.query(Appointment).count() == 0


def test_unknown_or_inactive_pages_answer_404(client, claire):
    make_page(claire, active=False)
    assert client.get("/rdv/claire").status_code == 404
    assert client.get("/rdv/personne").status_code == 404


def test_two_visitors_on_the_same_slot_leave_one_appointment(app, claire):
    make_page(claire)
    slot = first_slot(app.test_client())
    barrier, outcomes = threading.Barrier(2), []

    def visitor(address):
        client = app.test_client()  # its own requests: its own session and connection
        barrier.wait()
        response = client.post("/rdv/claire", data={**VISITOR, "email": address, "slot": slot})
        outcomes.append((response.status_code, response.get_data(as_text=True)))
    threads = [threading.Thread(target=visitor, args=(f"v{i}@exemple.fr",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(code for code, _body in outcomes)
    assert codes == [302, 400], codes
    refused = [body for code, body in outcomes if code == 400][0]
    assert "réservé par quelqu" in refused or "plus libre" in refused
    assert 'name="slot"' in refused  # with the slots still free
    db.session.expire_all()
    assert db.session.query(Appointment).count() == 1
    assert db.session.query(AppointmentBlock).count() == 2


@pytest.mark.clock
def test_the_private_link_moves_and_cancels(app, client, claire, smtp):
    use_smtp(app, smtp)
    make_page(claire)
    client.post("/rdv/claire", data={**VISITOR, "slot": first_slot(client)})
    appointment = db.session.query(Appointment).one()
    token = manage_token(appointment)
    assert client.get(f"/rdv/gerer/{token}x").status_code == 404  # tampered
    assert client.get(f"/rdv/gerer/{token[:-3]}abc").status_code == 404
    page_html = client.get(f"/rdv/gerer/{token}").get_data(as_text=True)
    other = re.findall(r'name="slot" value="([^"]+)"', page_html)[3]
    assert client.post(f"/rdv/gerer/{token}/deplacer", data={"slot": other}).status_code == 302
    db.session.expire_all()
    moved = db.session.get(Appointment, appointment.id)
    assert moved.starts_at == dt.datetime.strptime(other, "%Y-%m-%dT%H:%M") and moved.sequence == 1
    invite = ics_of(to_lead(smtp)[-1])
    event = invite.walk("VEVENT")[0]
    assert invite["METHOD"] == "REQUEST" and str(event["UID"]) == moved.uid
    assert int(event["SEQUENCE"]) == 1
    bad = client.post(f"/rdv/gerer/{token}/deplacer", data={"slot": "2001-01-01T08:00"})
    assert bad.status_code == 400
    assert client.post(f"/rdv/gerer/{token}/annuler").status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == "cancelled"
    assert db.session.query(AppointmentBlock).count() == 0
    invite = ics_of(to_lead(smtp)[-1])
    assert invite["METHOD"] == "CANCEL" and invite.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert first_slot(client) <= other  # the slots are free again


def test_the_subscription_feed_has_only_the_users_appointments(client, accounts, claire):
    paul = accounts.create("paul", "Commercial")
    lead = make_lead(owner=claire, last_name="Martin", first_name="Marie")
    mine = make_appointment(lead, owner=claire, title="Démo", place="Visio",
                            start=dt.datetime(2030, 3, 31, 0, 30))  # 02:30 Paris, the DST night
    gone = make_appointment(lead, owner=claire, title="Annulé", start=dt.datetime(2030, 4, 2, 8, 0))
    make_appointment(make_lead(owner=paul), owner=paul, title="Chez Paul")
    gone.status = "cancelled"
    db.session.commit()
    accounts.login(client, "claire")
    page = client.get("/agenda/").get_data(as_text=True)
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    response = client.get(url.replace("http://127.0.0.1:5000", ""))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Démo", "Annulé"}
    assert str(events["Démo"]["UID"]) == mine.uid
    assert events["Démo"].decoded("DTSTART") == dt.datetime(2030, 3, 31, 0, 30, tzinfo=dt.timezone.utc)
    assert events["Annulé"]["STATUS"] == "CANCELLED" and int(events["Annulé"]["SEQUENCE"]) == 1
    mine.starts_at, mine.ends_at = dt.datetime(2030, 4, 3, 8, 0), dt.datetime(2030, 4, 3, 9, 0)
    db.session.commit()
    again = icalendar.Calendar.from_ical(client.get(url.replace("http://127.0.0.1:5000", "")).data)
    moved = [e for e in again.walk("VEVENT") if str(e["UID"]) == mine.uid][0]
    assert int(moved["SEQUENCE"]) == 1
    client.post("/agenda/renew")
    assert client.get(url.replace("http://127.0.0.1:5000", "")).status_code == 404
    assert client.get("/calendar/nimportequoi.ics").status_code == 404


def test_lead_reminders_go_once_at_24_and_1_hour(app, claire, smtp):
    use_smtp(app, smtp)
    lead = make_lead(owner=claire, email="marie@exemple.fr", phone=None)
    start = dt.datetime(2030, 5, 10, 8, 0)
    appointment = make_appointment(lead, owner=claire, start=start, status="confirmed")
    appointment.created_at = start - dt.timedelta(days=5)
    db.session.commit()
    assert due_lead_reminders(start - dt.timedelta(hours=25)) == 0
    assert due_lead_reminders(start - dt.timedelta(hours=23)) == 1
    assert due_lead_reminders(start - dt.timedelta(hours=22)) == 0
    assert due_lead_reminders(start - dt.timedelta(minutes=50)) == 1
    assert due_lead_reminders(start - dt.timedelta(minutes=40)) == 0
    assert len(to_lead(smtp, "marie@exemple.fr")) == 2
    late = make_appointment(lead, owner=claire, start=start + dt.timedelta(days=1), status="planned")
    late.created_at = late.starts_at - dt.timedelta(hours=3)  # booked 3 h before: no "day" mail
    db.session.commit()
    due_lead_reminders(late.starts_at - dt.timedelta(hours=2))
    assert len(to_lead(smtp, "marie@exemple.fr")) == 2


@pytest.mark.clock
def test_a_lead_reminder_fires_through_a_real_worker(database_url, redis_url, queue_name, tmp_path,
                                                     smtp):
    from tests.conftest import Accounts

    app = make_app(database_url, REDIS_URL=redis_url, RQ_QUEUE_NAME=queue_name,
                   CRM_ATTACHMENT_DIR=str(tmp_path))
    use_smtp(app, smtp)
    with app.app_context():
        empty_database()
        from app.extensions import get_redis

        rep = Accounts(app).create("claire", "Commercial")
        db.session.add(UserProfile(user_id=rep.id, locale="fr"))
        lead = make_lead(owner=rep, email="marie@exemple.fr", phone=None)
        start = utcnow().replace(microsecond=0) + dt.timedelta(hours=1, seconds=2)
        appointment = make_appointment(lead, owner=rep, start=start, status="confirmed")
        schedule_lead_reminders(appointment)
        queue = Queue(queue_name, connection=get_redis())
        assert f"appointment-{appointment.id}-hour" in queue.scheduled_job_registry.get_job_ids()
        time.sleep(3)
        run_worker(burst=True, with_scheduler=True)
        db.session.expire_all()
        assert db.session.get(Appointment, appointment.id).reminded_hour_at is not None
    assert [m.rcpt_tos for m in smtp.messages] == [["marie@exemple.fr"]]


def test_changing_an_appointment_in_the_crm_tells_the_lead(app, client, accounts, claire, smtp):
    use_smtp(app, smtp)
    lead = make_lead(owner=claire, email="marie@exemple.fr")
    accounts.login(client, "claire")
    form = {"lead": lead.id, "owner": claire.id, "title": "Démo", "status": "planned",
            "starts_at": "2030-03-04T10:00", "ends_at": "2030-03-04T11:00"}
    client.post("/appointments/add", data=form)
    appointment = db.session.query(Appointment).one()
    client.post(f"/appointments/edit/{appointment.id}", data={**form, "minutes": "RAS"})
    client.post(f"/appointments/edit/{appointment.id}", data={**form, "status": "cancelled"})
    methods = [ics_of(m)["METHOD"] for m in to_lead(smtp, "marie@exemple.fr")]
    assert methods == ["REQUEST", "CANCEL"]  # the minutes alone told nobody


def test_admins_define_pages_with_valid_hours(client, accounts, claire):
    accounts.create("boss", "Responsable")
    accounts.login(client, "boss")
    form = {"title": "Équipe Lyon", "slug": "equipe-lyon", "members": [claire.id], "active": "y",
            "working_hours": '{"mon": "09:00-12:00, 14:00-18:00"}', "slot_minutes": "30",
            "buffer_minutes": "0", "notice_hours": "4", "horizon_days": "30"}
    for change, message in (({"working_hours": '{"lundi": "9-12"}'}, "jours attendus"),
                            ({"working_hours": '{"mon": "12:00-09:00"}'}, "Plage horaire invalide"),
                            ({"slot_minutes": "20"}, "quarts d"),
                            ({"slug": "Équipe Lyon"}, "Lettres minuscules")):
        response = client.post("/booking-pages/add", data={**form, **change})
        assert message in response.get_data(as_text=True), change
    assert db.session.query(BookingPage).count() == 0
    client.post("/booking-pages/add", data=form)
    page = db.session.query(BookingPage).one()
    assert [m.id for m in page.members] == [claire.id]
    assert "/rdv/equipe-lyon" in client.get(f"/booking-pages/show/{page.id}").get_data(as_text=True)
    accounts.login(client, "claire")
    assert client.get("/booking-pages/list/").status_code == 403  # reps do not edit pages


def test_team_pages_spread_bookings_over_free_reps(client, accounts, claire):
    paul = accounts.create("paul", "Commercial")
    make_page(claire, paul, slug="equipe")
    for i in range(4):
        slot = first_slot(client, "equipe")
        client.post("/rdv/equipe", data={**VISITOR, "email": f"v{i}@exemple.fr", "phone": "",
                                         "slot": slot})
    owners = [a.owner_id for a in db.session.query(Appointment)]
    assert sorted(owners) == sorted([claire.id, claire.id, paul.id, paul.id])


def test_booking_pages_are_rate_limited_per_address(database_url, tmp_path):
    from tests.conftest import Accounts

    app = make_app(database_url, RATELIMIT_ENABLED=True, CRM_BOOKING_RATE_LIMIT="3 per minute",
                   RATELIMIT_STORAGE_URI="memory://", CRM_ATTACHMENT_DIR=str(tmp_path))
    with app.app_context():
        empty_database()
        make_page(Accounts(app).create("claire", "Commercial"))
        client = app.test_client()
        codes = [client.get("/rdv/claire").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]


@pytest.mark.clock
def test_cancelling_a_booking_anywhere_frees_its_slot(client, accounts, claire):
    """Cancelled or moved in the CRM's own form (not the lead's link): the slot can be booked
    again, and a moved appointment's reminders are due again."""
    make_page(claire)
    slot = first_slot(client)
    client.post("/rdv/claire", data={**VISITOR, "slot": slot})
    appointment = db.session.query(Appointment).one()
    appointment.reminded_day_at = utcnow()
    accounts.login(client, "claire")
    form = {"lead": appointment.lead_id, "owner": claire.id, "title": "Découverte",
            "status": "planned", "starts_at": "2031-01-10T10:00", "ends_at": "2031-01-10T10:30"}
    client.post(f"/appointments/edit/{appointment.id}", data=form)
    db.session.expire_all()
    moved = db.session.get(Appointment, appointment.id)
    assert moved.reminded_day_at is None and db.session.query(AppointmentBlock).count() == 0
    client.get("/logout/")
    again = client.post("/rdv/claire", data={**VISITOR, "email": "autre@exemple.fr", "slot": slot})
    assert again.status_code == 302
    assert db.session.query(AppointmentBlock).count() == 2


def test_a_booking_records_a_new_leads_rep_and_keeps_an_earlier_consent_date(app, claire):
    """The earlier consent stays in the lead's history with its date (records are appended);
    the booking's consent is a new record, and the summary dates the latest one."""
    from app.services.booking import book
    from app.services.privacy.consent import history, record_consent
    from models import LeadAssignment

    page = make_page(claire)
    now, monday = dt.datetime(2030, 3, 31, 12, 0), dt.datetime(2030, 4, 1, 7, 0)  # 09:00 Paris
    new = book(db.session, page, monday, VISITOR, now=now).lead
    db.session.commit()
    entry = db.session.query(LeadAssignment).one()
    assert (entry.lead_id, entry.user_id, new.consent_at) == (new.id, claire.id, now)
    given = dt.datetime(2025, 5, 2, 9, 30)
    known = make_lead(email="paul@exemple.fr", phone=None)
    record_consent(db.session, known, "email", "given", "legacy", stated_at=given)
    book(db.session, page, monday + dt.timedelta(hours=2),
         {**VISITOR, "email": "paul@exemple.fr", "phone": ""}, now=now)
    db.session.commit()
    records = history(db.session, known.id)
    assert [(r.method, r.channel, r.stated_at) for r in records if r.channel == "email"] == [
        ("booking", "email", now), ("legacy", "email", given)]
    assert db.session.get(Lead, known.id).consent_at == now
