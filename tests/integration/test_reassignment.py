"""A lead given to another rep takes what lies ahead with it, whatever path changed its rep:
future appointments and open reminders move, past ones stay; both reps are told, the lead is
not; the CalDAV copy moves (a real Radicale); booking holds follow; reminders fire for the new
rep."""
import datetime as dt

import caldav
import pytest
from rq.job import Job

from app.extensions import db, get_redis
from app.services.assignment import auto_assign
from app.services.booking import book
from app.services.duplicates import merge
from app.services.reassignment import MOVED
from jobs.followup import fire_reminder
from jobs.worker import run_worker
from models import (Appointment, AppointmentBlock, AssignmentRule, CalendarAccount, Notification,
                    Reminder, UserProfile)
from models.base import utcnow
from tests.conftest import Accounts, empty_database, make_app
from tests.factories import make_appointment, make_lead
from tests.integration.conftest import use_smtp
from tests.integration.test_booking import EVERY_DAY, VISITOR, make_page
from tests.integration.test_import import import_dir, run_cli, write_csv  # noqa: F401 - fixture


def on_the_hour(days):
    """A whole hour `days` from now, read when the test runs (its clock may have travelled)."""
    return utcnow().replace(microsecond=0, second=0, minute=0) + dt.timedelta(days=days)


@pytest.fixture
def team(accounts):
    boss = accounts.create("boss", "Responsable", first_name="Bea")
    claire = accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit")
    paul = accounts.create("paul", "Commercial", first_name="Paul", last_name="Durand")
    return boss, claire, paul


def with_history(owner, **fields):
    """A lead of `owner` with what lies ahead (a planned appointment, an open reminder) and
    its history (a past appointment, a cancelled one, a done reminder)."""
    soon, before = on_the_hour(3), on_the_hour(-3)
    lead = make_lead(owner=owner, **fields)
    ahead = make_appointment(lead, owner=owner, start=soon, title="Démo")
    past = make_appointment(lead, owner=owner, start=before, status="done")
    cancelled = make_appointment(lead, owner=owner, start=soon + dt.timedelta(days=1),
                                 status="cancelled")
    db.session.add_all([Reminder(lead_id=lead.id, user_id=owner.id, due_at=soon, what="Rappeler"),
                        Reminder(lead_id=lead.id, user_id=owner.id, due_at=before, what="Fait",
                                 done_at=before)])
    db.session.commit()
    return lead, ahead, past, cancelled


def owners(lead):
    db.session.expire_all()
    appointments = {a.title or a.status: a.owner_id for a in
                    db.session.query(Appointment).filter_by(lead_id=lead.id)}
    reminders = {r.what: r.user_id for r in db.session.query(Reminder).filter_by(lead_id=lead.id)}
    return appointments, reminders


def moved_to(lead, new, former):
    return owners(lead) == ({"Démo": new.id, "done": former.id, "cancelled": former.id},
                            {"Rappeler": new.id, "Fait": former.id})


def told(user):
    return [(n.title, n.lead_id) for n in db.session.query(Notification).filter_by(
        user_id=user.id, event="appointment")]


@pytest.mark.clock
def test_the_sheet_moves_what_lies_ahead_and_tells_both_reps_not_the_lead(
        app, client, accounts, team, smtp):
    use_smtp(app, smtp)
    boss, claire, paul = team
    lead, ahead, _past, _cancelled = with_history(claire, first_name="Marie", last_name="Martin")
    sequence = ahead.sequence
    accounts.login(client, "boss")
    assert client.post(f"/sheet/{lead.id}/reassign", data={"owner": paul.id}).status_code == 302
    assert moved_to(lead, paul, claire)
    when = ahead.starts_at
    text = [t for t, _ in told(paul)]
    assert len(text) == 1 and text[0].startswith("Rendez-vous du ") \
        and text[0].endswith("avec Marie Martin transféré à Paul Durand")
    assert told(paul)[0][1] == lead.id
    # No link to, nor name of, a lead she no longer sees.
    assert told(claire) == [(f"Votre rendez-vous du {text[0][15:].split(' avec ')[0]} a été "
                             "transféré à Paul Durand", None)]
    assert told(boss) == []
    # Only the rep changed: same SEQUENCE, and no e-mail to the lead.
    assert db.session.get(Appointment, ahead.id).sequence == sequence
    assert db.session.get(Appointment, ahead.id).starts_at == when
    assert [m.rcpt_tos for m in smtp.messages if lead.email in m.rcpt_tos] == []
    assert {m.rcpt_tos[0] for m in smtp.messages} == {"claire@example.com", "paul@example.com"}


