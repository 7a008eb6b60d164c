"""Demandes RGPD (issue 14, point 3): the right of access and portability across every lead,
merged ones included, the JSON and PDF downloads, the DPO permission, and requests tracked to
their one-month deadline with the overdue notification."""
import datetime as dt
import io
import json
import subprocess

import pytest
import time_machine

from app.extensions import db
from app.services.duplicates import merge
from app.services.privacy.audit import record as record_audit
from app.services.privacy.consent import record_consent
from jobs.followup import tick
from models import (AuditEntry, ExportFile, ExportLead, ImportBatch, IntakeDelivery, Lead,
                    LeadMerge, Notification, PrivacyRequest, Source)
from models.audit import FIELD_CHANGE
from tests.factories import make_appointment, make_lead
from tests.integration.conftest import use_smtp
from tests.integration.test_import import run_cli, write_csv

EMAIL = "sophie.martin@exemple.fr"
PHONE = "+33612345678"


@pytest.fixture
def dpo(accounts):
    return accounts.create("delphine", "DPO", first_name="Delphine", last_name="Garnier")


@pytest.fixture
def claire(accounts):
    return accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit",
                           email="claire@agence.fr")


def _access(client, **person):
    response = client.get("/privacy/person.json", query_string=person)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    return json.loads(response.get_data(as_text=True))


def _rfc3339(value):
    return value.replace(tzinfo=dt.timezone.utc).isoformat()


def _everywhere(app, client, accounts, claire, smtp, tmp_path):
    """Sophie Martin in every place the CRM keeps people: imported from a file, then sent in
    again by the web form, worked on from her sheet, exported. Returns her lead."""
    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    path = write_csv(tmp_path / "salon.csv", [["Nom", "Prénom", "E-mail", "Téléphone"],
                                              ["Dupont", "Jean", "jean@exemple.fr", "0611111111"],
                                              ["Martin", "Sophie", EMAIL, "06 12 34 56 78"]])
    assert run_cli(app.test_cli_runner(), path, "--owner", "claire")["created"] == 2
    lead = db.session.query(Lead).filter_by(email=EMAIL).one()
    form = Source(name="Site web", kind="web_form")
    db.session.add(form)
    db.session.commit()
    response = client.post(f"/webhooks/form/{form.intake_token}", data={
        "nom": "Martin", "prenom": "Sophie", "email": EMAIL.upper(), "message": "Devis cuisine"})
    assert response.status_code == 200
    record_consent(db.session, lead, "email", "given", "web_form",
                   stated_at=dt.datetime(2026, 11, 3, 9, 30), page_url="https://exemple.fr/devis",
                   wording="J'accepte d'être recontactée", wording_version="v2",
                   ip_address="203.0.113.7")
    db.session.commit()
    use_smtp(app, smtp)
    accounts.create("manon", "Responsable", first_name="Manon", last_name="Leroy")
    accounts.login(client, "claire")
    sheet = f"/sheet/{lead.id}"
    assert client.post(sheet + "/log", data={"kind": "call", "summary": "Intéressée, rappeler",
                                             "duration_minutes": "7"}).status_code == 302
    assert client.post(sheet + "/log", data={"kind": "email", "direction": "inbound",
                                             "subject": "Re: devis", "summary": "Merci !"}
                       ).status_code == 302
    assert client.post(sheet + "/email", data={"subject": "Votre devis",
                                               "body": "Bonjour Sophie"}).status_code == 302
    assert client.post(sheet + "/note", data={"body": "Elle préfère le matin, @manon",
                                              "kind": "note"}).status_code == 302
    other = make_lead(owner=claire, last_name="Bernard", email="paul.bernard@exemple.fr")
    client.post(f"/sheet/{other.id}/note", data={"body": f"Recommandé par {EMAIL}"})
    assert client.post(sheet + "/remind", data={"due_at": "2026-12-20T10:00",
                                                "what": "Relancer Sophie"}).status_code == 302
    assert client.post(sheet + "/attach", data={"file": (io.BytesIO(b"%PDF-1.4 devis"),
                                                         "devis.pdf")},
                       content_type="multipart/form-data").status_code == 302
    make_appointment(lead, claire, title="Visite showroom", place="Lyon")
    assert client.get("/exports/leads?format=csv").status_code == 200
    return lead


