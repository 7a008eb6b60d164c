"""The agenda's endpoints: events of the right people, creation with the overlap warning,
moving and cancelling; times are Paris wall times. The services behind them answer without a
request too (a session, a Viewer and plain values)."""
import datetime as dt

import pytest
from flask import has_request_context

from app.extensions import db
from app.services.calendar_planning import (NotVisible, Overlap, agenda_events,
                                            cancel_on_agenda, move_on_agenda)
from app.services.calendar_subscription import subscription_feed, subscription_token
from app.services.errors import DomainError
from app.services.viewer import Viewer
from models import Appointment
from tests.factories import make_appointment, make_lead


@pytest.fixture
def team(accounts):
    boss = accounts.create("boss", "Responsable")
    claire = accounts.create("claire", "Commercial", first_name="Claire")
    paul = accounts.create("paul", "Commercial", first_name="Paul")
    return boss, claire, paul


WEEK = {"start": "2030-03-25T00:00", "end": "2030-04-01T00:00"}
WINDOW = (WEEK["start"], WEEK["end"])


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
    skipped = client.post(f"/agenda/events/{appointment.id}/move",  # the spring clock change
                          json={"start": "2030-03-31T02:30", "end": "2030-03-31T04:00"})
    assert skipped.status_code == 400 and "n'existe pas" in skipped.get_json()["message"]
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


@pytest.fixture
def booked(team):
    boss, claire, paul = team
    mine = make_appointment(make_lead(owner=claire, last_name="Martin"), owner=claire,
                            start=dt.datetime(2030, 3, 26, 9, 0))
    theirs = make_appointment(make_lead(owner=paul, last_name="Durand"), owner=paul,
                              start=dt.datetime(2030, 3, 26, 10, 0))
    gone = make_appointment(make_lead(owner=claire), owner=claire,
                            start=dt.datetime(2030, 3, 27, 9, 0), status="cancelled")
    return mine, theirs, gone


def viewer(user):
    return Viewer.for_user(db.session, user.id)


def test_event_feed_of_a_rep_without_a_request(app, team, booked):
    """The services behind the views, called as a job would: session, Viewer, plain values."""
    boss, claire, paul = team
    mine, theirs, gone = booked
    assert not has_request_context()
    # A rep gets their own, whoever they ask for; the cancelled only on demand.
    assert agenda_events(db.session, viewer(claire), *WINDOW, "all") == [mine]
    assert agenda_events(db.session, viewer(claire), *WINDOW, str(paul.id), cancelled=True) \
        == [mine, gone]
    assert agenda_events(db.session, viewer(boss), *WINDOW, "all") == [mine, theirs]
    with pytest.raises(DomainError, match="Filtre invalide"):
        agenda_events(db.session, viewer(boss), *WINDOW, "paul")
    with pytest.raises(DomainError, match="Période invalide"):
        agenda_events(db.session, viewer(claire), "2030-03-01T00:00", "2030-06-01T00:00")
    # The iCalendar subscription answers its owner's appointments only.
    body = subscription_feed(db.session, subscription_token(db.session, claire.id))
    assert "Martin" in body and "Durand" not in body
    assert subscription_feed(db.session, "unknown") is None


def test_move_rule_without_a_request(app, team, booked):
    claire = team[1]
    mine, theirs, gone = booked
    with pytest.raises(NotVisible):  # another rep's appointment does not exist for a rep
        move_on_agenda(db.session, viewer(claire), theirs.id, "2030-03-26T15:00",
                       "2030-03-26T16:00")
    with pytest.raises(DomainError, match="ne se déplace plus"):
        move_on_agenda(db.session, viewer(claire), gone.id, "2030-03-26T15:00",
                       "2030-03-26T16:00")
    db.session.rollback()
    # Onto her 14:00 (Paris) appointment: she is warned, with the lead named, and may force.
    make_appointment(make_lead(owner=claire, last_name="Bernard"), owner=claire,
                     start=dt.datetime(2030, 3, 26, 13, 0))
    with pytest.raises(Overlap, match="Bernard"):
        move_on_agenda(db.session, viewer(claire), mine.id, "2030-03-26T14:30", "2030-03-26T15:30")
    db.session.rollback()
    moved, change = move_on_agenda(db.session, viewer(claire), mine.id, "2030-03-26T14:30",
                                   "2030-03-26T15:30", force=True)
    assert (moved, change, moved.starts_at) == (mine, "changed", dt.datetime(2030, 3, 26, 13, 30))
    db.session.rollback()  # the service never commits: the caller does
    assert mine.starts_at == dt.datetime(2030, 3, 26, 9, 0)
    assert cancel_on_agenda(db.session, viewer(claire), gone.id) == (gone, None)
    assert cancel_on_agenda(db.session, viewer(claire), mine.id) == (mine, "cancelled")
