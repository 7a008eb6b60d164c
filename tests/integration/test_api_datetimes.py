"""Date-times in the REST API are RFC 3339 both ways (issue 13, findings 1 and 2): an offset is
honoured, naive text is Paris wall time, a skipped or repeated wall time answers 422 in French,
and every answer carries its offset. Omitted optional fields take their column's default."""
import datetime as dt

import pytest

from app.extensions import db
from models import Appointment, Interaction, Lead
from tests.factories import make_lead


@pytest.fixture
def rep(client, accounts):
    user = accounts.create("claire", "Commercial")
    return user, make_lead(owner=user), accounts.token(client, "claire")


def post_appointment(client, headers, lead, starts_at, ends_at="2026-10-24T18:00:00Z", **more):
    return client.post("/api/v1/appointment/", headers=headers,
                       json={"lead": lead.id, "starts_at": starts_at, "ends_at": ends_at, **more})


@pytest.mark.parametrize("sent, stored", [
    ("2026-10-24T10:00:00+02:00", dt.datetime(2026, 10, 24, 8)),
    ("2026-10-24T08:00:00Z", dt.datetime(2026, 10, 24, 8)),
    ("2026-10-24T03:00:00-05:00", dt.datetime(2026, 10, 24, 8)),
    ("2026-10-24T10:00:00", dt.datetime(2026, 10, 24, 8)),  # Paris wall time (summer)
    ("2026-12-24T10:00:00", dt.datetime(2026, 12, 24, 9)),  # Paris wall time (winter)
])
def test_an_appointment_keeps_the_instant_it_was_given(client, rep, sent, stored):
    _user, lead, headers = rep
    response = post_appointment(client, headers, lead, sent, ends_at="2026-12-24T18:00:00Z")
    assert response.status_code == 201, response.get_json()
    appointment = db.session.get(Appointment, response.get_json()["id"])
    assert appointment.starts_at == stored
    shown = client.get(f"/api/v1/appointment/{appointment.id}", headers=headers).get_json()
    assert shown["result"]["starts_at"] == stored.isoformat() + "+00:00"
    assert shown["result"]["ends_at"] == "2026-12-24T18:00:00+00:00"
    listed = client.get("/api/v1/appointment/", headers=headers).get_json()["result"]
    assert listed[0]["starts_at"] == stored.isoformat() + "+00:00"


@pytest.mark.parametrize("sent, words", [
    ("2026-03-29T02:30:00", "n'existe pas en heure de Europe/Paris"),
    ("2026-10-25T02:30:00", "existe deux fois en heure de Europe/Paris"),
    ("demain 10h", "Date et heure invalides"),
    ("2026-10-24", "Date et heure invalides"),
    (1793001600, "Date et heure invalides"),
])
def test_a_time_that_is_not_one_instant_answers_422_in_french(client, rep, sent, words):
    _user, lead, headers = rep
    response = post_appointment(client, headers, lead, sent)
    assert response.status_code == 422
    assert words in response.get_json()["errors"]["starts_at"][0]
    assert db.session.query(Appointment).count() == 0