def test_the_json_holds_everything_about_the_person(app, client, accounts, dpo, claire, smtp,
                                                    tmp_path):
    lead = _everywhere(app, client, accounts, claire, smtp, tmp_path)
    accounts.login(client, "delphine")
    data = _access(client, email="  Sophie.Martin@Exemple.fr ")
    assert data["format_version"] == 1 and data["search"] == {"email": EMAIL, "phone": None}
    assert [item["id"] for item in data["leads"]] == [lead.id]
    sheet = data["leads"][0]
    assert (sheet["first_name"], sheet["last_name"], sheet["email"], sheet["phone"]) == (
        "Sophie", "Martin", EMAIL, PHONE)
    assert sheet["owner"] == "Claire Petit" and sheet["status"] == "in_progress"
    assert sheet["created_at"] == _rfc3339(lead.created_at)
    assert sheet["consent_contact"] is True

    [consent] = data["consents"]
    assert {k: consent[k] for k in ("lead_id", "channel", "state", "method", "stated_at",
                                    "page_url", "wording", "wording_version", "ip_address")} == {
        "lead_id": lead.id, "channel": "email", "state": "given", "method": "web_form",
        "stated_at": "2026-11-03T09:30:00+00:00", "page_url": "https://exemple.fr/devis",
        "wording": "J'accepte d'être recontactée", "wording_version": "v2",
        "ip_address": "203.0.113.7"}

    [call] = data["interactions"]
    assert (call["kind"], call["summary"], call["duration_minutes"], call["user"]) == (
        "call", "Intéressée, rappeler", 7, "Claire Petit")
    emails = {item["direction"]: item for item in data["emails"]}
    assert (emails["inbound"]["subject"], emails["inbound"]["summary"]) == ("Re: devis", "Merci !")
    assert (emails["outbound"]["subject"], emails["outbound"]["delivery_status"]) == (
        "Votre devis", "sent")
    assert smtp.messages[0].rcpt_tos == [EMAIL]

    notes = {note["body"]: note for note in data["notes"]}
    assert notes["Elle préfère le matin, @manon"]["mentioned_users"] == ["Manon Leroy"]
    assert notes["Elle préfère le matin, @manon"]["on_their_lead"] is True
    assert notes[f"Recommandé par {EMAIL}"]["on_their_lead"] is False

    [appointment] = data["appointments"]
    assert (appointment["title"], appointment["place"], appointment["starts_at"],
            appointment["owner"]) == ("Visite showroom", "Lyon", "2026-03-02T09:00:00+00:00",
                                      "Claire Petit")
    [attachment] = data["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "devis.pdf", "application/pdf", 14)
    download = client.get(f"/privacy/attachment/{attachment['id']}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 devis"
    [reminder] = data["reminders"]
    assert (reminder["what"], reminder["due_at"], reminder["user"]) == (
        "Relancer Sophie", "2026-12-20T09:00:00+00:00", "Claire Petit")  # 10:00 in Paris

    [delivery] = data["intake_deliveries"]
    stored = db.session.query(IntakeDelivery).one()
    assert (delivery["id"], delivery["lead_id"], delivery["channel"], delivery["status"],
            delivery["source"]) == (stored.id, lead.id, "web_form", "duplicate", "Site web")
    assert json.loads(delivery["body"])["email"] == EMAIL.upper()

    batch = db.session.query(ImportBatch).one()
    assert data["import_rows"] == [{
        "batch_id": batch.id, "row": lead.import_row, "lead_id": lead.id, "outcome": "created",
        "file_name": "salon.csv", "imported_at": _rfc3339(batch.created_at),
        "imported_by": None}]

    titles = [n["title"] for n in data["notifications"]]
    assert titles and all(n["lead_id"] == lead.id for n in data["notifications"])
    mention = db.session.query(Notification).filter_by(event="mentioned").one()
    assert mention.title in titles

    export = db.session.query(ExportFile).one()
    assert (export.status, export.path, export.rows) == ("done", None, 3)
    assert data["exports"] == [{
        "export_id": export.id, "lead_id": lead.id, "kind": "leads", "file_format": "csv",
        "status": "done", "rows": 3, "created_at": _rfc3339(export.created_at),
        "finished_at": _rfc3339(export.finished_at), "user": "Claire Petit", "stored": False}]
    assert data["merged_leads"] == [] and data["requests"] == []

    # The phone finds the same person; the screen shows what the JSON holds.
    assert [item["id"] for item in _access(client, phone="06 12 34 56 78")["leads"]] == [lead.id]
    page = client.get("/privacy/person", query_string={"email": EMAIL}).get_data(as_text=True)
    for text in ("Visite showroom", "devis.pdf", "Relancer Sophie", "Re: devis", "salon.csv",
                 f"Recommandé par {EMAIL}"):
        assert text in page


def test_a_job_export_records_its_leads(app, client, accounts, claire, tmp_path):
    app.config["CRM_EXPORT_INLINE_ROWS"] = 1
    app.config["CRM_EXPORT_DIR"] = str(tmp_path / "exports")
    kept = [make_lead(owner=claire) for _ in range(2)]
    make_lead()  # not claire's: not in her export
    accounts.login(client, "claire")
    assert client.get("/exports/leads?format=xlsx").status_code == 302  # run inline: no Redis
    export = db.session.query(ExportFile).one()
    assert (export.status, export.rows) == ("done", 2) and export.path
    assert sorted(lead_id for (lead_id,) in db.session.query(ExportLead.lead_id).filter_by(
        export_file_id=export.id)) == sorted(lead.id for lead in kept)


def test_a_merged_person_is_found_by_their_old_contact(client, accounts, dpo, claire):
    keep = make_lead(owner=claire, first_name="Sophie", last_name="Martin", email=EMAIL,
                     phone="0612345678")
    other = make_lead(owner=claire, first_name="Sophie", last_name="Martin-Roux",
                      email="s.roux@societe.fr", phone="0699887766", possible_duplicate=True)
    third = make_lead(first_name="S.", last_name="Martin", email="sm@autre.fr", phone="0655443322")
    merge(db.session, other, third, claire)  # third's history goes to other...
    db.session.commit()
    merge(db.session, keep, other, claire)  # ...then other's to keep
    db.session.commit()
    accounts.login(client, "delphine")
    for person in ({"email": "s.roux@societe.fr"}, {"phone": "06 99 88 77 66"},
                   {"email": "sm@autre.fr"}):
        data = _access(client, **person)
        assert [item["id"] for item in data["leads"]] == [keep.id], person
    [merged] = _access(client, email="sm@autre.fr")["merged_leads"]
    assert {k: merged[k] for k in ("merged_lead_id", "kept_lead_id", "first_name", "last_name",
                                   "email", "phone")} == {
        "merged_lead_id": third.id, "kept_lead_id": keep.id, "first_name": "S.",
        "last_name": "Martin", "email": "sm@autre.fr", "phone": "+33655443322"}


RGPD_ROUTES = [("GET", "/privacy/"), ("GET", "/privacy/person?email=" + EMAIL),
               ("GET", "/privacy/person.json?email=" + EMAIL),
               ("GET", "/privacy/person.pdf?email=" + EMAIL), ("GET", "/privacy/attachment/1"),
               ("POST", "/privacy/requests"), ("POST", "/privacy/requests/1/close")]


@pytest.mark.parametrize("role", ["Commercial", "Responsable", "Marketing"])
def test_only_the_dpo_and_admin_may_use_the_rgpd_screens(client, accounts, role):
    accounts.create("autre", role)
    accounts.login(client, "autre")
    make_lead(email=EMAIL)
    for method, url in RGPD_ROUTES:
        response = client.open(url, method=method, data={"kind": "access", "email": EMAIL})
        assert response.status_code == 403, (url, response.status_code)
        assert "Accès refusé" in response.get_data(as_text=True) or method == "POST"
    assert db.session.query(PrivacyRequest).count() == 0
    assert "Demandes RGPD" not in client.get("/").get_data(as_text=True)


def test_admin_and_dpo_see_the_screen(client, accounts, dpo):
    accounts.create("admin", "Admin")
    for username in ("admin", "delphine"):
        accounts.login(client, username)
        page = client.get("/privacy/")
        assert page.status_code == 200 and "Demandes RGPD" in page.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ({}, "Indiquez l&#39;e-mail ou le téléphone"),
    ({"email": "  ", "phone": ""}, "Indiquez l&#39;e-mail ou le téléphone"),
    ({"email": "sophie@@exemple"}, "Adresse e-mail invalide"),
    ({"phone": "12"}, "Numéro de téléphone invalide"),
])
def test_bad_searches_are_french_400s(client, accounts, dpo, query, message):
    accounts.login(client, "delphine")
    for url in ("/privacy/person", "/privacy/person.json", "/privacy/person.pdf"):
        response = client.get(url, query_string=query)
        assert response.status_code == 400, url
        assert message in response.get_data(as_text=True), url


