"""The lead sheet through the REST API (JWT): same rules as the screens."""
import io

import pytest

from app.extensions import db
from models import Attachment, LeadNote, Notification, Reminder
from tests.factories import make_interaction, make_lead

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def setup(client, accounts):
    boss = accounts.create("boss", "Responsable")
    claire = accounts.create("claire", "Commercial")
    accounts.create("paul", "Commercial")
    accounts.create("marc", "Marketing")
    lead = make_lead(owner=claire, last_name="Martin")
    make_interaction(lead, user=claire, summary="Premier appel")
    return boss, claire, lead


def test_a_rep_works_on_their_lead_through_the_api(client, accounts, setup):
    boss, claire, lead = setup
    headers = accounts.token(client, "claire")
    response = client.post(f"/api/v1/sheet/{lead.id}/notes", headers=headers,
                           json={"kind": "message", "body": "@boss urgent"})
    assert response.status_code == 201
    assert db.session.query(Notification).filter_by(user_id=boss.id).count() == 1
    notes = client.get(f"/api/v1/sheet/{lead.id}/notes", headers=headers).get_json()["result"]
    assert notes[0]["body"] == "@boss urgent" and notes[0]["mentions"] == [boss.id]
    response = client.post(f"/api/v1/sheet/{lead.id}/reminders", headers=headers,
                           json={"due_at": "2030-06-01T07:30:00+00:00", "what": "Rappeler"})
    assert response.status_code == 201
    reminders = client.get(f"/api/v1/sheet/{lead.id}/reminders", headers=headers).get_json()
    assert reminders["result"][0]["due_at"] == "2030-06-01T07:30:00+00:00"
    response = client.post(f"/api/v1/sheet/{lead.id}/attachments", headers=headers,
                           data={"file": (io.BytesIO(PDF), "devis.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    attachment_id = response.get_json()["id"]
    assert client.get(f"/api/v1/sheet/attachment/{attachment_id}", headers=headers).data == PDF
    timeline = client.get(f"/api/v1/sheet/{lead.id}/timeline", headers=headers).get_json()["result"]
    kinds = [entry["kind"] for entry in timeline]
    assert {"message", "file", "call", "created"} <= set(kinds)


def test_bad_input_answers_422_and_writes_nothing(client, accounts, setup):
    _boss, _claire, lead = setup
    headers = accounts.token(client, "claire")
    for path, body in ((f"/api/v1/sheet/{lead.id}/notes", {"body": ""}),
                       (f"/api/v1/sheet/{lead.id}/notes", {"body": "x", "kind": "secret"}),
                       (f"/api/v1/sheet/{lead.id}/reminders", {"due_at": "demain", "what": "x"}),
                       (f"/api/v1/sheet/{lead.id}/reminders", {"due_at": "2030-01-01T10:00"})):
        response = client.post(path, headers=headers, json=body)
        assert response.status_code == 422, (path, body)
    response = client.post(f"/api/v1/sheet/{lead.id}/attachments", headers=headers,
                           data={"file": (io.BytesIO(b"MZ..."), "devis.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    assert db.session.query(LeadNote).count() + db.session.query(Reminder).count() \
        + db.session.query(Attachment).count() == 0


def test_another_rep_gets_404_everywhere(client, accounts, setup):
    _boss, _claire, lead = setup
    headers = accounts.token(client, "paul")
    for path in ("timeline", "notes", "reminders", "attachments"):
        assert client.get(f"/api/v1/sheet/{lead.id}/{path}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/sheet/{lead.id}/notes", headers=headers,
                       json={"body": "x"}).status_code == 404
    assert client.post(f"/api/v1/sheet/{lead.id}/reminders", headers=headers,
                       json={"due_at": "2030-01-01T10:00", "what": "x"}).status_code == 404
    assert db.session.query(LeadNote).count() == 0


def test_marketing_reads_but_does_not_write(client, accounts, setup):
    _boss, _claire, lead = setup
    headers = accounts.token(client, "marc")
    assert client.get(f"/api/v1/sheet/{lead.id}/timeline", headers=headers).status_code == 200
    assert client.post(f"/api/v1/sheet/{lead.id}/notes", headers=headers,
                       json={"body": "x"}).status_code == 403


def test_anonymous_requests_are_refused(client, setup):
    lead = setup[2]
    assert client.get(f"/api/v1/sheet/{lead.id}/timeline").status_code == 401
