"""Each role against each screen and API action, and the Commercial row-level rule everywhere."""
import datetime as dt

import pytest
from sqlalchemy import update

from app.extensions import db
from app.services.errors import DomainError
from app.services.viewer import ANONYMOUS, CONDITIONS, Viewer, scope, scope_leads
from jobs.exports import run_lead_export
from models import (Appointment, Attachment, ExportFile, FollowUpAlert, FollowUpRule, ImportBatch,
                    IntakeDelivery, Interaction, Lead, LeadAssignment, LeadEvent, LeadNote,
                    Notification, Reminder, User, UserProfile)
from models.base import utcnow
from views.calendar import wall_time
from tests.factories import make_appointment, make_campaign, make_interaction, make_lead
from tests.integration.conftest import use_smtp

ROLES = ["Admin", "Responsable", "Commercial", "Marketing"]

# (method, url, roles allowed). {lead} is a lead owned by the logged-in user.
SCREENS = [
    ("GET", "/leads/list/", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("GET", "/leads/show/{lead}", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("GET", "/leads/add", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/leads/edit/{lead}", {"Admin", "Responsable", "Commercial"}),
    ("POST", "/leads/delete/{lead}", {"Admin", "Responsable"}),
    ("GET", "/sources/list/", {"Admin", "Responsable", "Marketing"}),
    ("GET", "/sources/add", {"Admin", "Responsable", "Marketing"}),
    ("GET", "/campaigns/list/", {"Admin", "Responsable", "Marketing"}),
    ("GET", "/campaigns/add", {"Admin", "Responsable", "Marketing"}),
    ("GET", "/appointments/list/", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/appointments/add", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/interactions/list/", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/interactions/add", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/reminders/", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/notifications/", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("GET", "/notifications/preferences", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("POST", "/sheet/{lead}/note", {"Admin", "Responsable", "Commercial"}),
    ("POST", "/sheet/{lead}/log", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/reports/", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("GET", "/dashboard/", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("GET", "/performance/", {"Admin", "Responsable", "Marketing"}),
    ("GET", "/spend/", {"Admin", "Responsable", "Marketing"}),
    ("GET", "/agenda/", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/booking-pages/list/", {"Admin", "Responsable"}),
    ("GET", "/followup-rules/list/", {"Admin"}),
    ("GET", "/email-templates/list/", {"Admin"}),
    ("GET", "/user-profiles/list/", {"Admin"}),
    ("GET", "/users/list/", {"Admin"}),
    ("GET", "/roles/list/", {"Admin"}),
    ("GET", "/privacy/register/", {"Admin"}),
    ("GET", "/privacy/register/pdf", {"Admin"}),
    ("GET", "/privacy/erase/{lead}", {"Admin"}),
    ("POST", "/privacy/erase/{lead}", {"Admin"}),
    ("GET", "/audit/", {"Admin"}),
    ("GET", "/audit/export.csv", {"Admin"}),
]

APIS = [
    ("GET", "/api/v1/lead/", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("GET", "/api/v1/lead/{lead}", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("POST", "/api/v1/lead/", {"Admin", "Responsable", "Commercial"}),
    ("PUT", "/api/v1/lead/{lead}", {"Admin", "Responsable", "Commercial"}),
    ("DELETE", "/api/v1/lead/{lead}", {"Admin", "Responsable"}),
    ("GET", "/api/v1/source/", {"Admin", "Responsable", "Marketing"}),
    ("POST", "/api/v1/source/", {"Admin", "Responsable", "Marketing"}),
    ("GET", "/api/v1/campaign/", {"Admin", "Responsable", "Marketing"}),
    ("POST", "/api/v1/campaign/", {"Admin", "Responsable", "Marketing"}),
    ("GET", "/api/v1/appointment/", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/api/v1/interaction/", {"Admin", "Responsable", "Commercial"}),
    ("GET", "/api/v1/sheet/{lead}/timeline", {"Admin", "Responsable", "Commercial", "Marketing"}),
    ("POST", "/api/v1/sheet/{lead}/notes", {"Admin", "Responsable", "Commercial"}),
]

FORMS = {"/sheet/{lead}/note": {"body": "Note"}, "/sheet/{lead}/log": {"kind": "call"},
         "/privacy/erase/{lead}": {"confirm": "EFFACER"}}

PAYLOADS = {
    "/api/v1/lead/": {"last_name": "Api", "email": "api@example.com"},
    "/api/v1/lead/{lead}": {"company": "Nouvelle société"},
    "/api/v1/source/": {"name": "Source API", "kind": "api"},
    "/api/v1/campaign/": {"name": "Campagne API", "platform": "meta"},
    "/api/v1/sheet/{lead}/notes": {"body": "Note API"},
}


@pytest.mark.parametrize("role", ROLES)
def test_screen_matrix(client, accounts, role):
    user = accounts.create("someone", role)
    accounts.login(client, "someone")
    for method, url, allowed in SCREENS:
        lead = make_lead(owner=user)
        target = url.format(lead=lead.id)
        response = client.open(target, method=method, data=FORMS.get(url))
        if role in allowed:
            assert response.status_code in (200, 302), (role, target, response.status_code)
            if method == "GET":
                assert response.status_code == 200, (role, target)
            elif "/delete/" in url:
                assert db.session.get(Lead, lead.id) is None, (role, target)
        else:
            assert response.status_code == 403, (role, target, response.status_code)
            if method == "POST":
                assert db.session.get(Lead, lead.id) is not None


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(client, accounts, role):
    user = accounts.create("someone", role)
    headers = accounts.token(client, "someone")
    for method, url, allowed in APIS:
        lead = make_lead(owner=user)
        target = url.format(lead=lead.id)
        response = client.open(target, method=method, headers=headers, json=PAYLOADS.get(url))
        expected = {"GET": 200, "POST": 201, "PUT": 200, "DELETE": 200}[method]
        if role in allowed:
            assert response.status_code == expected, (role, method, target, response.get_json())
        else:
            assert response.status_code in (401, 403), (role, method, target, response.status_code)


def test_api_refuses_anonymous_calls(client):
    assert client.get("/api/v1/lead/").status_code == 401


@pytest.fixture
def two_reps(client, accounts):
    alice = accounts.create("alice", "Commercial")
    bob = accounts.create("bob", "Commercial")
    mine = make_lead(owner=alice, last_name="Alicelead")
    theirs = make_lead(owner=bob, last_name="Boblead")
    make_interaction(theirs, bob, summary="secret de Bob")
    make_appointment(theirs, bob, title="RDV de Bob")
    accounts.login(client, "alice")
    return alice, bob, mine, theirs


def test_rep_sees_only_own_leads_on_screens(client, two_reps):
    alice, bob, mine, theirs = two_reps
    listing = client.get("/leads/list/").get_data(as_text=True)
    assert "Alicelead" in listing and "Boblead" not in listing
    assert client.get(f"/leads/list/?owner={bob.id}").get_data(as_text=True).count("crm-lead-link") == 0
    for url in (f"/leads/show/{theirs.id}", f"/leads/edit/{theirs.id}"):
        assert client.get(url).status_code == 404
    response = client.post(f"/leads/edit/{theirs.id}", data={"last_name": "Pirate", "status": "new"})
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.last_name == "Boblead"


def test_rep_cannot_reach_other_leads_through_related_screens(client, two_reps):
    alice, bob, mine, theirs = two_reps
    assert "secret de Bob" not in client.get("/interactions/list/").get_data(as_text=True)
    assert "RDV de Bob" not in client.get("/appointments/list/").get_data(as_text=True)
    interaction = db.session.query(Interaction).filter_by(lead_id=theirs.id).one()
    assert client.get(f"/interactions/show/{interaction.id}").get_data(as_text=True).count("secret de Bob") == 0
    assert client.get(f"/interactions/edit/{interaction.id}").status_code == 404
    results = client.get("/lookup/leads?q=").get_json()["results"]
    assert [r["id"] for r in results] == [mine.id]


def test_rep_cannot_log_an_interaction_on_another_lead(client, two_reps):
    alice, bob, mine, theirs = two_reps
    before = db.session.query(Interaction).count()
    body = client.post("/interactions/add", data={
        "lead": str(theirs.id), "kind": "call", "direction": "outbound",
        "occurred_at": "2026-03-01T10:00"}).get_data(as_text=True)
    assert "Choix introuvable ou non autorisé" in body
    client.post(f"/interactions/add?_flt_0_lead={theirs.id}", data={
        "kind": "call", "direction": "outbound", "occurred_at": "2026-03-01T10:00"})
    assert db.session.query(Interaction).count() == before


def test_rep_bulk_actions_stop_at_other_leads(client, two_reps):
    alice, bob, mine, theirs = two_reps
    response = client.post("/leads/bulk", data={"rowid": [str(mine.id), str(theirs.id)],
                                                "operation": "status", "status": "converted"})
    assert response.status_code == 404
    db.session.expire_all()
    assert (mine.status, theirs.status) == ("new", "new")
    assert client.post("/leads/bulk", data={"rowid": [str(mine.id)], "operation": "delete"}).status_code == 403
    assert client.post("/leads/bulk", data={"rowid": [str(mine.id)], "operation": "assign",
                                            "owner": str(bob.id)}).status_code == 403


def test_rep_cannot_give_a_lead_to_someone_else(client, two_reps):
    alice, bob, mine, theirs = two_reps
    client.post(f"/leads/edit/{mine.id}", data={"last_name": "Alicelead", "email": mine.email,
                                               "phone": mine.phone, "status": "new",
                                               "owner": str(bob.id)})
    db.session.refresh(mine)
    assert mine.owner_id == alice.id


def test_rep_api_is_scoped_too(client, accounts, two_reps):
    alice, bob, mine, theirs = two_reps
    headers = accounts.token(client, "alice")
    ids = [row["id"] for row in client.get("/api/v1/lead/", headers=headers).get_json()["result"]]
    assert ids == [mine.id]
    assert client.get(f"/api/v1/lead/{theirs.id}", headers=headers).status_code == 404
    assert client.put(f"/api/v1/lead/{theirs.id}", headers=headers, json={"company": "x"}).status_code == 404
    items = client.get("/api/v1/interaction/", headers=headers).get_json()["result"]
    assert items == []
    response = client.post("/api/v1/interaction/", headers=headers, json={
        "lead": theirs.id, "kind": "call", "direction": "outbound",
        "occurred_at": "2026-03-01T10:00:00"})
    assert response.status_code == 422
    response = client.post("/api/v1/lead/", headers=headers, json={"last_name": "Neuf", "owner": bob.id})
    assert response.status_code == 201
    assert db.session.get(Lead, response.get_json()["id"]).owner_id == alice.id


def test_marketing_reads_leads_but_cannot_change_them(client, accounts):
    accounts.create("mia", "Marketing")
    lead = make_lead()
    headers = accounts.token(client, "mia")
    assert client.get(f"/api/v1/lead/{lead.id}", headers=headers).status_code == 200
    assert client.put(f"/api/v1/lead/{lead.id}", headers=headers, json={"company": "x"}).status_code == 403


def test_openapi_describes_the_lead_api(client, accounts):
    assert client.get("/api/v1/_openapi").status_code == 401
    accounts.create("rep", "Commercial")
    spec = client.get("/api/v1/_openapi", headers=accounts.token(client, "rep")).get_json()
    assert "/api/v1/lead/" in spec["paths"] and "/api/v1/appointment/{pk}" in spec["paths"]


def test_home_needs_a_login_and_shows_own_figures(client, accounts):
    assert "/login" in client.get("/").headers["Location"]
    rep = accounts.create("rep", "Commercial")
    make_lead(owner=rep, status="converted")
    make_lead(status="converted")
    accounts.login(client, "rep")
    body = client.get("/").get_data(as_text=True)
    assert 'crm-tile-converted' in body
    assert body.split('crm-tile-converted')[1].split("crm-tile-count\">")[1].startswith("1<")


def _info_values(client, headers, api, section):
    query = f"({section}:(lead:(page:0,page_size:100),owner:(page:0,page_size:100),user:(page:0,page_size:100)))"
    info = client.get(f"/api/v1/{api}/_info?q={query}", headers=headers)
    assert info.status_code == 200
    return {field["name"]: [v["value"] for v in field.get("values", [])]
            for field in info.get_json()[section]}


@pytest.mark.parametrize("api", ["interaction", "appointment"])
@pytest.mark.parametrize("section", ["add_columns", "edit_columns"])
def test_rep_info_values_list_only_own_leads(client, accounts, two_reps, api, section):
    """Finding 1: FAB's `_info` listed every lead (and user) as related-field values."""
    alice, bob, mine, theirs = two_reps
    values = _info_values(client, accounts.token(client, "alice"), api, section)
    assert values["lead"] == [str(mine)]
    assert all("Bob" not in value for field in values.values() for value in field)


def test_rep_rel_filter_cannot_probe_other_leads(client, accounts, two_reps):
    alice, bob, mine, theirs = two_reps
    headers = accounts.token(client, "alice")
    for api in ("interaction", "appointment"):
        response = client.get(f"/api/v1/{api}/?q=(filters:!((col:lead,opr:rel_o_m,value:{theirs.id})))",
                              headers=headers)
        assert response.status_code == 200 and response.get_json()["result"] == []


def test_rep_cannot_attach_to_another_lead_through_the_api(client, accounts, two_reps):
    alice, bob, mine, theirs = two_reps
    headers = accounts.token(client, "alice")
    before = db.session.query(Appointment).count()
    response = client.post("/api/v1/appointment/", headers=headers, json={
        "lead": theirs.id, "title": "Intrus", "start_at": "2026-03-05T10:00:00",
        "end_at": "2026-03-05T11:00:00"})
    assert response.status_code == 422 and "lead" in response.get_json()["errors"]
    assert db.session.query(Appointment).count() == before
    interaction = make_interaction(mine, alice, summary="à moi")
    response = client.put(f"/api/v1/interaction/{interaction.id}", headers=headers,
                          json={"lead": theirs.id})
    assert response.status_code == 422
    db.session.refresh(interaction)
    assert interaction.lead_id == mine.id
    assert client.put(f"/api/v1/interaction/{interaction.id}", headers=headers,
                      json={"lead": 99999999999999}).status_code == 422


def test_rep_form_choices_and_filter_dropdowns_hold_only_own_leads(client, two_reps):
    alice, bob, mine, theirs = two_reps
    # A lead given as JSON to a form is refused, not a 500.
    assert client.post("/appointments/add", json={"lead": theirs.id}).status_code < 500
    for url in ("/interactions/add", "/appointments/add", "/interactions/list/",
                "/appointments/list/", "/lead-assignments/list/"):
        body = client.get(url).get_data(as_text=True)
        assert "Boblead" not in body, url


def _hanging_off(lead, user, n):
    """One row of every kind the row-level rule scopes, hanging off `lead` or owned by `user`."""
    rule = FollowUpRule(name=f"Règle {n}", after_hours=24)
    db.session.add(rule)
    db.session.flush()
    lead_id, user_id = lead.id, user.id
    rows = [
        Interaction(lead_id=lead_id, user_id=user_id, kind="call", direction="outbound",
                    occurred_at=dt.datetime(2026, 3, 1, 10)),
        Appointment(lead_id=lead_id, owner_id=user_id, starts_at=dt.datetime(2026, 3, 2, 9),
                    ends_at=dt.datetime(2026, 3, 2, 10), status="planned"),
        Reminder(lead_id=lead_id, user_id=user_id, due_at=dt.datetime(2026, 3, 3, 9),
                 what="rappeler"),
        LeadNote(lead_id=lead_id, author_id=user_id, body="note"),
        LeadEvent(lead_id=lead_id, kind="status", user_id=user_id),
        Attachment(lead_id=lead_id, filename="a.pdf", stored_name=f"stored-{n}",
                   content_type="application/pdf", size=1),
        LeadAssignment(lead_id=lead_id, user_id=user_id),
        FollowUpAlert(rule_id=rule.id, lead_id=lead_id, level="rep", since=dt.datetime(2026, 3, 1)),
        Notification(user_id=user_id, event="assigned", title="t", lead_id=lead_id),
        ImportBatch(created_by_id=user_id, file_name="f.csv", stored_path="/tmp/f.csv"),
        IntakeDelivery(channel="web_form", lead_id=lead_id),
        ExportFile(user_id=user_id, file_format="csv"),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_scoping_functions_need_no_request(app, accounts):
    """Every kind of row, scoped for a Viewer built from a user id, outside any request."""
    from flask import has_request_context

    alice = accounts.create("alice", "Commercial")
    bob = accounts.create("bob", "Commercial")
    boss = accounts.create("boss", "Responsable")
    mine = _hanging_off(make_lead(owner=alice), alice, 1)
    theirs = _hanging_off(make_lead(owner=bob), bob, 2)
    assert not has_request_context()
    rep, manager = Viewer.for_user(db.session, alice.id), Viewer.for_user(db.session, boss.id)
    assert (rep.sees_all_leads, rep.can_assign, manager.sees_all_leads, manager.can_assign) == (
        False, False, True, True)
    assert set(CONDITIONS) >= {type(row) for row in mine} | {Lead, User}
    for row in mine + theirs:
        model = type(row)
        ids = {r.id for r in scope(db.session.query(model), model, rep)}
        assert (row.id in ids) == (row in mine), (model.__name__, row in mine)
    assert [lead.owner_id for lead in scope_leads(db.session.query(Lead), rep)] == [alice.id]
    assert scope_leads(db.session.query(Lead), manager).count() == 2
    assert [u.id for u in scope(db.session.query(User), User, rep)] == [alice.id]
    assert scope(db.session.query(Lead), Lead, ANONYMOUS).count() == 0
    assert ANONYMOUS.owner_scope == 0 and manager.owner_scope is None


@pytest.mark.clock
def test_appointments_follow_their_lead_not_their_owner_column(client, accounts, two_reps):
    """Finding 2: after a reassignment the former rep sees nothing of the lead, even where an
    appointment or a reminder still names them."""
    alice, bob, mine, theirs = two_reps
    start = utcnow() + dt.timedelta(days=1)
    appointment = make_appointment(mine, alice, start=start, title="RDV canari")
    db.session.add(Reminder(lead=mine, user=alice, due_at=utcnow() - dt.timedelta(hours=1),
                            what="Rappel canari"))
    # Reassigned by a bare UPDATE, so that nothing follows the lead (a reassignment through the
    # ORM moves future appointments): the rule alone must hold.
    db.session.execute(update(Lead).where(Lead.id == mine.id).values(owner_id=bob.id))
    db.session.commit()
    assert client.get(f"/appointments/show/{appointment.id}").status_code == 404
    assert client.get(f"/api/v1/appointment/{appointment.id}",
                      headers=accounts.token(client, "alice")).status_code == 404
    accounts.login(client, "alice")
    day = start.date()
    events = client.get(f"/agenda/events?start={day}T00:00:00&end={day + dt.timedelta(days=2)}T00:00:00")
    assert events.status_code == 200 and events.get_json() == []
    assert client.post(f"/agenda/events/{appointment.id}/move", json={
        "start": f"{day}T15:00:00", "end": f"{day}T16:00:00"}).status_code == 404
    assert client.post(f"/agenda/events/{appointment.id}/cancel").status_code == 404
    assert client.post(f"/appointments/delete/{appointment.id}").status_code == 404
    assert client.delete(f"/api/v1/appointment/{appointment.id}",
                         headers=accounts.token(client, "alice")).status_code == 404
    accounts.login(client, "alice")
    db.session.refresh(appointment)
    assert (appointment.status, appointment.starts_at) == ("planned", start)
    for url in ("/", "/dashboard/", "/reminders/"):
        body = client.get(url).get_data(as_text=True)
        assert "canari" not in body and "Alicelead" not in body, url
    client.get("/agenda/")
    token = db.session.get(UserProfile, alice.id).calendar_token
    feed = client.get(f"/calendar/{token}.ics").get_data(as_text=True)
    assert "canari" not in feed and "Alicelead" not in feed
    # Still her time, but the overlap warning does not name the lead.
    other = make_lead(owner=alice, last_name="Autrelead")
    clash = client.post("/agenda/events", json={
        "lead": other.id, "start": wall_time(start), "end": wall_time(start + dt.timedelta(hours=1))})
    assert clash.status_code == 409 and "Alicelead" not in clash.get_json()["message"]


def test_export_job_runs_as_the_rep_without_a_request(app, accounts, two_reps, tmp_path):
    """The job gets the export row (user id and the list's arguments) and builds the viewer."""
    alice, bob, mine, theirs = two_reps
    app.config["CRM_EXPORT_DIR"] = str(tmp_path)
    make_lead(owner=alice, last_name="Alicedeux", status="converted")
    export = ExportFile(user_id=alice.id, file_format="csv", query="status=new&q=")
    db.session.add(export)
    db.session.commit()
    assert run_lead_export(export.id) is True
    db.session.refresh(export)
    text = open(export.path, encoding="utf-8").read()
    assert export.rows == 1 and "Alicelead" in text and "Boblead" not in text
    assert "Alicedeux" not in text  # the list's own filter
    alice.active = False
    again = ExportFile(user_id=alice.id, file_format="csv", query="")
    db.session.add(again)
    db.session.commit()
    run_lead_export(again.id)
    db.session.refresh(again)
    assert again.rows == 0  # a deactivated user's job sees nothing


def test_export_job_records_and_raises_a_bad_argument(app, accounts, two_reps, tmp_path):
    alice, bob, mine, theirs = two_reps
    export = ExportFile(user_id=alice.id, file_format="csv", query="_oc_LeadView=password&_od_LeadView=asc")
    db.session.add(export)
    db.session.commit()
    with pytest.raises(DomainError):
        run_lead_export(export.id)
    db.session.refresh(export)
    assert export.status == "failed" and "password" in export.error


@pytest.mark.clock
def test_a_due_reminder_of_a_lead_handed_over_stays_silent(app, accounts, two_reps):
    from jobs.followup import fire_reminder

    alice, bob, mine, theirs = two_reps
    reminder = Reminder(lead=mine, user=alice, due_at=utcnow() - dt.timedelta(minutes=1),
                        what="Rappel canari")
    db.session.add(reminder)
    mine.owner = bob
    db.session.commit()
    assert fire_reminder(reminder.id) is None
    assert db.session.query(Notification).filter_by(user_id=alice.id).count() == 0


def test_user_choices_follow_who_may_be_named(client, accounts, two_reps):
    """A rep's owner choices are themselves alone (API `_info` too); Marketing still names any
    active colleague to follow a campaign."""
    alice, bob, mine, theirs = two_reps
    values = _info_values(client, accounts.token(client, "alice"), "lead", "add_columns")
    assert values["owner"] == [str(alice)]
    accounts.create("mia", "Marketing")
    accounts.login(client, "mia")
    assert str(bob) in client.get("/campaigns/add").get_data(as_text=True)


def test_a_campaign_follower_who_may_not_see_the_lead_is_not_told(app, accounts, two_reps, smtp):
    from jobs.notifications import notify_new_lead

    use_smtp(app, smtp)
    alice, bob, mine, theirs = two_reps
    theirs.campaign = make_campaign(name="Printemps")
    theirs.campaign.manager_id = alice.id
    db.session.commit()
    notify_new_lead(theirs.id)
    assert db.session.query(Notification).filter_by(user_id=alice.id).count() == 0
    assert db.session.query(Notification).filter_by(user_id=bob.id, event="assigned").count() == 1


@pytest.mark.clock
def test_the_former_rep_hears_nothing_of_an_appointment_changed_after_a_handover(app, accounts,
                                                                                 two_reps):
    from jobs.notifications import notify_appointment

    alice, bob, mine, theirs = two_reps
    past = make_appointment(mine, alice, start=utcnow() - dt.timedelta(days=3))
    mine.owner = bob
    db.session.commit()
    assert notify_appointment(past.id, "changed") is False
    assert db.session.query(Notification).filter_by(user_id=alice.id).count() == 0