def test_the_pdf_summary_names_the_person(client, accounts, dpo, claire, tmp_path):
    lead = make_lead(owner=claire, first_name="Éloïse", last_name="Marchetti", email=EMAIL,
                     company="Pâtisserie Française")
    make_appointment(lead, claire, title="Dégustation", place="Besançon")
    accounts.login(client, "delphine")
    response = client.get("/privacy/person.pdf", query_string={"email": EMAIL})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    path = tmp_path / "acces.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    for expected in ("Éloïse Marchetti", "Pâtisserie Française", "Dégustation", "Besançon",
                     "Données personnelles détenues", EMAIL):
        assert expected in text, expected


def test_a_request_is_recorded_with_its_leads_and_a_calendar_month(client, accounts, dpo):
    lead = make_lead(email=EMAIL)
    with time_machine.travel(dt.datetime(2027, 1, 31, 10, 0, tzinfo=dt.timezone.utc), tick=False):
        accounts.login(client, "delphine")
        response = client.post("/privacy/requests", data={"kind": "access", "email": EMAIL})
        assert response.status_code == 302
        item = db.session.query(PrivacyRequest).one()
        assert (item.kind, item.email, item.status, item.lead_ids) == ("access", EMAIL, "open",
                                                                       [lead.id])
        assert item.due_at == dt.datetime(2027, 2, 28, 10, 0)  # 31 January + one month
        page = client.get("/privacy/").get_data(as_text=True)
        assert "28 jour(s) restant(s)" in page and f"/leads/show/{lead.id}" in page
    with time_machine.travel(dt.datetime(2027, 3, 3, 10, 0, tzinfo=dt.timezone.utc), tick=False):
        accounts.login(client, "delphine")  # a session does not last a month
        page = client.get("/privacy/").get_data(as_text=True)
        assert "En retard de 3 jour(s)" in page and "crm-overdue" in page
        response = client.post(f"/privacy/requests/{item.id}/close",
                               data={"status": "done", "note": "Données envoyées par e-mail"})
        assert response.status_code == 302
    db.session.expire_all()
    closed = db.session.get(PrivacyRequest, item.id)
    assert (closed.status, closed.note, closed.handled_by_id) == (
        "done", "Données envoyées par e-mail", dpo.id)
    assert closed.closed_at == dt.datetime(2027, 3, 3, 10, 0)


