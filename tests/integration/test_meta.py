"""Meta lead ads: verification, signed notifications, leads read from a local server that
answers like the Graph API, retries through a real worker."""
import hashlib
import hmac
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from rq import Queue

from app.extensions import db
from app.services.errors import DomainError
from models import Campaign, IntakeDelivery, Lead, Source
from tests.data.make_samples import META_APP_SECRET as APP_SECRET
from tests.data.make_samples import META_LEADGEN_ID, sample
from tests.integration.conftest import send_json

PAGE_TOKEN = "page-token-123"


class GraphServer:
    """Answers GET /{leadgen_id}?access_token=... with the lead, as the Graph API does."""

    def __init__(self, lead, failures=0):
        self.lead, self.failures, self.requests = lead, failures, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                server.requests.append(url)
                token = parse_qs(url.query).get("access_token", [""])[0]
                if server.failures > 0:
                    server.failures -= 1
                    return self._send(500, {"error": {"message": "An unknown error occurred",
                                                      "type": "OAuthException", "code": 1}})
                if token != PAGE_TOKEN:
                    return self._send(400, {"error": {"message": "Invalid OAuth access token.",
                                                      "type": "OAuthException", "code": 190}})
                if url.path.strip("/") != server.lead["id"]:
                    return self._send(404, {"error": {"message": "Unsupported get request.", "code": 100}})
                return self._send(200, server.lead)

            def _send(self, status, body):
                send_json(self, status, body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


@pytest.fixture
def graph_lead():
    with open(sample("meta_graph_lead.json"), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def notification():
    with open(sample("meta_leadgen_webhook.json"), "rb") as handle:
        body = handle.read()
    with open(sample("meta_leadgen_webhook.signature"), encoding="ascii") as handle:
        return body, handle.read().strip()


@pytest.fixture
def meta_source(app):
    source = Source(name="Meta Lead Ads", kind="meta", meta_app_secret=APP_SECRET,
                    meta_page_token=PAGE_TOKEN)
    db.session.add(source)
    db.session.commit()
    return source


@pytest.fixture
def graph(app, graph_lead):
    server = GraphServer(graph_lead)
    app.config.update(META_GRAPH_URL=server.url, META_RETRY_INTERVALS=[0, 0])
    yield server
    server.stop()


def post(client, body, signature):
    return client.post("/webhooks/meta", data=body, content_type="application/json",
                       headers={"X-Hub-Signature-256": signature})


def test_verification_echoes_the_challenge(client, meta_source):
    response = client.get(f"/webhooks/meta?hub.mode=subscribe&hub.verify_token={meta_source.intake_token}"
                          "&hub.challenge=1158201444")
    assert response.status_code == 200 and response.get_data(as_text=True) == "1158201444"
    assert client.get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1").status_code == 403
    assert client.get("/webhooks/meta").status_code == 400


def test_signed_notification_creates_the_lead_from_the_graph(client, meta_source, graph, notification):
    response = post(client, *notification)
    assert response.status_code == 200 and response.get_json() == {"received": 1}
    lead = db.session.query(Lead).one()
    assert (lead.first_name, lead.last_name, lead.email, lead.phone) == (
        "Baptiste", "Lemoine", "baptiste.lemoine@exemple.fr", "+33652314888")
    assert json.loads(lead.form_answers) == {"ville": "Mérignac"}
    assert db.session.query(Campaign).one().external_id == "23851111111111888"
    assert graph.requests[0].path == "/" + META_LEADGEN_ID
    delivery = db.session.query(IntakeDelivery).one()
    assert (delivery.status, delivery.external_id) == ("created", META_LEADGEN_ID)


def test_bad_signature_stores_nothing(client, meta_source, graph, notification):
    body, _ = notification
    assert post(client, body, "sha256=" + "0" * 64).status_code == 403
    assert post(client, body, "").status_code == 403
    tampered = body.replace(META_LEADGEN_ID.encode(), b"918273645502")
    assert post(client, tampered, notification[1]).status_code == 403
    assert db.session.query(IntakeDelivery).count() == 0 and db.session.query(Lead).count() == 0


def test_replayed_notification_is_counted_on_its_first_delivery(client, meta_source, graph,
                                                                notification):
    for _ in range(51):
        assert post(client, *notification).status_code == 200
    assert db.session.query(Lead).count() == 1
    delivery = db.session.query(IntakeDelivery).one()
    assert (delivery.status, delivery.replay_count) == ("created", 50) and delivery.last_seen_at
    assert len(graph.requests) == 1


def signed(body):
    return body, "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("path, value", [
    (("changes", 0, "value", "leadgen_id"), "../../me?x=1#"),
    (("changes", 0, "value", "leadgen_id"), "555 555"),
    (("changes", 0, "value", "leadgen_id"), ["555"]),
    (("changes", 0, "value", "page_id"), "153125381133/feed"),
    (("changes", 0, "value", "form_id"), "444%2F1"),
    (("id",), "page"),
])
def test_ids_that_are_not_numbers_are_refused_before_anything(client, meta_source, graph,
                                                              notification, path, value):
    payload = json.loads(notification[0])
    target = payload["entry"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    response = post(client, *signed(json.dumps(payload).encode()))
    assert response.status_code == 400
    assert "Identifiant Meta invalide" in response.get_json()["message"]
    assert db.session.query(IntakeDelivery).count() == 0 and graph.requests == []


def test_a_stored_delivery_with_a_bad_id_never_reaches_the_graph(app, meta_source, graph):
    from jobs.meta import fetch_meta_lead

    delivery = IntakeDelivery(channel="meta", source_id=meta_source.id, body="{}",
                              external_id="../../me?x=1#")
    db.session.add(delivery)
    db.session.commit()
    with pytest.raises(DomainError):
        fetch_meta_lead(delivery.id)
    assert delivery.status == "failed" and "Identifiant Meta invalide" in delivery.message
    assert graph.requests == []


@pytest.mark.parametrize("depth", [1500, 30_000])  # 30,000 levels: just under the 64 KB limit
def test_deeply_nested_json_in_a_signed_delivery_is_a_400(client, meta_source, graph, depth):
    response = post(client, *signed(b"[" * depth + b"]" * depth))
    assert response.status_code == 400 and response.get_json()["message"]
    assert db.session.query(IntakeDelivery).count() == 0


def test_malformed_but_signed_notification(client, meta_source, graph):
    response = post(client, *signed(b'{"object": "user", "entry": "x"}'))
    assert response.status_code == 400 and "Notification Meta invalide" in response.get_json()["message"]


def test_graph_down_keeps_the_delivery_for_replay(app, client, accounts, meta_source, graph, notification):
    graph.failures = 1
    assert post(client, *notification).status_code == 200  # Meta must not resend: it is stored
    delivery = db.session.query(IntakeDelivery).one()
    assert delivery.status == "failed" and db.session.query(Lead).count() == 0
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    client.post(f"/intake/replay/{delivery.id}")
    db.session.expire_all()
    assert db.session.get(IntakeDelivery, delivery.id).status == "created"
    assert db.session.query(Lead).count() == 1


def test_worker_retries_until_the_graph_answers(database_url, redis_url, graph_lead, notification):
    from redis import Redis

    from jobs.worker import run_worker
    from tests.conftest import empty_database, make_app

    redis_check = Redis.from_url(redis_url)
    server = GraphServer(graph_lead, failures=2)
    queue_name = "leadcrm-test-" + uuid.uuid4().hex[:8]
    app = make_app(database_url, REDIS_URL=redis_url, RQ_QUEUE_NAME=queue_name,
                   META_GRAPH_URL=server.url, META_RETRY_INTERVALS=[0, 0, 0])
    try:
        with app.app_context():
            empty_database()
            db.session.add(Source(name="Meta", kind="meta", meta_app_secret=APP_SECRET,
                                  meta_page_token=PAGE_TOKEN))
            db.session.commit()
            assert post(app.test_client(), *notification).status_code == 200
            from app.extensions import get_redis

            queue = Queue(queue_name, connection=get_redis())
            assert queue.count == 1
            for _ in range(4):  # each failure requeues the job
                run_worker(burst=True, with_scheduler=False)
            db.session.expire_all()
            assert db.session.query(Lead).count() == 1
            assert len(server.requests) == 3
            assert db.session.query(IntakeDelivery).one().status == "created"
    finally:
        server.stop()
        keys = redis_check.keys(f"*{queue_name}*")
        if keys:
            redis_check.delete(*keys)