@pytest.mark.clock
def test_the_former_rep_keeps_nothing_of_what_lies_ahead(client, accounts, team):
    """Finding 2 of #12: the former rep kept the lead's name in their agenda, feed, appointment
    pages, API and reminders, and could still move the appointment."""
    soon = on_the_hour(3)
    _boss, claire, paul = team
    lead = make_lead(owner=claire, first_name="Zoé", last_name="Canari")
    ahead = make_appointment(lead, owner=claire, start=soon, title="Démo")
    db.session.add(Reminder(lead_id=lead.id, user_id=claire.id, due_at=soon, what="Rappeler"))
    db.session.commit()
    accounts.login(client, "boss")
    client.post(f"/sheet/{lead.id}/reassign", data={"owner": paul.id})
    accounts.login(client, "claire")
    day = dt.timedelta(days=1)
    pages = [client.get("/agenda/events", query_string={
                 "start": (soon - day).strftime("%Y-%m-%dT%H:%M"),
                 "end": (soon + day).strftime("%Y-%m-%dT%H:%M")}),
             client.get(f"/appointments/show/{ahead.id}"), client.get("/reminders/"),
             client.get("/"),
             client.post(f"/agenda/events/{ahead.id}/move", json={
                 "start": (soon + day).strftime("%Y-%m-%dT%H:%M"),
                 "end": (soon + day + day / 24).strftime("%Y-%m-%dT%H:%M")})]
    client.get("/agenda/")
    token = db.session.query(UserProfile).filter_by(user_id=claire.id).one().calendar_token
    pages.append(client.get(f"/calendar/{token}.ics"))
    pages.append(client.get(f"/api/v1/appointment/{ahead.id}",
                            headers=accounts.token(client, "claire")))
    for page in pages:
        assert page.status_code < 500 and "Canari" not in page.get_data(as_text=True)
    assert pages[4].status_code == 404 and pages[-1].status_code == 404
    assert db.session.get(Appointment, ahead.id).starts_at == soon


def test_bulk_assign_moves_every_leads_appointments(client, accounts, team):
    boss, claire, paul = team
    first, second = with_history(claire)[0], with_history(paul)[0]
    accounts.login(client, "boss")
    client.post("/leads/bulk", data={"rowid": [first.id, second.id], "operation": "assign",
                                     "owner": str(boss.id)})
    assert moved_to(first, boss, claire) and moved_to(second, boss, paul)
    assert told(boss) == []  # the manager made the change


def test_the_api_put_of_the_owner_moves_them(client, accounts, team):
    _boss, claire, paul = team
    lead = with_history(claire)[0]
    headers = accounts.token(client, "boss")
    response = client.put(f"/api/v1/lead/{lead.id}", headers=headers, json={"owner": paul.id})
    assert response.status_code == 200, response.get_json()
    assert moved_to(lead, paul, claire)
    assert len(told(paul)) == len(told(claire)) == 1


def test_the_managers_edit_form_moves_them(client, accounts, team):
    _boss, claire, paul = team
    lead = with_history(claire, last_name="Martin")[0]
    accounts.login(client, "boss")
    form = {"last_name": "Martin", "first_name": lead.first_name, "email": lead.email,
            "phone": lead.phone, "status": "new", "owner": paul.id}
    assert client.post(f"/leads/edit/{lead.id}", data=form).status_code == 302
    assert moved_to(lead, paul, claire)


def test_an_assignment_rule_giving_a_pool_lead_moves_them(app, team):
    boss, _claire, paul = team
    lead, ahead, _past, _cancelled = with_history(boss)
    lead.owner_id = None  # back to the pool: nothing moves, nobody to give it to
    db.session.commit()
    assert owners(lead)[0]["Démo"] == boss.id
    db.session.add(AssignmentRule(name="Tout", mode="fixed", owner=paul))
    db.session.commit()
    assert auto_assign(db.session, lead).id == paul.id
    db.session.commit()
    assert moved_to(lead, paul, boss)
    assert len(told(paul)) == len(told(boss)) == 1