def test_a_request_with_a_received_day_counts_from_that_day(client, accounts, dpo):
    accounts.login(client, "delphine")
    client.post("/privacy/requests", data={"kind": "erasure", "phone": "06 12 34 56 78",
                                           "received_on": "2026-10-15"})
    item = db.session.query(PrivacyRequest).one()
    assert (item.phone, item.lead_ids) == (PHONE, [])
    assert item.received_at == dt.datetime(2026, 10, 14, 22, 0)  # midnight in Paris
    assert item.due_at == dt.datetime(2026, 11, 14, 22, 0)


@pytest.mark.parametrize("form, message", [
    ({"kind": "lettre", "email": EMAIL}, "Type de demande inconnu"),
    ({"kind": "access"}, "Indiquez l&#39;e-mail ou le téléphone"),
    ({"kind": "access", "email": "pas-un-mail"}, "Adresse e-mail invalide"),
    ({"kind": "access", "email": EMAIL, "received_on": "15/10/2026"}, "Date de réception invalide"),
    ({"kind": "access", "email": EMAIL, "received_on": "2999-01-01"}, "dans le futur"),
])
def test_bad_requests_are_refused_and_write_nothing(client, accounts, dpo, form, message):
    accounts.login(client, "delphine")
    response = client.post("/privacy/requests", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(PrivacyRequest).count() == 0


def test_closing_needs_a_note_an_outcome_and_an_open_request(client, accounts, dpo):
    accounts.login(client, "delphine")
    client.post("/privacy/requests", data={"kind": "objection", "email": EMAIL})
    item = db.session.query(PrivacyRequest).one()
    url = f"/privacy/requests/{item.id}/close"
    assert client.post(url, data={"status": "done", "note": " "}).status_code == 400
    assert client.post(url, data={"status": "open", "note": "x"}).status_code == 400
    assert client.post("/privacy/requests/999/close", data={"status": "done",
                                                            "note": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(PrivacyRequest, item.id).status == "open"
    assert client.post(url, data={"status": "refused", "note": "Identité non prouvée"}
                       ).status_code == 302
    response = client.post(url, data={"status": "done", "note": "encore"})
    assert response.status_code == 400 and "déjà close" in response.get_data(as_text=True)


@pytest.mark.clock
def test_an_overdue_request_notifies_the_dpo_users_once(client, accounts, dpo, claire):
    admin = accounts.create("admin", "Admin")
    with time_machine.travel(dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.timezone.utc), tick=False):
        accounts.login(client, "delphine")
        client.post("/privacy/requests", data={"kind": "access", "email": EMAIL})
    with time_machine.travel(dt.datetime(2027, 2, 10, 8, 0, tzinfo=dt.timezone.utc), tick=False):
        assert tick()["overdue_privacy_requests"] == 0  # due at 9:00
    with time_machine.travel(dt.datetime(2027, 2, 10, 9, 1, tzinfo=dt.timezone.utc), tick=False):
        assert tick()["overdue_privacy_requests"] == 1
        assert tick()["overdue_privacy_requests"] == 0  # once per request
    notes = db.session.query(Notification).filter_by(event="privacy_overdue").all()
    assert sorted(n.user_id for n in notes) == sorted([dpo.id, admin.id])  # not claire
    assert all("Demande RGPD n°" in n.title and "10/02/2027" in n.title for n in notes)
    assert all(n.url == "/privacy/" for n in notes)


def test_closed_requests_are_never_overdue(client, accounts, dpo):
    with time_machine.travel(dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.timezone.utc), tick=False):
        accounts.login(client, "delphine")
        client.post("/privacy/requests", data={"kind": "access", "email": EMAIL})
        item = db.session.query(PrivacyRequest).one()
        client.post(f"/privacy/requests/{item.id}/close", data={"status": "done", "note": "Fait"})
    with time_machine.travel(dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc), tick=False):
        assert tick()["overdue_privacy_requests"] == 0
    assert db.session.query(Notification).count() == 0


