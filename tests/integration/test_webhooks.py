"""Google Ads and web form webhooks: good, bad-secret, malformed, replayed and test payloads."""
import copy
import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app.extensions import db
from models import Campaign, IntakeDelivery, Lead, Source
from tests.data.make_samples import GOOGLE_KEY, sample


@pytest.fixture
def google_payload():
    with open(sample("google_ads_lead.json"), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def google_source(app):
    source = Source(name="Google Ads", kind="google_ads", intake_token=GOOGLE_KEY)
    db.session.add(source)
    db.session.commit()
    return source


def test_google_ads_lead_is_created_with_campaign_answers_and_attribution(client, google_source, google_payload):
    response = client.post("/webhooks/google-ads", json=google_payload)
    assert response.status_code == 200, response.get_json()
    lead = db.session.query(Lead).one()
    assert (lead.first_name, lead.last_name, lead.email, lead.phone) == (
        "Inès", "Delmas", "ines.delmas@exemple.fr", "+33652314899")
    assert lead.source_id == google_source.id and lead.external_id == "TeSt-Lead-Bdx-0042"
    assert lead.gclid == "TeSt-gclid-Bdx-0042" and not lead.is_test
    assert json.loads(lead.form_answers) == {"Surface à rénover ?": "80 - 120 m²",
                                             "Postal Code": "33000"}
    campaign = db.session.query(Campaign).one()
    assert (campaign.platform, campaign.external_id) == ("google_ads", "371234567890123")
    assert lead.campaign_id == campaign.id
    delivery = db.session.query(IntakeDelivery).one()
    assert (delivery.status, delivery.lead_id) == ("created", lead.id)
    assert json.loads(delivery.body) == google_payload  # stored raw


def test_google_ads_replays_are_counted_on_the_first_delivery(client, google_source,
                                                              google_payload):
    for _ in range(51):
        response = client.post("/webhooks/google-ads", json=google_payload)
        assert response.status_code == 200 and response.get_json()["status"] == "created"
    assert db.session.query(Lead).count() == 1
    delivery = db.session.query(IntakeDelivery).one()
    assert (delivery.status, delivery.replay_count) == ("created", 50) and delivery.last_seen_at


def test_a_replay_of_a_failed_delivery_is_processed_again_on_its_row(client, google_source,
                                                                     google_payload):
    columns = google_payload.pop("user_column_data")
    assert client.post("/webhooks/google-ads", json=google_payload).status_code == 400
    google_payload["user_column_data"] = columns
    assert client.post("/webhooks/google-ads", json=google_payload).status_code == 200
    delivery = db.session.query(IntakeDelivery).one()
    assert json.loads(delivery.body) == google_payload  # the body that made the lead
    assert (delivery.status, delivery.replay_count) == ("created", 1)
    assert db.session.query(Lead).count() == 1


@pytest.mark.parametrize("channel", ["google-ads", "form"])
def test_deeply_nested_json_is_a_400(client, google_source, form_source, channel):
    url = f"/webhooks/{channel}" + (f"/{form_source.intake_token}" if channel == "form" else "")
    response = client.post(url, data="[" * 30_000 + "]" * 30_000, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["message"]
    assert db.session.query(IntakeDelivery).count() == 0


def test_google_ads_bad_key_stores_no_lead(client, google_source, google_payload):
    google_payload["google_key"] = "wrong"
    response = client.post("/webhooks/google-ads", json=google_payload)
    assert response.status_code == 403 and "Clé Google Ads inconnue" in response.get_json()["message"]
    assert db.session.query(Lead).count() == 0


@pytest.mark.parametrize("body, content_type", [
    ("not json", "text/plain"), ("{broken", "application/json"), ("[1, 2]", "application/json"),
])
def test_google_ads_malformed_bodies(client, google_source, body, content_type):
    response = client.post("/webhooks/google-ads", data=body, content_type=content_type)
    assert response.status_code == 400 and response.get_json()["message"]
    assert db.session.query(Lead).count() == 0


def test_google_ads_payload_without_columns_is_kept_as_failed(client, google_source, google_payload):
    del google_payload["user_column_data"]
    response = client.post("/webhooks/google-ads", json=google_payload)
    assert response.status_code == 400
    delivery = db.session.query(IntakeDelivery).one()
    assert delivery.status == "failed" and "user_column_data" in delivery.message


def test_google_ads_test_lead_is_flagged(client, google_source, google_payload):
    payload = copy.deepcopy(google_payload)
    payload.update(is_test=True, lead_id="test-lead-1")
    client.post("/webhooks/google-ads", json=payload)
    assert db.session.query(Lead).one().is_test


def test_google_ads_duplicate_of_an_existing_lead(client, google_source, google_payload):
    from tests.factories import make_lead

    existing = make_lead(email="ines.delmas@exemple.fr")
    client.post("/webhooks/google-ads", json=google_payload)
    assert db.session.query(Lead).count() == 1
    delivery = db.session.query(IntakeDelivery).one()
    assert (delivery.status, delivery.lead_id) == ("duplicate", existing.id)


def test_many_distinct_google_deliveries(client, google_source, google_payload):
    for n in range(40):
        payload = copy.deepcopy(google_payload)
        payload["lead_id"] = f"lead-{n}"
        payload["user_column_data"][1]["string_value"] = f"c{n}@exemple.fr"
        payload["user_column_data"][2]["string_value"] = f"+336451{n:05d}"
        assert client.post("/webhooks/google-ads", json=payload).status_code == 200
    assert db.session.query(Lead).count() == 40


@pytest.fixture
def form_source(app):
    source = Source(name="Site web", kind="web_form")
    db.session.add(source)
    db.session.commit()
    return source


def test_web_form_with_french_fields_and_utm(client, form_source):
    response = client.post(f"/webhooks/form/{form_source.intake_token}?utm_source=google&utm_campaign=printemps",
                           data={"nom": "Durand", "prenom": "Paul", "email": "paul@exemple.fr",
                                 "telephone": "06 12 34 56 78", "message": "Rappelez-moi",
                                 "crm_website": ""})
    assert response.status_code == 200, response.get_json()
    lead = db.session.query(Lead).one()
    assert (lead.last_name, lead.first_name, lead.phone, lead.note) == ("Durand", "Paul", "+33612345678", "Rappelez-moi")
    assert (lead.utm_source, lead.utm_campaign, lead.source_id) == ("google", "printemps", form_source.id)


def test_web_form_json_and_thank_you_redirect(client, form_source):
    form_source.thank_you_url = "https://exemple.fr/merci"
    db.session.commit()
    response = client.post(f"/webhooks/form/{form_source.intake_token}",
                           json={"your-name": "Lucie Martin", "your-email": "lucie@exemple.fr"})
    assert response.status_code == 303 and response.headers["Location"] == "https://exemple.fr/merci"
    assert db.session.query(Lead).one().last_name == "Martin"


def test_web_form_honeypot_creates_nothing(client, form_source):
    response = client.post(f"/webhooks/form/{form_source.intake_token}",
                           data={"nom": "Robot", "email": "bot@spam.example", "crm_website": "http://spam"})
    assert response.status_code == 200
    assert db.session.query(Lead).count() == 0
    assert db.session.query(IntakeDelivery).one().status == "ignored"


def test_web_form_bad_token_and_empty_form(client, form_source):
    assert client.post("/webhooks/form/inconnu", data={"nom": "X"}).status_code == 403
    response = client.post(f"/webhooks/form/{form_source.intake_token}", data={"ville": "Lyon"})
    assert response.status_code == 400 and "rien à enregistrer" in response.get_json()["message"]
    assert db.session.query(Lead).count() == 0


def test_web_form_invalid_email_is_refused_with_a_message(client, form_source):
    response = client.post(f"/webhooks/form/{form_source.intake_token}", data={"nom": "X", "email": "x@"})
    assert response.status_code == 400 and "Adresse e-mail invalide" in response.get_json()["message"]


def test_inactive_source_is_refused(client, form_source):
    form_source.active = False
    db.session.commit()
    assert client.post(f"/webhooks/form/{form_source.intake_token}", data={"nom": "X"}).status_code == 403


@pytest.mark.parametrize("data", [
    {"your-name": "Lucie Martin", "your-email": "lucie@exemple.fr", "your-message": "Bonjour"},  # CF7
    {"form_fields[name]": "Lucie Martin", "form_fields[email]": "lucie@exemple.fr"},  # Elementor
    {"wpforms[fields][0]": "Lucie Martin", "wpforms[fields][1]": "lucie@exemple.fr"},  # per-source mapping
])
def test_wordpress_form_plugins(client, form_source, data):
    form_source.field_mapping = json.dumps({"wpforms[fields][0]": "full_name", "wpforms[fields][1]": "email"})
    db.session.commit()
    assert client.post(f"/webhooks/form/{form_source.intake_token}", data=data).status_code == 200
    lead = db.session.query(Lead).one()
    assert (lead.first_name, lead.last_name, lead.email) == ("Lucie", "Martin", "lucie@exemple.fr")


def test_journal_lists_deliveries_and_replays_a_failed_one(client, accounts, google_source, google_payload):
    payload = copy.deepcopy(google_payload)
    payload["user_column_data"] = [{"column_id": "POSTAL_CODE", "string_value": "69003"}]
    assert client.post("/webhooks/google-ads", json=payload).status_code == 400
    delivery = db.session.query(IntakeDelivery).one()
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    listing = client.get("/intake/list/").get_data(as_text=True)
    assert "Échec" in listing and "rien à enregistrer" in listing
    # the platform's data was fixed: replaying the stored body now succeeds
    delivery.body = json.dumps(google_payload)
    db.session.commit()
    client.post(f"/intake/replay/{delivery.id}")
    db.session.expire_all()
    assert db.session.get(IntakeDelivery, delivery.id).status == "created"
    assert db.session.query(Lead).count() == 1


def test_journal_is_not_for_reps(client, accounts, google_source):
    accounts.create("rep", "Commercial")
    accounts.login(client, "rep")
    assert client.get("/intake/list/").status_code == 403


def test_source_sheet_shows_the_integration(client, accounts, form_source, google_source):
    accounts.create("mia", "Marketing")
    accounts.login(client, "mia")
    body = client.get(f"/sources/show/{form_source.id}").get_data(as_text=True)
    assert f"/webhooks/form/{form_source.intake_token}" in body and "crm_website" in body
    body = client.get(f"/sources/show/{google_source.id}").get_data(as_text=True)
    assert "/webhooks/google-ads" in body and GOOGLE_KEY in body


def test_source_field_mapping_must_be_valid_json(client, accounts, form_source):
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    body = client.post(f"/sources/edit/{form_source.id}", data={
        "name": "Site web", "kind": "web_form", "active": "y",
        "field_mapping": '{"input_1": "pointure"}'}).get_data(as_text=True)
    assert "Attendu" in body
    db.session.refresh(form_source)
    assert form_source.field_mapping is None


def test_webhooks_are_rate_limited_per_address(database_url, tmp_path):
    from tests.conftest import empty_database, make_app

    app = make_app(database_url, RATELIMIT_ENABLED=True, CRM_WEBHOOK_RATE_LIMIT="3 per minute",
                   RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        empty_database()
        source = Source(name="Site", kind="web_form")
        db.session.add(source)
        db.session.commit()
        client = app.test_client()
        codes = [client.post(f"/webhooks/form/{source.intake_token}", data={"nom": f"N{i}"}).status_code
                 for i in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        assert db.session.query(Lead).count() == 3


def test_the_campaign_follower_and_the_rep_hear_of_a_new_lead(client, accounts, google_source,
                                                              google_payload):
    from jobs.notifications import notify_new_lead
    from models import Notification

    marc = accounts.create("marc", "Marketing")
    db.session.add(Campaign(name="Printemps", platform="google_ads", manager_id=marc.id,
                            external_id=str(google_payload["campaign_id"])))
    db.session.commit()
    assert client.post("/webhooks/google-ads", json=google_payload).status_code == 200
    lead = db.session.query(Lead).one()
    notes = db.session.query(Notification).filter_by(user_id=marc.id, event="campaign_lead").all()
    assert len(notes) == 1 and "Printemps" in notes[0].title and notes[0].lead_id == lead.id
    notify_new_lead(lead.id)  # rq delivers at least once: a retry adds nothing
    assert db.session.query(Notification).filter_by(user_id=marc.id).count() == 1


def test_the_migration_keeps_one_delivery_per_platform_id_with_its_replays(tmp_path):
    from tests.integration.test_secrets import database_at

    with database_at(tmp_path, "5e41c0a7d2b9"):
        for received, status in (("2026-11-01 10:00", "failed"), ("2026-11-01 10:05", "created"),
                                 ("2026-11-02 08:00", "ignored")):
            db.session.execute(text(
                "INSERT INTO intake_delivery (channel, received_at, body, external_id, status, "
                f"attempts) VALUES ('google_ads', '{received}', '{{}}', 'L1', '{status}', 1)"))
        db.session.commit()
        upgrade(revision="7b3d9e61c4fa")
        rows = db.session.execute(text("SELECT status, replay_count, last_seen_at "
                                       "FROM intake_delivery")).all()
        assert [(r[0], r[1], str(r[2])[:16]) for r in rows] == [("created", 2, "2026-11-02 08:00")]


def test_a_twin_stored_at_the_same_instant_is_counted_not_doubled(app, google_source):
    """Another worker stores the same lead id between our check and our insert: the unique
    index refuses ours, and the replay is counted on the twin."""
    from sqlalchemy import event, insert
    from sqlalchemy.orm import Session

    from app.services.intake import record_delivery

    def twin_first(session, _context, _instances):
        if not any(isinstance(obj, IntakeDelivery) for obj in session.new):
            return
        with db.engine.begin() as other_worker:
            other_worker.execute(insert(IntakeDelivery.__table__).values(
                channel="google_ads", source_id=google_source.id, body="{}", external_id="L1",
                status="received", attempts=0, replay_count=0, received_at=google_source.created_at))

    event.listen(Session, "before_flush", twin_first)
    try:
        delivery = record_delivery(db.session, "google_ads", google_source, "{}", external_id="L1")
    finally:
        event.remove(Session, "before_flush", twin_first)
    db.session.commit()
    assert db.session.query(IntakeDelivery).count() == 1
    assert (delivery.external_id, delivery.replay_count) == ("L1", 1)
