"""Erasure (RGPD): the lead stays, anonymised, with its figures; every text, file row and file
about the person goes; the screen asks for the typed word and only holders of can_erase get it."""
import csv
import io
import json
from pathlib import Path
from decimal import Decimal

import openpyxl
import pytest

from app.extensions import db
from app.services.privacy.suppression import is_suppressed
from models import (Attachment, ConsentRecord, ExportFile, IdempotencyKey, ImportBatch,
                    IntakeDelivery, Interaction, Lead, LeadEvent, LeadNote, Notification, Reminder,
                    Suppression)
from tests.factories import make_appointment, make_campaign, make_lead, make_source
from tests.integration.test_lead_stats import expected, stored

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def team(accounts):
    return (accounts.create("admin", "Admin"), accounts.create("claire", "Commercial"),
            accounts.create("boss", "Responsable"))


def person(owner, **fields):
    values = dict(first_name="Jeanne", last_name="Zorglub", email="jeanne.zorglub@exemple.fr",
                  phone="06 71 23 45 67", company="Zorglub SARL", status="converted",
                  value=Decimal("1200.00"), note="Préfère être appelée le soir", utm_source="google",
                  gclid="gclid-zorglub", form_answers=json.dumps({"Projet": "Véranda Zorglub"}),
                  source=make_source("Salon"), campaign=make_campaign("Printemps"))
    values.update(fields)
    return make_lead(owner=owner, **values)


def fill_everything(client, accounts, lead, owner):
    """What the rep writes on the sheet, through the sheet."""
    accounts.login(client, owner.username)
    for data in ({"kind": "call", "direction": "inbound", "subject": "Appel de Jeanne Zorglub",
                  "summary": "Rappeler Zorglub pour la véranda"},):
        assert client.post(f"/sheet/{lead.id}/log", data=data).status_code == 302
    assert client.post(f"/sheet/{lead.id}/note", data={
        "body": "Mme Zorglub a un chien @boss", "kind": "message"}).status_code == 302
    assert client.post(f"/sheet/{lead.id}/remind", data={
        "what": "Relancer Zorglub", "due_at": "2030-01-02T10:00"}).status_code == 302
    assert client.post(f"/sheet/{lead.id}/attach", data={"file": (io.BytesIO(PDF), "zorglub.pdf")},
                       content_type="multipart/form-data").status_code == 302
    make_appointment(lead, owner=owner, title="Visite chez Zorglub", place="12 rue Zorglub",
                     minutes="Compte rendu Zorglub")
    db.session.add(Interaction(lead_id=lead.id, kind="email", direction="outbound",
                               subject="Devis Zorglub", summary="Bonjour Mme Zorglub",
                               delivery_status="queued", user_id=owner.id))
    db.session.add(ConsentRecord(lead_id=lead.id, channel="email", state="given",
                                 method="web_form", page_url="https://exemple.fr/zorglub",
                                 wording="J'accepte", ip_address="203.0.113.9",
                                 user_agent="Firefox", platform_fields='{"nom": "Zorglub"}'))
    db.session.add(IntakeDelivery(channel="web_form", body='{"email": "jeanne.zorglub@exemple.fr"}',
                                  status="failed", remote_addr="203.0.113.9"))
    db.session.add(IdempotencyKey(user_id=owner.id, key="k1", fingerprint="f", status_code=201,
                                  response_body='{"email": "jeanne.zorglub@exemple.fr"}'))
    db.session.commit()


def test_erasure_keeps_the_figures_and_leaves_nothing_of_the_person(app, client, accounts, team):
    admin, claire, boss = team
    lead = person(claire)
    other = make_lead(owner=claire, last_name="Autre", status="new")
    fill_everything(client, accounts, lead, claire)
    figures = stored()
    accounts.login(client, "admin")
    page = client.get(f"/privacy/erase/{lead.id}")
    assert page.status_code == 200 and "EFFACER" in page.get_data(as_text=True)
    assert "Effacer (RGPD)" in client.get(f"/leads/show/{lead.id}").get_data(as_text=True)

    response = client.post(f"/privacy/erase/{lead.id}", data={"confirm": "effacer"})
    assert response.status_code == 302

    db.session.expire_all()
    erased = db.session.get(Lead, lead.id)
    assert erased.last_name == "Prospect anonymisé" and erased.anonymised_at is not None
    assert (erased.first_name, erased.email, erased.phone, erased.company, erased.note,
            erased.gclid, erased.utm_source, erased.form_answers) == (None,) * 8
    assert (erased.status, erased.value, erased.owner_id) == ("converted", Decimal("1200.00"),
                                                             claire.id)
    assert erased.source.name == "Salon" and erased.campaign.name == "Printemps"
    assert stored() == figures == expected()  # dashboards and reports do not move
    assert db.session.query(LeadNote).count() == 0
    assert db.session.query(Attachment).count() == 0
    assert not list(Path(app.config["CRM_ATTACHMENT_DIR"]).iterdir())
    kept = db.session.query(Interaction).filter_by(lead_id=lead.id).all()
    assert [(i.direction, i.subject, i.summary) for i in kept] == [("inbound", None, None)]
    appointment = erased.appointments[0]
    assert (appointment.title, appointment.place, appointment.minutes) == (None, None, None)
    assert db.session.query(Reminder).one().what == "(effacé)"
    assert all("Zorglub" not in n.title for n in db.session.query(Notification))
    consent = db.session.query(ConsentRecord).filter_by(lead_id=lead.id).one()
    assert (consent.channel, consent.state, consent.page_url, consent.wording, consent.ip_address,
            consent.user_agent, consent.platform_fields) == ("email", "given") + (None,) * 5
    assert db.session.query(IntakeDelivery).one().body == ""
    assert db.session.query(IdempotencyKey).count() == 0
    assert is_suppressed(db.session, "jeanne.zorglub@exemple.fr", "06 71 23 45 67")
    assert {s.reason for s in db.session.query(Suppression)} == {"erased"}
    event = db.session.query(LeadEvent).filter_by(lead_id=lead.id, kind="erased").one()
    assert (event.user_id, event.detail) == (admin.id, "request")
    assert db.session.get(Lead, other.id).last_name == "Autre"  # nobody else touched