def test_a_merge_gives_the_others_future_to_the_kept_leads_rep(app, team):
    _boss, claire, paul = team
    keep = make_lead(owner=paul, last_name="Martin", company="ACME")
    other = with_history(claire, last_name="Martin", company="ACME")[0]
    merge(db.session, keep, other)
    db.session.commit()
    assert moved_to(keep, paul, claire)


def test_an_import_updating_a_lead_leaves_its_rep_and_appointments(runner, import_dir, team):
    """The import's bulk UPDATE bypasses the ORM, but never writes the owner: its rep (the
    batch's default) is for the leads it creates."""
    _boss, claire, paul = team
    lead = with_history(claire, last_name="Durand", email="jean.durand@exemple.fr")[0]
    path = write_csv(import_dir / "maj.csv", [["Nom", "E-mail", "Société"],
                                              ["Durand", "jean.durand@exemple.fr", "Durand SA"]])
    counts = run_cli(runner, path, "--policy", "update", "--owner", "paul")
    assert counts["updated"] == 1
    assert db.session.get(type(lead), lead.id).company == "Durand SA"
    assert db.session.get(type(lead), lead.id).owner_id == claire.id
    assert moved_to(lead, claire, claire)  # nothing moved
    assert told(paul) == []


def test_a_rolled_back_reassignment_moves_nothing_and_tells_nobody(app, team):
    _boss, claire, paul = team
    lead = with_history(claire)[0]
    lead.owner_id = paul.id
    db.session.flush()
    assert len(db.session.info[MOVED]) == 1
    db.session.rollback()
    assert MOVED not in db.session.info
    db.session.commit()
    assert moved_to(lead, claire, claire)  # nothing moved
    assert told(paul) == told(claire) == []


def calendar_for(radicale, name):
    client = caldav.DAVClient(url=radicale["url"], username=radicale["username"],
                              password=radicale["password"])
    return client.principal().make_calendar(name=name, cal_id=name)


def test_the_caldav_copy_leaves_the_former_reps_calendar_for_the_new_ones(
        client, accounts, team, radicale):
    _boss, claire, paul = team
    calendars = {user.username: calendar_for(radicale, user.username) for user in (claire, paul)}
    for user in (claire, paul):  # each rep's own calendar on the server
        accounts.login(client, user.username)
        response = client.post("/agenda/caldav", data={
            "server_url": str(calendars[user.username].url), "username": "claire",
            "password": "secret"})
        assert response.status_code == 302
    lead = make_lead(owner=claire)
    accounts.login(client, "claire")
    response = client.post("/agenda/events", json={"lead": lead.id, "title": "Démo",
                                                   "start": "2031-03-26T10:00",
                                                   "end": "2031-03-26T11:00"})
    uid = db.session.get(Appointment, response.get_json()["id"]).uid
    assert calendars["claire"].event_by_uid(uid)
    accounts.login(client, "boss")
    assert client.post(f"/sheet/{lead.id}/reassign", data={"owner": paul.id}).status_code == 302
    with pytest.raises(caldav.lib.error.NotFoundError):
        calendars["claire"].event_by_uid(uid)
    assert calendars["paul"].event_by_uid(uid)
    appointment = db.session.query(Appointment).filter_by(uid=uid).one()
    assert appointment.owner_id == paul.id
    assert appointment.caldav_href.startswith(str(calendars["paul"].url))
    assert db.session.get(CalendarAccount, claire.id).last_error is None


