"""Every entrance records consent per channel with its proof (issue 14, point 1): web forms,
Google Ads, Meta, the booking page, imports, the API and a rep on the sheet. Records are only
appended, and no automated entrance revives the consent of a person on the suppression list."""
import datetime as dt
import json

import pytest

from app.extensions import db
from app.services.privacy.consent import history, record_consent
from app.services.privacy.suppression import suppress
from models import ConsentRecord, ImportBatch, IntakeDelivery, Lead, Source
from tests.data.make_samples import GOOGLE_KEY, sample
from tests.factories import make_lead
from tests.integration.test_booking import VISITOR, first_slot, make_page
from tests.integration.test_import import import_dir, run_cli, write_csv  # noqa: F401 (fixture)
from tests.integration.test_meta import (graph, graph_lead, meta_source,  # noqa: F401 (fixtures)
                                         notification, post)

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


def records_of(lead_id):
    """{channel: (state, method)} of every record of the lead, oldest first."""
    return [(r.channel, r.state, r.method) for r in reversed(history(db.session, lead_id))]


@pytest.fixture
def form_source(app):
    source = Source(name="Site vitrine", kind="web_form", consent_wording="Texte de la source",
                    consent_version="s-2")
    db.session.add(source)
    db.session.commit()
    return source


def test_a_relayed_web_form_records_each_channel_with_the_proof_it_posts(client, form_source):
    response = client.post(f"/webhooks/form/{form_source.intake_token}", data={
        "nom": "Morel", "email": "lea.morel@exemple.fr", "consent_email": "on",
        "optin_sms": "non", "page_url": "https://www.exemple.fr/devis",
        "consent_text": "J'accepte de recevoir vos offres par e-mail.",
        "consent_version": "2026-11", "ip": "203.0.113.7", "user_agent": BROWSER})
    assert response.status_code == 200, response.get_data(as_text=True)
    lead = db.session.query(Lead).one()
    assert records_of(lead.id) == [("email", "given", "web_form"), ("sms", "refused", "web_form")]
    for record in history(db.session, lead.id):
        assert (record.page_url, record.wording, record.wording_version, record.ip_address,
                record.user_agent) == ("https://www.exemple.fr/devis",
                                       "J'accepte de recevoir vos offres par e-mail.", "2026-11",
                                       "203.0.113.7", BROWSER)
        assert record.stated_at is not None
    assert lead.consent_contact is True and lead.consent_at is not None
    assert "consent_email" not in (lead.form_answers or "")  # a consent is not a form answer


def test_a_form_posted_by_the_browser_keeps_its_address_agent_page_and_the_sources_wording(
        client, form_source):
    client.post(f"/webhooks/form/{form_source.intake_token}",
                data={"nom": "Roux", "telephone": "06 12 34 56 78", "rgpd": "1"},
                headers={"User-Agent": BROWSER, "Referer": "https://www.exemple.fr/contact"},
                environ_base={"REMOTE_ADDR": "198.51.100.4"})
    lead = db.session.query(Lead).one()
    assert records_of(lead.id) == [(c, "given", "web_form") for c in ("email", "phone", "sms")]
    record = history(db.session, lead.id)[0]
    assert (record.ip_address, record.user_agent, record.page_url, record.wording,
            record.wording_version) == ("198.51.100.4", BROWSER, "https://www.exemple.fr/contact",
                                        "Texte de la source", "s-2")


def test_a_form_without_a_consent_field_records_nothing(client, form_source):
    client.post(f"/webhooks/form/{form_source.intake_token}",
                data={"nom": "Blanc", "email": "blanc@exemple.fr"})
    lead = db.session.query(Lead).one()
    assert history(db.session, lead.id) == [] and lead.consent_contact is False


def test_google_ads_consent_questions_are_kept_as_the_platforms_fields(client):
    db.session.add(Source(name="Google Ads", kind="google_ads", intake_token=GOOGLE_KEY))
    db.session.commit()
    with open(sample("google_ads_lead.json"), encoding="utf-8") as handle:
        payload = json.load(handle)
    question = {"column_name": "J'accepte d'être rappelé par SMS", "string_value": "Oui",
                "column_id": "optin_sms"}
    payload["user_column_data"].append(question)
    assert client.post("/webhooks/google-ads", json=payload).status_code == 200
    lead = db.session.query(Lead).one()
    assert records_of(lead.id) == [("sms", "given", "google_ads")]
    record = history(db.session, lead.id)[0]
    assert json.loads(record.platform_fields) == [question]
    assert record.wording == "J'accepte d'être rappelé par SMS"
    assert "J'accepte d'être rappelé par SMS" not in (lead.form_answers or "")


