"""The agenda's endpoints: events of the right people, creation with the overlap warning,
moving and cancelling; times are Paris wall times."""
import datetime as dt

import pytest

from app.extensions import db
from models import Appointment
from tests.factories import make_appointment, make_lead


@pytest.fixture
def team(accounts):
    boss = accounts.create("boss", "Responsable")
    claire = accounts.create("claire", "Commercial", first_name="Claire")
    paul = accounts.create("paul", "Commercial", first_name="Paul")
    return boss, claire, paul


WEEK = {"start": "2030-03-25T00:00", "end": "2030-04-01T00:00"}


def test_events_in_paris_time_for_the_right_people(client, accounts, team):
    boss, claire, paul = team
    mine = make_appointment(make_lead(owner=claire, last_name="Martin"), owner=claire,
                            start=dt.datetime(2030, 3, 26, 9, 0), title="Démo")
    make_appointment(make_lead(owner=paul), owner=paul, start=dt.datetime(2030, 3, 27, 9, 0))
    accounts.login(client, "claire")
    events = client.get("/agenda/events", query_string={**WEEK, "user": "all"}).get_json()
    assert [e["id"] for e in events] == [mine.id]  # a rep sees only their own, whatever asked
    assert events[0]["start"] == "2030-03-26T10:00" and events[0]["end"] == "2030-03-26T11:00"
    assert events[0]["title"] == "Test Martin — Démo"
    accounts.login(client, "boss")
    assert len(client.get("/agenda/events", query_string={**WEEK, "user": "all"}).get_json()) == 2
    only_paul = client.get("/agenda/events", query_string={**WEEK, "user": paul.id}).get_json()
    assert len(only_paul) == 1 and only_paul[0]["extendedProps"]["owner"].startswith("Paul")
    assert client.get("/agenda/events", query_string={**WEEK, "user": "x"}).status_code == 400
    assert client.get("/agenda/events", query_string={"start": "hier", "end": "x"}).status_code == 400


def test_create_warns_of_an_overlap_then_saves_when_confirmed(client, accounts, team):
    _boss, claire, _paul = team
    lead = make_lead(owner=claire, last_name="Martin")
    make_appointment(lead, owner=claire, start=dt.datetime(2030, 3, 26, 9, 0))  # 10:00 Paris
    accounts.login(client, "claire")
    body = {"lead": lead.id, "title": "Suite", "start": "2030-03-26T10:30", "end": "2030-03-26T11:30"}
    response = client.post("/agenda/events", json=body)
    assert response.status_code == 409 and "déjà un rendez-vous" in response.get_json()["message"]
    assert db.session.query(Appointment).count() == 1
    response = client.post("/agenda/events", json={**body, "force": True})
    assert response.status_code == 201
    created = db.session.get(Appointment, response.get_json()["id"])
    assert created.starts_at == dt.datetime(2030, 3, 26, 9, 30) and created.owner_id == claire.id


@pytest.mark.parametrize("body, message", [
    ({"lead": "", "start": "2030-03-26T10:00", "end": "2030-03-26T11:00"}, "prospect"),
    ({"start": "2030-03-26T10:00", "end": "2030-03-26T09:00"}, "après le début"),
    ({"start": "demain", "end": "2030-03-26T09:00"}, "invalides"),
])
def test_bad_creations_are_refused(client, accounts, team, body, message):
    lead = make_lead(owner=team[1])
    accounts.login(client, "claire")
    response = client.post("/agenda/events", json={"lead": lead.id, **body})
    assert response.status_code == 400 and message in response.get_json()["message"]
    assert db.session.query(Appointment).count() == 0


def test_a_rep_cannot_plan_on_another_reps_lead(client, accounts, team):
    _boss, claire, paul = team
    theirs = make_lead(owner=paul)
    accounts.login(client, "claire")
    response = client.post("/agenda/events", json={"lead": theirs.id, "start": "2030-03-26T10:00",
                                                   "end": "2030-03-26T11:00"})
    assert response.status_code == 400 and db.session.query(Appointment).count() == 0


def test_drag_to_move_and_cancel(client, accounts, team):
    _boss, claire, paul = team
    appointment = make_appointment(make_lead(owner=claire), owner=claire,
                                   start=dt.datetime(2030, 3, 26, 9, 0))
    theirs = make_appointment(make_lead(owner=paul), owner=paul, start=dt.datetime(2030, 3, 27, 9, 0))
    accounts.login(client, "claire")
    response = client.post(f"/agenda/events/{appointment.id}/move",
                           json={"start": "2030-03-28T14:00", "end": "2030-03-28T15:30"})
    assert response.status_code == 200
    db.session.refresh(appointment)
    assert (appointment.starts_at, appointment.ends_at) == (dt.datetime(2030, 3, 28, 13, 0),
                                                             dt.datetime(2030, 3, 28, 14, 30))
    assert appointment.sequence == 1
    assert client.post(f"/agenda/events/{theirs.id}/move",
                       json={"start": "2030-03-28T14:00", "end": "2030-03-28T15:00"}).status_code == 404
    assert client.post(f"/agenda/events/{appointment.id}/cancel", json={}).status_code == 200
    db.session.refresh(appointment)
    assert appointment.status == "cancelled"
    moved_again = client.post(f"/agenda/events/{appointment.id}/move",
                              json={"start": "2030-03-29T14:00", "end": "2030-03-29T15:00"})
    assert moved_again.status_code == 400


def test_the_agenda_page_loads_the_vendored_calendar(client, accounts, team):
    accounts.login(client, "boss")
    body = client.get("/agenda/").get_data(as_text=True)
    assert "vendor/fullcalendar-6.1.19/index.global.min.js" in body and "fr.global.min.js" in body
    assert client.get("/static/vendor/fullcalendar-6.1.19/index.global.min.js").status_code == 200
    assert "//cdn" not in body