@pytest.mark.clock
def test_booking_holds_go_to_the_new_rep_except_those_already_held(app, client, accounts, team):
    soon = on_the_hour(3)
    boss, claire, paul = team
    page = make_page(claire, paul, working_hours=EVERY_DAY)
    start = soon.replace(hour=9)
    booked = book(db.session, page, start, {**VISITOR, "name": "Marie Martin"})
    db.session.commit()
    rep, other = (claire, paul) if booked.owner_id == claire.id else (paul, claire)
    # The other rep already holds the second quarter hour for a booking of their own.
    theirs = make_appointment(make_lead(owner=other), owner=other,
                              start=start + dt.timedelta(minutes=15))
    db.session.add(AppointmentBlock(user_id=other.id, starts_at=start + dt.timedelta(minutes=15),
                                    appointment_id=theirs.id))
    db.session.commit()
    accounts.login(client, "boss")
    lead_id = booked.lead_id
    assert client.post(f"/sheet/{lead_id}/reassign", data={"owner": other.id}).status_code == 302
    db.session.expire_all()
    blocks = {(b.appointment_id, b.user_id, b.starts_at) for b in db.session.query(AppointmentBlock)}
    assert blocks == {(booked.id, other.id, start),
                      (theirs.id, other.id, start + dt.timedelta(minutes=15))}
    assert db.session.get(Appointment, booked.id).owner_id == other.id
    assert rep.id not in {b.user_id for b in db.session.query(AppointmentBlock)}


@pytest.mark.clock
def test_a_reminder_fired_after_reassignment_goes_to_the_new_rep(app, client, accounts, team):
    soon = on_the_hour(3)
    _boss, claire, paul = team
    lead = make_lead(owner=claire)
    reminder = Reminder(lead_id=lead.id, user_id=claire.id, due_at=soon, what="Rappeler")
    db.session.add(reminder)
    db.session.commit()
    accounts.login(client, "boss")
    client.post(f"/sheet/{lead.id}/reassign", data={"owner": paul.id})
    assert fire_reminder(reminder.id, now=soon + dt.timedelta(minutes=1)).user_id == paul.id
    reminders = db.session.query(Notification).filter_by(event="reminder")
    assert [n.user_id for n in reminders] == [paul.id]


def test_with_a_worker_the_reminders_job_and_the_notices_serve_the_new_rep(
        database_url, redis_url, queue_name):
    soon = on_the_hour(3)
    app = make_app(database_url, REDIS_URL=redis_url, RQ_QUEUE_NAME=queue_name)
    with app.app_context():
        empty_database()
        accounts, client = Accounts(app), app.test_client()
        accounts.create("boss", "Responsable")
        claire, paul = accounts.create("claire", "Commercial"), accounts.create("paul", "Commercial")
        lead = make_lead(owner=claire)
        make_appointment(lead, owner=claire, start=soon)
        accounts.login(client, "claire")
        due = (utcnow() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")  # Paris time
        client.post(f"/sheet/{lead.id}/remind", data={"due_at": due, "what": "Rappeler"})
        reminder = db.session.query(Reminder).one()
        accounts.login(client, "boss")
        client.post(f"/sheet/{lead.id}/reassign", data={"owner": paul.id})
        assert told(paul) == told(claire) == []  # queued after the commit, not yet run
        run_worker(burst=True, with_scheduler=False)
        assert len(told(paul)) == len(told(claire)) == 1
        job = Job.fetch(f"reminder-{reminder.id}", connection=get_redis())
        db.session.query(Reminder).filter_by(id=reminder.id).update({"due_at": utcnow()})
        db.session.commit()
        job.perform()
        assert [n.user_id for n in db.session.query(Notification).filter_by(event="reminder")] \
            == [paul.id]
        db.session.remove()


def test_a_managers_own_meeting_and_reminder_stay_theirs(client, accounts, team):
    """Only the former rep's part follows the lead: the manager still sees it."""
    soon = on_the_hour(3)
    boss, claire, paul = team
    lead, _ahead, _past, _cancelled = with_history(claire)
    meeting = make_appointment(lead, owner=boss, start=soon + dt.timedelta(hours=3), title="Point")
    reminder = Reminder(lead_id=lead.id, user_id=boss.id, due_at=soon, what="Vérifier")
    db.session.add(reminder)
    db.session.commit()
    accounts.login(client, "boss")
    assert client.post(f"/sheet/{lead.id}/reassign", data={"owner": paul.id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, meeting.id).owner_id == boss.id
    assert db.session.get(Reminder, reminder.id).user_id == boss.id
    assert db.session.query(Reminder).filter_by(lead_id=lead.id, what="Rappeler").one().user_id \
        == paul.id
