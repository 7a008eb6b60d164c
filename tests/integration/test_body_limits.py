"""Request bodies are counted while they are read, with or without a Content-Length (chunked):
beyond the route's limit, 413 with a French message, and nothing written (no journal row, no
file, no lead, no batch)."""
import io
import json
import os
import threading

import pytest
import requests
from werkzeug.datastructures import FileStorage
from werkzeug.serving import make_server
from werkzeug.test import encode_multipart

from app.body_limits import FORM_OVERHEAD
from app.extensions import db
from models import Appointment, Attachment, CampaignSpend, ImportBatch, IntakeDelivery, Lead, Source
from tests.factories import make_lead
from tests.integration.test_booking import VISITOR, claire, make_page  # noqa: F401 - fixture

WEBHOOK_LIMIT = 64 * 1024


def send(client, url, body, content_type, chunked, **kwargs):
    """POST `body` as is; `chunked`: without Content-Length, as gunicorn or Werkzeug's server
    pass a chunked request (a stream they end themselves)."""
    if not chunked:
        return client.post(url, data=body, content_type=content_type, **kwargs)
    response = client.post(url, input_stream=io.BytesIO(body), content_type=content_type,
                           headers={"Transfer-Encoding": "chunked", **kwargs.pop("headers", {})},
                           environ_overrides={"wsgi.input_terminated": True}, **kwargs)
    assert response.request.content_length is None  # Werkzeug ignores it when chunked
    return response


def file_form(name, size, **fields):
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(b"%PDF-" + b"0" * (size - 5)), filename=name), **fields})
    return body, f"multipart/form-data; boundary={boundary}"


def form_body(size, **fields):
    from urllib.parse import urlencode

    return urlencode({**fields, "note": "x" * size}).encode(), "application/x-www-form-urlencoded"


chunked = pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])


@pytest.fixture
def web_source(app):
    source = Source(name="Site", kind="web_form", intake_token="form-token")
    db.session.add(source)
    db.session.commit()
    return source


def assert_refused(response, limit_text, json_body):
    assert response.status_code == 413
    message = response.get_json()["message"] if json_body else response.get_data(as_text=True)
    assert f"Envoi trop volumineux : {limit_text} au plus." in message


@chunked
def test_web_form_over_64_kb_is_refused_unrecorded(client, web_source, chunked):
    body, content_type = form_body(WEBHOOK_LIMIT, last_name="Martin")
    response = send(client, "/webhooks/form/form-token", body, content_type, chunked)
    assert_refused(response, "64 Ko", json_body=True)
    assert db.session.query(IntakeDelivery).count() == 0 and db.session.query(Lead).count() == 0
    small, content_type = form_body(100, last_name="Martin")
    assert send(client, "/webhooks/form/form-token", small, content_type, chunked).status_code == 200
    assert db.session.query(Lead).count() == 1


@chunked
def test_google_ads_over_64_kb_is_refused_unrecorded(client, chunked):
    db.session.add(Source(name="Google", kind="google_ads", intake_token="google-key"))
    db.session.commit()
    body = json.dumps({"google_key": "google-key", "lead_id": "1", "pad": "x" * WEBHOOK_LIMIT})
    response = send(client, "/webhooks/google-ads", body.encode(), "application/json", chunked)
    assert_refused(response, "64 Ko", json_body=True)
    assert db.session.query(IntakeDelivery).count() == 0


@chunked
def test_meta_over_64_kb_is_refused_unrecorded(client, chunked):
    body = json.dumps({"object": "page", "entry": [], "pad": "x" * WEBHOOK_LIMIT}).encode()
    response = send(client, "/webhooks/meta", body, "application/json", chunked,
                    headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert_refused(response, "64 Ko", json_body=True)
    assert db.session.query(IntakeDelivery).count() == 0


@chunked
def test_attachment_over_its_limit_is_refused_before_a_file_is_written(app, client, accounts,
                                                                        chunked):
    app.config["CRM_ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    lead = make_lead(owner=accounts.create("claire", "Commercial"))
    accounts.login(client, "claire")
    body, content_type = file_form("gros.pdf", 1024 * 1024 + FORM_OVERHEAD + 1)
    response = send(client, f"/sheet/{lead.id}/attach", body, content_type, chunked)
    assert_refused(response, "1 Mo", json_body=False)
    api = send(client, f"/api/v1/sheet/{lead.id}/attachments", body, content_type, chunked,
               headers=accounts.token(client, "claire"))
    assert_refused(api, "1 Mo", json_body=True)
    assert db.session.query(Attachment).count() == 0
    directory = app.config["CRM_ATTACHMENT_DIR"]
    assert not os.path.isdir(directory) or os.listdir(directory) == []


@chunked
def test_import_over_its_limit_is_refused_before_a_file_is_stored(app, client, accounts, tmp_path,
                                                                  chunked):
    app.config.update(CRM_IMPORT_MAX_BYTES=1024 * 1024, CRM_IMPORT_DIR=str(tmp_path / "imports"))
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    body, content_type = file_form("gros.csv", 1024 * 1024 + FORM_OVERHEAD + 1)
    assert_refused(send(client, "/imports/", body, content_type, chunked), "1 Mo", json_body=False)
    assert db.session.query(ImportBatch).count() == 0
    assert not os.path.exists(tmp_path / "imports") or os.listdir(tmp_path / "imports") == []


@chunked
def test_spend_import_over_its_limit_is_refused(app, client, accounts, chunked):
    app.config["CRM_SPEND_IMPORT_MAX_BYTES"] = 1024 * 1024
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    body, content_type = file_form("depenses.csv", 1024 * 1024 + FORM_OVERHEAD + 1)
    assert_refused(send(client, "/spend/", body, content_type, chunked), "1 Mo", json_body=False)
    assert db.session.query(CampaignSpend).count() == 0


@chunked
def test_booking_form_over_16_kb_is_refused(client, claire, chunked):  # noqa: F811
    make_page(claire)
    body, content_type = form_body(16 * 1024, slot="2030-01-01T09:00", **VISITOR)
    assert_refused(send(client, "/rdv/claire", body, content_type, chunked), "16 Ko",
                   json_body=False)
    assert db.session.query(Appointment).count() == 0 and db.session.query(Lead).count() == 0


@chunked
def test_every_other_route_has_the_global_limit(app, client, accounts, chunked):
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    body, content_type = form_body(8 * 1024, last_name="Martin")
    assert_refused(send(client, "/leads/add", body, content_type, chunked), "8 Ko",
                   json_body=False)
    assert db.session.query(Lead).count() == 0


def test_the_global_limit_is_a_real_setting(database_url, tmp_path):
    from tests.conftest import make_app

    assert make_app(database_url).config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert make_app(database_url, MAX_CONTENT_LENGTH=2048).config["MAX_CONTENT_LENGTH"] == 2048


@pytest.fixture
def served(app):
    """The app behind Werkzeug's real server, which passes chunked bodies on as they come."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_real_server_refuses_a_chunked_web_form(served, web_source):
    chunks = (b"last_name=Martin&note=" if n == 0 else b"x" * 65536 for n in range(40))
    response = requests.post(served + "/webhooks/form/form-token", data=chunks, timeout=30,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert response.json()["message"] == "Envoi trop volumineux : 64 Ko au plus."
    assert db.session.query(IntakeDelivery).count() == 0 and db.session.query(Lead).count() == 0
