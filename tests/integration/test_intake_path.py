"""One intake path: a webhook, the journal's replay and the Meta fetch job record, count and
notify a delivery the same way."""
import copy

import pytest

from app.extensions import db
from models import AssignmentMember, AssignmentRule, IntakeDelivery, Lead, Notification
from tests.integration.test_meta import (graph, graph_lead, meta_source,  # noqa: F401
                                         notification, post)
from tests.integration.test_webhooks import google_payload, google_source  # noqa: F401


@pytest.fixture
def rep(accounts):
    """Every lead that comes in goes to this rep."""
    rep = accounts.create("rep", "Commercial")
    rule = AssignmentRule(name="Tout", mode="round_robin")
    rule.members = [AssignmentMember(user=rep, weight=1, available=True)]
    db.session.add(rule)
    db.session.commit()
    return rep


def outcome(rep):
    """What a person sees of the only delivery: its result, attempts, and the rep's news."""
    db.session.expire_all()
    delivery = db.session.query(IntakeDelivery).one()
    lead = db.session.get(Lead, delivery.lead_id) if delivery.lead_id else None
    return (delivery.status, delivery.attempts, delivery.processed_at is not None,
            bool(delivery.message), lead.owner_id if lead else None,
            db.session.query(Notification).filter_by(user_id=rep.id).count())


def replay(client, accounts, delivery_id):
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    client.post(f"/intake/replay/{delivery_id}")


def unusable(payload):
    payload = copy.deepcopy(payload)
    payload["user_column_data"] = [{"column_id": "POSTAL_CODE", "string_value": "69003"}]
    return payload


def test_a_replayed_delivery_notifies_the_rep(client, accounts, rep, google_source,
                                              google_payload):
    assert client.post("/webhooks/google-ads", json=unusable(google_payload)).status_code == 400
    delivery = db.session.query(IntakeDelivery).one()
    delivery.body = client.application.json.dumps(google_payload)  # the platform's data fixed
    db.session.commit()
    replay(client, accounts, delivery.id)
    assert outcome(rep) == ("created", 2, True, False, rep.id, 1)


def test_a_failed_parse_is_counted_on_delivery_and_on_replay(client, accounts, rep,
                                                             google_source):
    body = {"google_key": google_source.intake_token, "lead_id": "L-1"}  # no user_column_data
    assert client.post("/webhooks/google-ads", json=body).status_code == 400
    assert outcome(rep) == ("failed", 1, True, True, None, 0)
    replay(client, accounts, db.session.query(IntakeDelivery).one().id)
    assert outcome(rep) == ("failed", 2, True, True, None, 0)


def test_a_malformed_stored_body_fails_its_replay_cleanly(client, accounts, rep, google_source):
    delivery = IntakeDelivery(channel="google_ads", source_id=google_source.id, body="{not json",
                              status="failed")
    db.session.add(delivery)
    db.session.commit()
    replay(client, accounts, delivery.id)
    assert outcome(rep) == ("failed", 1, True, True, None, 0)


def test_the_meta_job_and_a_webhook_give_the_same_outcome(client, rep, google_source,
                                                          google_payload, meta_source, graph,
                                                          notification):
    assert client.post("/webhooks/google-ads", json=google_payload).status_code == 200
    by_webhook = outcome(rep)
    db.session.query(Notification).delete()
    db.session.query(IntakeDelivery).delete()
    db.session.commit()
    assert post(client, *notification).status_code == 200  # the job runs inline
    assert outcome(rep) == by_webhook == ("created", 1, True, False, rep.id, 1)


def test_the_meta_job_and_a_webhook_fail_the_same_way(client, rep, google_source,
                                                      google_payload, meta_source, graph,
                                                      notification):
    assert client.post("/webhooks/google-ads", json=unusable(google_payload)).status_code == 400
    by_webhook = outcome(rep)
    db.session.query(IntakeDelivery).delete()
    db.session.commit()
    graph.lead = {"id": graph.lead["id"], "field_data": [{"name": "ville", "values": ["Lyon"]}]}
    assert post(client, *notification).status_code == 200
    assert outcome(rep) == by_webhook == ("failed", 1, True, True, None, 0)