def test_a_request_lists_in_the_person_report(client, accounts, dpo):
    lead = make_lead(email=EMAIL)
    accounts.login(client, "delphine")
    client.post("/privacy/requests", data={"kind": "rectification", "email": EMAIL})
    [request_] = _access(client, email=EMAIL)["requests"]
    assert (request_["kind"], request_["status"], request_["lead_ids"], request_["email"]) == (
        "rectification", "open", [lead.id], EMAIL)


def test_the_dpo_erases_from_the_rgpd_screen_and_no_trace_of_the_person_stays(
        client, accounts, dpo, claire):
    """The DPO role (not Admin) finds the person, erases them through the screen's link, and
    lands back on the search; the merged contact, the request's contact and note, and the
    audit log's before/after values of the person's fields go; the log keeps who did what."""
    lead = make_lead(owner=claire, first_name="Sophie", last_name="Martin", email=EMAIL,
                     phone=PHONE)
    merge(db.session, lead, make_lead(first_name="S.", last_name="Martin", email="sm@autre.fr",
                                      possible_duplicate=True), claire)
    record_audit(db.session, FIELD_CHANGE, claire.id, "198.51.100.4", lead.id,
                 fields={"last_name": ["Martine", "Martin"]})
    db.session.commit()
    accounts.login(client, "delphine")
    assert client.post("/privacy/requests", data={
        "kind": "erasure", "email": EMAIL}).status_code == 302
    request_id = db.session.query(PrivacyRequest.id).scalar()
    assert client.post(f"/privacy/requests/{request_id}/close", data={
        "status": "done", "note": "Sophie Martin effacée"}).status_code == 302
    search = f"/privacy/person?email={EMAIL}"
    page = client.get(search).get_data(as_text=True)
    erase_link = f"/privacy/erase/{lead.id}?next="
    assert erase_link in page
    assert client.get(f"/privacy/erase/{lead.id}?next={search}").status_code == 200
    response = client.post(f"/privacy/erase/{lead.id}", data={"confirm": "EFFACER",
                                                              "next": search})
    assert response.status_code == 302 and response.headers["Location"].endswith(search)
    db.session.expire_all()
    erased = db.session.get(Lead, lead.id)
    assert erased.anonymised_at is not None and erased.email is None
    assert db.session.query(LeadMerge).count() == 0
    kept_request = db.session.get(PrivacyRequest, request_id)
    assert (kept_request.kind, kept_request.status, kept_request.handled_by_id) == (
        "erasure", "done", dpo.id)
    assert (kept_request.email, kept_request.phone, kept_request.note) == (None, None, None)
    log = {entry.action: entry for entry in db.session.query(AuditEntry)
           .filter(AuditEntry.lead_id == lead.id)}
    assert (log["erase"].user_id, log["erase"].ip_address) == (dpo.id, "127.0.0.1")
    assert json.loads(log["field_change"].detail) == {"fields": {"last_name": None},
                                                      "erased": True}
    steps = {json.loads(entry.detail)["step"] for entry in db.session.query(AuditEntry)
             .filter(AuditEntry.action == "privacy_request")}
    assert steps == {"open", "close", "search"}
    dump = " ".join(str(value) for entry in db.session.query(AuditEntry)
                    for value in (entry.detail, entry.username))
    assert "Martin" not in dump and EMAIL not in dump
