"""Two-way sync with a real CalDAV server (Radicale started on 127.0.0.1 by the test)."""
import datetime as dt
import json

import caldav
import pytest
from sqlalchemy import text

from app.extensions import db
from app.services.slots import free_slots
from jobs.calendar_sync import sync_account
from models import Appointment, BookingPage, CalendarAccount, ExternalBusy
from models.base import utcnow
from tests.factories import make_lead


@pytest.fixture
def claire(accounts):
    return accounts.create("claire", "Commercial", first_name="Claire")


def server_calendar(radicale):
    client = caldav.DAVClient(url=radicale["url"], username=radicale["username"],
                              password=radicale["password"])
    return client.principal().calendars()[0]


def connected(client, accounts, radicale):
    accounts.login(client, "claire")
    response = client.post("/agenda/caldav", data={"server_url": radicale["url"],
                                                  "username": "claire", "password": "secret"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def plan(client, lead, start="2030-03-26T10:00", end="2030-03-26T11:00"):
    response = client.post("/agenda/events", json={"lead": lead.id, "title": "Démo",
                                                   "start": start, "end": end})
    assert response.status_code == 201
    return db.session.get(Appointment, response.get_json()["id"])


def test_a_wrong_password_is_refused_and_nothing_kept(client, accounts, claire, radicale):
    accounts.login(client, "claire")
    response = client.post("/agenda/caldav", data={"server_url": radicale["url"],
                                                  "username": "claire", "password": "faux"})
    assert response.status_code == 400 and "Connexion CalDAV impossible" in response.get_data(as_text=True)
    assert db.session.query(CalendarAccount).count() == 0


def test_appointments_go_to_the_calendar_and_come_back_moved_or_deleted(client, accounts, claire,
                                                                      radicale):
    connected(client, accounts, radicale)
    stored = db.session.execute(text("SELECT password_secret FROM calendar_account")).scalar()
    assert "secret" not in stored  # sealed in the database
    lead = make_lead(owner=claire, last_name="Martin")
    appointment = plan(client, lead, "2031-03-26T10:00", "2031-03-26T11:00")
    calendar = server_calendar(radicale)
    event = calendar.event_by_uid(appointment.uid)
    assert event.icalendar_component.decoded("dtstart") == dt.datetime(
        2031, 3, 26, 9, 0, tzinfo=dt.timezone.utc)

    # Moved in the personal calendar: the CRM follows.
    component = event.icalendar_component
    component["dtstart"].dt = dt.datetime(2031, 3, 27, 13, 0, tzinfo=dt.timezone.utc)
    component["dtend"].dt = dt.datetime(2031, 3, 27, 14, 0, tzinfo=dt.timezone.utc)
    event.save()
    changes = sync_account(claire.id, now=dt.datetime(2031, 3, 1))
    assert [change for _a, change in changes] == ["changed"]
    db.session.refresh(appointment)
    assert appointment.starts_at == dt.datetime(2031, 3, 27, 13, 0)

    # Deleted there: cancelled here.
    calendar.event_by_uid(appointment.uid).delete()
    assert [c for _a, c in sync_account(claire.id, now=dt.datetime(2031, 3, 1))] == ["cancelled"]
    db.session.refresh(appointment)
    assert appointment.status == "cancelled"


def test_cancelling_in_the_crm_removes_the_event(client, accounts, claire, radicale):
    connected(client, accounts, radicale)
    appointment = plan(client, make_lead(owner=claire), "2031-04-02T10:00", "2031-04-02T11:00")
    assert client.post(f"/agenda/events/{appointment.id}/cancel", json={}).status_code == 200
    with pytest.raises(caldav.lib.error.NotFoundError):
        server_calendar(radicale).event_by_uid(appointment.uid)


def test_busy_times_there_block_booking_slots(client, accounts, claire, radicale):
    connected(client, accounts, radicale)
    page = BookingPage(slug="claire", title="RDV", working_hours=json.dumps({"mon": "09:00-12:00"}),
                       slot_minutes=60, notice_hours=0, horizon_days=30)
    page.members = [claire]
    db.session.add(page)
    db.session.commit()
    now = utcnow()
    first = free_slots(db.session, page, now)[0][0]
    server_calendar(radicale).save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\nBEGIN:VEVENT\r\n"
        "UID:dentiste@perso\r\nDTSTAMP:20300101T000000Z\r\n"
        f"DTSTART:{first:%Y%m%dT%H%M%S}Z\r\nDTEND:{first + dt.timedelta(hours=1):%Y%m%dT%H%M%S}Z\r\n"
        "SUMMARY:Dentiste\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    sync_account(claire.id, now=now)
    assert db.session.query(ExternalBusy).count() == 1
    assert free_slots(db.session, page, now)[0][0] != first


def test_an_unreachable_server_is_reported_not_raised(client, accounts, claire, radicale):
    connected(client, accounts, radicale)
    account = db.session.get(CalendarAccount, claire.id)
    account.calendar_url = "http://127.0.0.1:9/nowhere/"
    db.session.commit()
    assert sync_account(claire.id) == []
    assert db.session.get(CalendarAccount, claire.id).last_error
    assert "Dernière erreur" in client.get("/agenda/").get_data(as_text=True)


def test_a_lead_sent_back_to_the_pool_leaves_the_reps_calendar_alone(client, accounts, claire,
                                                                     radicale):
    """What happens there moves nothing here, and its details are no longer pushed."""
    from app.services.caldav_sync import push

    connected(client, accounts, radicale)
    lead = make_lead(owner=claire, last_name="Martin")
    first = plan(client, lead, "2031-05-06T10:00", "2031-05-06T11:00")
    second = plan(client, lead, "2031-05-07T10:00", "2031-05-07T11:00")
    lead.owner = None  # to the pool: nothing follows a lead without a rep
    db.session.commit()
    calendar = server_calendar(radicale)
    calendar.event_by_uid(first.uid).delete()
    assert sync_account(claire.id, now=dt.datetime(2031, 5, 1)) == []
    db.session.refresh(first)
    assert first.status != "cancelled"
    assert push(db.session, second) is True
    db.session.commit()
    with pytest.raises(caldav.lib.error.NotFoundError):
        calendar.event_by_uid(second.uid)