def test_a_put_keeps_what_it_was_not_asked_to_change(client, rep):
    _user, lead, headers = rep
    pk = post_appointment(client, headers, lead, "2026-10-24T10:00:00+02:00").get_json()["id"]
    response = client.put(f"/api/v1/appointment/{pk}", headers=headers, json={"title": "Démo"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"]["starts_at"] == "2026-10-24T08:00:00+00:00"
    appointment = db.session.get(Appointment, pk)
    assert (appointment.starts_at, appointment.title) == (dt.datetime(2026, 10, 24, 8), "Démo")
    response = client.put(f"/api/v1/appointment/{pk}", headers=headers,
                          json={"starts_at": "2026-10-25T02:30:00"})
    assert response.status_code == 422
    assert db.session.get(Appointment, pk).starts_at == dt.datetime(2026, 10, 24, 8)


def test_omitted_optional_fields_take_their_default(client, rep):
    _user, lead, headers = rep
    response = post_appointment(client, headers, lead, "2026-10-24T10:00:00")
    assert response.status_code == 201, response.get_json()
    assert db.session.get(Appointment, response.get_json()["id"]).status == "planned"
    response = client.post("/api/v1/interaction/", headers=headers, json={
        "lead": lead.id, "occurred_at": "2026-10-24T10:00:00+02:00"})
    assert response.status_code == 201, response.get_json()
    interaction = db.session.get(Interaction, response.get_json()["id"])
    assert (interaction.kind, interaction.direction) == ("call", "outbound")
    assert interaction.occurred_at == dt.datetime(2026, 10, 24, 8)
    response = client.post("/api/v1/interaction/", headers=headers, json={"lead": lead.id})
    assert response.status_code == 201, response.get_json()
    assert db.session.get(Interaction, response.get_json()["id"]).occurred_at is not None
    response = client.post("/api/v1/lead/", headers=headers, json={"last_name": "Durand",
                                                                   "email": "durand@exemple.fr"})
    assert response.status_code == 201, response.get_json()
    assert db.session.get(Lead, response.get_json()["id"]).status == "new"


def test_required_fields_are_required_and_declared(client, rep):
    _user, lead, headers = rep
    response = client.post("/api/v1/appointment/", headers=headers, json={"lead": lead.id})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"starts_at", "ends_at"}
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()["components"]["schemas"]
    post = spec["AppointmentApi.post"]
    assert {"lead", "starts_at", "ends_at"} <= set(post["required"])
    assert "status" not in post["required"] and post["properties"]["status"]["default"] == "planned"
    assert post["properties"]["starts_at"]["format"] == "date-time"


def test_a_date_time_filter_reads_like_a_field(client, rep):
    _user, lead, headers = rep
    early = post_appointment(client, headers, lead, "2026-10-24T09:30:00+02:00").get_json()["id"]
    late = post_appointment(client, headers, lead, "2026-10-24T10:30:00+02:00").get_json()["id"]

    def after(value):
        return client.get("/api/v1/appointment/", headers=headers, query_string={
            "q": f"(filters:!((col:starts_at,opr:gt,value:'{value}')))"})
    for value in ("2026-10-24T08:00:00Z", "2026-10-24T10:00:00+02:00", "2026-10-24T10:00:00"):
        assert [r["id"] for r in after(value).get_json()["result"]] == [late], value
    assert {r["id"] for r in after("2026-10-24T07:00:00Z").get_json()["result"]} == {early, late}
    for value in ("2026-10-25T02:30:00", "hier"):
        response = after(value)
        assert response.status_code == 400 and "heure" in response.get_json()["message"]


def test_the_sheet_api_reads_naive_text_as_paris_time_and_answers_with_offsets(client, rep):
    from models import Reminder

    _user, lead, headers = rep
    response = client.post(f"/api/v1/sheet/{lead.id}/reminders", headers=headers,
                           json={"due_at": "2030-06-01T09:30:00", "what": "Rappeler"})
    assert response.status_code == 201, response.get_json()
    reminder = db.session.get(Reminder, response.get_json()["id"])
    assert reminder.due_at == dt.datetime(2030, 6, 1, 7, 30)
    response = client.post(f"/api/v1/sheet/{lead.id}/reminders", headers=headers,
                           json={"due_at": "2030-03-31T02:30:00", "what": "Rappeler"})
    assert response.status_code == 422
    assert "n'existe pas" in response.get_json()["errors"]["due_at"][0]
    assert db.session.query(Reminder).count() == 1
    reminders = client.get(f"/api/v1/sheet/{lead.id}/reminders", headers=headers).get_json()
    assert reminders["result"][0]["due_at"] == "2030-06-01T07:30:00+00:00"
    client.post(f"/api/v1/sheet/{lead.id}/notes", headers=headers, json={"body": "Vu"})
    for path in ("timeline", "notes"):
        items = client.get(f"/api/v1/sheet/{lead.id}/{path}", headers=headers).get_json()["result"]
        stamps = [i.get("at") or i.get("created_at") for i in items]
        assert stamps and all(s.endswith("+00:00") for s in stamps), (path, stamps)


def test_every_model_api_answers_date_times_with_their_offset_and_days_as_days(client, accounts):
    from tests.factories import make_interaction, make_source

    accounts.create("admin", "Admin")
    headers = accounts.token(client, "admin")
    lead = make_lead(source=make_source("Salon"))
    make_interaction(lead)
    response = client.post("/api/v1/campaign/", headers=headers, json={
        "name": "Automne", "start_date": "2026-10-01", "end_date": "2026-10-31"})
    assert response.status_code == 201, response.get_json()
    campaign = client.get(f"/api/v1/campaign/{response.get_json()['id']}", headers=headers)
    assert campaign.get_json()["result"]["start_date"] == "2026-10-01"
    stamps = [client.get(f"/api/v1/lead/{lead.id}", headers=headers).get_json()["result"][name]
              for name in ("created_at", "updated_at")]
    stamps += [row["created_at"] for row in
               client.get("/api/v1/source/", headers=headers).get_json()["result"]]
    stamps += [row["occurred_at"] for row in
               client.get("/api/v1/interaction/", headers=headers).get_json()["result"]]
    assert len(stamps) == 4 and all(s.endswith("+00:00") for s in stamps), stamps