def test_meta_disclaimer_boxes_become_records_dated_by_meta(client, meta_source, graph,
                                                            graph_lead, notification):
    boxes = [{"checkbox_key": "optin_email", "is_checked": "1"},
             {"checkbox_key": "rgpd", "is_checked": "0"}]
    graph_lead.update(custom_disclaimer_responses=boxes, created_time="2026-05-04T10:00:00+0000")
    assert post(client, *notification).status_code == 200
    assert "custom_disclaimer_responses" in graph.requests[0].query
    lead = db.session.query(Lead).one()
    # The generic box (refused) covers e-mail, SMS and phone; the e-mail box overrides it.
    assert records_of(lead.id) == [("email", "given", "meta"), ("phone", "refused", "meta"),
                                   ("sms", "refused", "meta")]
    for record in history(db.session, lead.id):
        assert json.loads(record.platform_fields) == boxes
        assert record.stated_at == dt.datetime(2026, 5, 4, 10, 0)


def test_the_booking_page_records_the_wording_shown_with_the_visitors_proof(client, accounts):
    claire = accounts.create("claire", "Commercial")
    make_page(claire)
    slot = first_slot(client)
    page = client.get("/rdv/claire").get_data(as_text=True)
    response = client.post("/rdv/claire", data={**VISITOR, "slot": slot},
                           headers={"User-Agent": BROWSER},
                           environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert response.status_code == 302
    lead = db.session.query(Lead).one()
    assert records_of(lead.id) == [(c, "given", "booking") for c in ("email", "phone", "sms")]
    record = history(db.session, lead.id)[0]
    assert record.wording in page and record.wording_version == "rdv-1"
    assert (record.ip_address, record.user_agent) == ("198.51.100.9", BROWSER)
    assert record.page_url.endswith("/rdv/claire")


def test_an_import_records_batch_and_row_and_never_invents_a_date(runner, import_dir, tmp_path):
    path = write_csv(tmp_path / "salon.csv", [
        ["Nom", "E-mail", "Consentement", "Optin SMS", "Consentement courrier",
         "Date du consentement"],
        ["Daté", "d@exemple.fr", "oui", "non", "", "03/05/2026"],
        ["Sans date", "s@exemple.fr", "oui", "", "oui", ""],
        ["Muet", "m@exemple.fr", "", "", "", ""],
    ])
    counts = run_cli(runner, path)
    assert counts["created"] == 3
    batch = db.session.query(ImportBatch).one()
    leads = {lead.last_name: lead for lead in db.session.query(Lead)}
    assert records_of(leads["Daté"].id) == [
        ("email", "given", "import"), ("phone", "given", "import"), ("sms", "refused", "import")]
    assert records_of(leads["Sans date"].id) == [
        ("email", "given", "import"), ("phone", "given", "import"), ("post", "given", "import"),
        ("sms", "given", "import")]
    assert records_of(leads["Muet"].id) == [] and leads["Muet"].consent_contact is False
    dated, undated = history(db.session, leads["Daté"].id), history(db.session, leads["Sans date"].id)
    assert {(r.import_batch_id, r.import_row, r.stated_at) for r in dated} == {
        (batch.id, 2, dt.datetime(2026, 5, 2, 22, 0))}
    assert {(r.import_batch_id, r.import_row, r.stated_at) for r in undated} == {(batch.id, 3, None)}
    assert (leads["Sans date"].consent_contact, leads["Sans date"].consent_at) == (True, None)


def test_an_update_import_appends_and_a_refusal_takes_the_summary_away(runner, import_dir,
                                                                        tmp_path):
    lead = make_lead(last_name="Roux", email="roux@exemple.fr", phone=None)
    record_consent(db.session, lead, "email", "given", "web_form")
    db.session.commit()
    path = write_csv(tmp_path / "maj.csv", [["Nom", "E-mail", "Consentement e-mail"],
                                            ["Roux", "roux@exemple.fr", "non"]])
    assert run_cli(runner, path, "--policy", "update")["updated"] == 1
    db.session.expire_all()
    assert records_of(lead.id) == [("email", "given", "web_form"), ("email", "refused", "import")]
    assert db.session.get(Lead, lead.id).consent_contact is False


def test_the_api_records_a_consent_sent_at_creation_and_shows_it_read_only(client, accounts):
    accounts.create("claire", "Commercial")
    headers = accounts.token(client, "claire")
    created = client.post("/api/v1/lead/", headers=headers, json={
        "last_name": "Morel", "email": "lea.morel@exemple.fr", "consent_contact": True,
        "consent_at": "2026-05-04T10:00:00+02:00"})
    assert created.status_code == 201, created.get_json()
    lead_id = created.get_json()["id"]
    assert records_of(lead_id) == [(c, "given", "api") for c in ("email", "phone", "sms")]
    shown = client.get(f"/api/v1/lead/{lead_id}", headers=headers).get_json()["result"]
    assert shown["consents"]["email"] == {"state": "given", "method": "api",
                                          "stated_at": "2026-05-04T08:00:00+00:00"}
    assert set(shown["consents"]) == {"email", "phone", "sms"}
    withdrawn = client.put(f"/api/v1/lead/{lead_id}", headers=headers,
                           json={"consent_contact": False})
    assert withdrawn.status_code == 200, withdrawn.get_json()
    shown = client.get(f"/api/v1/lead/{lead_id}", headers=headers).get_json()["result"]
    assert shown["consent_contact"] is False and shown["consents"]["sms"]["state"] == "withdrawn"
    assert len(records_of(lead_id)) == 6  # appended, the first three kept
    document = client.get("/api/v1/_openapi", headers=headers).get_json()
    get = document["paths"]["/api/v1/lead/{pk}"]["get"]["responses"]["200"]
    shown = get["content"]["application/json"]["schema"]["properties"]["result"]["$ref"]
    consents = document["components"]["schemas"][shown.split("/")[-1]]["properties"]["consents"]
    assert consents["readOnly"] and set(consents["properties"]) == {"email", "sms", "phone",
                                                                    "post"}


def test_a_rep_records_an_oral_consent_only_with_a_note(client, accounts):
    claire = accounts.create("claire", "Commercial")
    accounts.create("paul", "Commercial")
    lead = make_lead(owner=claire, email="x@exemple.fr", phone=None)
    accounts.login(client, "claire")
    refused = client.post(f"/sheet/{lead.id}/consent",
                          data={"channel": "phone", "state": "given", "note": "  "})
    assert refused.status_code == 400 and "note" in refused.get_data(as_text=True)
    bad = client.post(f"/sheet/{lead.id}/consent",
                      data={"channel": "fax", "state": "given", "note": "Au téléphone"})
    assert bad.status_code == 400
    assert history(db.session, lead.id) == []
    done = client.post(f"/sheet/{lead.id}/consent", data={
        "channel": "phone", "state": "given", "note": "D'accord pour être rappelé le soir"})
    assert done.status_code == 302
    record = history(db.session, lead.id)[0]
    assert (record.method, record.user_id, record.note) == (
        "oral", claire.id, "D'accord pour être rappelé le soir")
    sheet = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    block = sheet.split('id="consentements"')[1]
    assert "D&#39;accord pour être rappelé le soir" in block and "Non renseigné" in block
    client.get("/logout/")
    accounts.login(client, "paul")  # another rep's lead: as if it did not exist
    assert client.post(f"/sheet/{lead.id}/consent", data={
        "channel": "email", "state": "given", "note": "x"}).status_code == 404
    assert len(history(db.session, lead.id)) == 1


def test_records_are_only_appended_no_route_edits_or_deletes_them(app):
    routes = [(rule.rule, rule.methods - {"HEAD", "OPTIONS", "GET"})
              for rule in app.url_map.iter_rules() if "consent" in rule.rule.lower()]
    assert ("/sheet/<int:pk>/consent", {"POST"}) in routes
    assert not any(methods & {"PUT", "PATCH", "DELETE"} for _rule, methods in routes)
    assert [rule for rule, methods in routes if rule.startswith("/sheet/")] == [
        "/sheet/<int:pk>/consent"]


def test_the_lead_form_no_longer_edits_consent_but_sets_professional(client, accounts):
    accounts.create("manon", "Responsable")
    lead = make_lead(email="p@exemple.fr", phone=None, company="Atelier Roux")
    accounts.login(client, "manon")
    form = client.get(f"/leads/edit/{lead.id}").get_data(as_text=True)
    assert 'name="consent_contact"' not in form and 'name="professional"' in form
    response = client.post(f"/leads/edit/{lead.id}", data={
        "last_name": lead.last_name, "email": lead.email, "status": "new",
        "professional": "False", "consent_contact": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Lead, lead.id)
    assert (edited.professional, edited.consent_contact) == (False, False)
    assert db.session.query(ConsentRecord).count() == 0


def test_a_suppressed_person_gets_no_consent_back_from_any_automated_entrance(
        client, runner, import_dir, tmp_path, form_source, accounts):
    suppress(db.session, email="parti@exemple.fr")
    suppress(db.session, email="autre@exemple.fr")
    db.session.commit()
    client.post(f"/webhooks/form/{form_source.intake_token}",
                data={"nom": "Parti", "email": "parti@exemple.fr", "consent": "oui"})
    lead = db.session.query(Lead).one()
    delivery = db.session.query(IntakeDelivery).one()
    assert delivery.status == "created" and "désinscrite" in delivery.message
    path = write_csv(tmp_path / "retour.csv", [["Nom", "E-mail", "Consentement"],
                                               ["Parti", "parti@exemple.fr", "oui"]])
    counts = run_cli(runner, path, "--policy", "update")
    assert counts["updated"] == 1
    batch = db.session.query(ImportBatch).one()
    with open(batch.warnings_path, encoding="utf-8-sig") as handle:
        assert "consentement non repris : personne désinscrite" in handle.read()
    accounts.create("claire", "Commercial")
    headers = accounts.token(client, "claire")
    created = client.post("/api/v1/lead/", headers=headers, json={
        "last_name": "Autre", "email": "Autre@exemple.fr", "consent_contact": True})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["result"]["consent_contact"] is False
    db.session.expire_all()
    assert db.session.query(ConsentRecord).filter_by(state="given").count() == 0
    assert all(not lead.consent_contact for lead in db.session.query(Lead))