def test_the_typed_word_is_required_and_a_refusal_writes_nothing(client, accounts, team):
    lead = person(team[1])
    accounts.login(client, "admin")
    for data in ({}, {"confirm": "oui"}, {"confirm": "EFFACE"}):
        response = client.post(f"/privacy/erase/{lead.id}", data=data)
        assert response.status_code == 400
        assert "Tapez EFFACER pour confirmer" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).email == "jeanne.zorglub@exemple.fr"
    assert db.session.query(Suppression).count() == 0
    assert client.post("/privacy/erase/999999", data={"confirm": "EFFACER"}).status_code == 404


@pytest.mark.parametrize("username", ["claire", "boss"])
def test_only_holders_of_can_erase_may_erase(client, accounts, team, username):
    lead = person(team[1])
    accounts.login(client, username)
    assert "Effacer (RGPD)" not in client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    for response in (client.get(f"/privacy/erase/{lead.id}"),
                     client.post(f"/privacy/erase/{lead.id}", data={"confirm": "EFFACER"})):
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).anonymised_at is None


def test_cli_erases_by_email_and_refuses_unknown_people(runner, team):
    first = person(team[1])
    result = runner.invoke(args=["crm", "erase", "--email", "Jeanne.Zorglub@exemple.fr"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["leads"] == 1
    db.session.expire_all()
    assert db.session.get(Lead, first.id).anonymised_at is not None
    for args in (["--email", "personne@exemple.fr"], ["--lead", "999999"], [],
                 ["--email", "pas une adresse"]):
        result = runner.invoke(args=["crm", "erase", *args])
        assert result.exit_code != 0 and "Traceback" not in result.output
    assert db.session.query(LeadEvent).filter_by(kind="erased").count() == 1


def test_exports_holding_the_person_are_deleted(app, client, accounts, team, tmp_path):
    app.config.update(CRM_EXPORT_INLINE_ROWS=1, CRM_EXPORT_DIR=str(tmp_path / "exports"))
    lead = person(team[1])
    make_lead(owner=team[1], last_name="Autre")
    accounts.login(client, "claire")
    assert client.get("/exports/leads?format=csv").status_code == 302
    export = db.session.query(ExportFile).one()
    path = export.path
    assert "Zorglub" in open(path, encoding="utf-8-sig").read()
    result = app.test_cli_runner().invoke(args=["crm", "erase", "--lead", str(lead.id)])
    assert json.loads(result.output)["export_files"] == [path]
    assert not (tmp_path / "exports").exists() or not list((tmp_path / "exports").iterdir())
    assert db.session.query(ExportFile).count() == 0


def write_xlsx(path, rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_person_rows_leave_the_import_files(app, runner, team, tmp_path, kind):
    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    rows = [["Nom", "Prénom", "E-mail", "Téléphone"],
            ["Zorglub", "Jeanne", "jeanne.zorglub@exemple.fr", "06 71 23 45 67"],
            ["Durand", "Paul", "paul@exemple.fr", "06 00 00 00 01"],
            ["", "Jeanne", "jeanne.zorglub@exemple.fr", "+33 6 71 23 45 67"],  # rejected
            ["Martin", "Luc", "luc@exemple.fr", "0612"],  # kept with a warning
            ["Zorglub", "Jeanne", "pas une adresse", "+33 6 71 23 45 67"]]  # warned duplicate
    path = tmp_path / f"salon.{kind}"
    if kind == "csv":
        path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    else:
        write_xlsx(path, rows)
    result = runner.invoke(args=["crm", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    batch = db.session.query(ImportBatch).one()
    assert batch.rejected >= 1
    lead = db.session.query(Lead).filter_by(email="jeanne.zorglub@exemple.fr").one()

    result = runner.invoke(args=["crm", "erase", "--lead", str(lead.id)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["import_rows"] == 4  # 3 in the file, 1 in the rejects
    if kind == "csv":
        stored_rows = list(csv.reader(open(batch.stored_path, encoding="utf-8"), delimiter=";"))
    else:
        sheet = openpyxl.load_workbook(batch.stored_path).active
        stored_rows = [["" if v is None else str(v) for v in r]
                       for r in sheet.iter_rows(values_only=True)]
    # Blanked in place: the other rows keep their numbers.
    assert stored_rows[2][0] == "Durand" and stored_rows[4][0] == "Martin"
    stored_rows += [[]] * (len(rows) - len(stored_rows))  # Excel drops empty trailing rows
    assert not any(stored_rows[1]) and not any(stored_rows[3]) and not any(stored_rows[5])
    for other in (batch.rejected_path, batch.warnings_path):
        text = open(other, encoding="utf-8-sig").read()
        assert "Zorglub" not in text and "jeanne" not in text
