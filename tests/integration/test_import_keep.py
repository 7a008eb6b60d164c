"""Imports keep what a person would keep (issue 13): other CRMs' exports and statuses, possible
phones, warnings instead of rejections, names matched through aliases, undo, the CRM's own
exports read back. Every file is made here."""
import csv
import datetime as dt
import io

import openpyxl
import pytest

from app.extensions import db
from app.services.importing.mapping import suggest
from models import Campaign, ImportBatch, Lead, Source
from tests.factories import make_campaign, make_lead, make_source
from tests.integration.test_import import data_row_count, import_dir, run_cli, write_csv  # noqa: F401
from tests.integration.test_import_wizard import manager, upload  # noqa: F401


def test_hubspot_export_with_bom_keeps_possible_phones(runner, import_dir, tmp_path):
    """41 contacts, 30 of them with +33 7 00 … numbers: possible, outside the ranges
    libphonenumber lists as allocated. All are kept, those 30 with a warning."""
    rows = [["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Lead Status",
             "Company Name", "Create Date"]]
    statuses = ["NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "UNQUALIFIED", "CONNECTED"]
    for i in range(41):
        phone = f"+33 7 00 01 {i // 10:02d} {i % 10:02d}" if i < 30 else f"+33 6 45 12 {i:02d} 00"
        rows.append([str(1000 + i), f"Prénom{i}", f"Nom{i}", f"contact{i}@exemple.fr", phone,
                     statuses[i % len(statuses)], "ACME", "2026-10-0%d 09:15" % (1 + i % 9)])
    path = write_csv(tmp_path / "hubspot-crm-exports-all-contacts.csv", rows, encoding="utf-8-sig")
    counts = run_cli(runner, path)
    assert (counts["created"], counts["warned"], counts["rejected"]) == (11, 30, 0)
    assert data_row_count(counts) == 41
    first = db.session.query(Lead).filter_by(last_name="Nom0").one()
    assert (first.first_name, first.email, first.phone, first.company) == (
        "Prénom0", "contact0@exemple.fr", "+33700010000", "ACME")
    by_status = {lead.last_name: lead.status for lead in db.session.query(Lead)}
    assert [by_status[f"Nom{i}"] for i in range(6)] == [
        "new", "new", "in_progress", "in_progress", "abandoned", "in_progress"]
    with open(counts["warnings_file"], encoding="utf-8-sig") as handle:
        warned = list(csv.reader(handle, delimiter=";"))[1:]
    assert len(warned) == 30
    assert warned[0][-2] == "Numéro hors des plages attribuées connues, gardé : +33 7 00 01 00 00"


def test_salesforce_statuses(runner, import_dir, tmp_path):
    path = write_csv(tmp_path / "salesforce.csv", [
        ["First Name", "Last Name", "Email", "Mobile", "Company", "Lead Status", "Lead Source"],
        ["Ann", "Open", "a@exemple.fr", "", "X", "Open - Not Contacted", "Web"],
        ["Bob", "Working", "b@exemple.fr", "", "X", "Working - Contacted", "Web"],
        ["Cid", "Won", "c@exemple.fr", "", "X", "Closed - Converted", "Web"],
        ["Dan", "Lost", "d@exemple.fr", "", "X", "Closed - Not Converted", "Web"],
        ["Eve", "Qualified", "e@exemple.fr", "", "X", "Qualified", "Web"],
        ["Fay", "Unqualified", "f@exemple.fr", "", "X", "Unqualified", "Web"],
        ["Gus", "Closedwon", "g@exemple.fr", "", "X", "Closed Won", "Web"],
    ])
    counts = run_cli(runner, path)
    assert (counts["created"], counts["warned"]) == (7, 0)
    statuses = {lead.last_name: lead.status for lead in db.session.query(Lead)}
    assert statuses == {"Open": "new", "Working": "in_progress", "Won": "converted",
                        "Lost": "abandoned", "Qualified": "in_progress",
                        "Unqualified": "abandoned", "Closedwon": "converted"}


def test_a_thousand_rows_with_the_crms_own_status_code(runner, import_dir, tmp_path):
    rows = [["Nom", "E-mail", "Statut"]] + [
        [f"Nom{i}", f"p{i}@exemple.fr", ["in_progress", "IN-PROGRESS", "In Progress", "en cours"][i % 4]]
        for i in range(1000)]
    counts = run_cli(runner, write_csv(tmp_path / "mille.csv", rows))
    assert (counts["created"], counts["warned"], counts["rejected"]) == (1000, 0, 0)
    assert db.session.query(Lead).filter_by(status="in_progress").count() == 1000


def test_what_is_rejected_and_what_is_kept(runner, import_dir, tmp_path):
    path = write_csv(tmp_path / "mix.csv", [
        ["Nom", "E-mail", "Téléphone", "Statut", "Créé le"],
        ["", "sans.nom@exemple.fr", "", "", ""],              # no name: rejected
        ["Rien", "pas-un-email@", "pas de numéro", "", ""],   # nothing usable: rejected
        ["Seul", "", "", "", ""],                              # a name only: kept, as on the form
        ["Chaud", "chaud@exemple.fr", "", "Chaud", ""],        # unknown status: Nouveau + warning
        ["Date", "date@exemple.fr", "", "", "30/02/2026"],    # impossible date: empty + warning
    ])
    counts = run_cli(runner, path)
    assert (counts["created"], counts["warned"], counts["rejected"]) == (1, 2, 2)
    assert data_row_count(counts) == 5
    chaud = db.session.query(Lead).filter_by(last_name="Chaud").one()
    assert chaud.status == "new"
    with open(counts["rejected_file"], encoding="utf-8-sig") as handle:
        reasons = [row[-2] for row in list(csv.reader(handle, delimiter=";"))[1:]]
    assert reasons == ["Nom manquant", "Adresse e-mail invalide : pas-un-email@"]


@pytest.mark.parametrize("header, expected", [
    # HubSpot
    (["First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Lead Status",
      "Company Name", "Create Date", "Contact owner"],
     ["first_name", "last_name", "email", "phone", None, "status", "company", "created_at", "owner"]),
    # Salesforce
    (["First Name", "Last Name", "Email", "Mobile", "Company", "Lead Status", "Lead Source",
      "Lead Owner", "Created Date", "Description"],
     ["first_name", "last_name", "email", "phone", "company", "status", "source", "owner",
      "created_at", "note"]),
    # Pipedrive
    (["Person - Name", "Person - Email", "Person - Phone", "Organization - Name", "Deal - Status"],
     ["full_name", "email", "phone", "company", "status"]),
    # Zoho
    (["First Name", "Last Name", "Email", "Mobile", "Lead Status", "Lead Source", "Company",
      "Created Time"],
     ["first_name", "last_name", "email", "phone", "status", "source", "company", "created_at"]),
    # Brevo
    (["EMAIL", "FIRSTNAME", "LASTNAME", "SMS"], ["email", "first_name", "last_name", "phone"]),
    # Mailchimp
    (["Email Address", "First Name", "Last Name", "Phone Number", "OPTIN_TIME"],
     ["email", "first_name", "last_name", "phone", "consent_at"]),
])
def test_other_crms_headers_map_without_help(app, header, expected):
    mapping = suggest(header)
    assert [mapping.get(i) for i in range(len(header))] == expected


def test_consent_keeps_the_files_date_and_never_makes_one_up(runner, import_dir, tmp_path):
    path = write_csv(tmp_path / "rgpd.csv", [
        ["Nom", "E-mail", "Consentement", "Date du consentement"],
        ["Daté", "d@exemple.fr", "oui", "03/05/2026"],
        ["Sans date", "s@exemple.fr", "Oui", ""],
        ["Refus", "r@exemple.fr", "non", ""],
    ])
    run_cli(runner, path)
    leads = {lead.last_name: (lead.consent_contact, lead.consent_at) for lead in db.session.query(Lead)}
    assert leads == {"Daté": (True, dt.datetime(2026, 5, 2, 22, 0)), "Sans date": (True, None),
                     "Refus": (False, None)}


def test_names_match_without_case_accents_and_through_aliases(runner, import_dir, tmp_path):
    meta = make_source("Meta Lead Ads")
    meta.aliases = "Facebook Ads\nInstagram"
    salon = make_source("Salon de l'Étudiant")
    spring = make_campaign("Printemps 2026")
    db.session.commit()
    path = write_csv(tmp_path / "sources.csv", [
        ["Nom", "E-mail", "Source", "Campagne"],
        ["A", "a@exemple.fr", "facebook ads", "PRINTEMPS 2026"],
        ["B", "b@exemple.fr", "INSTAGRAM", "printemps-2026"],
        ["C", "c@exemple.fr", "salon de l etudiant", ""],
        ["D", "d@exemple.fr", "Radio Locale", "Été 2026"],
        ["E", "e@exemple.fr", "radio locale", "ete 2026"],
    ])
    counts = run_cli(runner, path)
    leads = {lead.last_name: lead for lead in db.session.query(Lead)}
    assert leads["A"].source_id == leads["B"].source_id == meta.id
    assert leads["A"].campaign_id == leads["B"].campaign_id == spring.id
    assert leads["C"].source_id == salon.id
    assert leads["D"].source_id == leads["E"].source_id and leads["D"].source.name == "Radio Locale"
    assert leads["D"].campaign.name == "Été 2026" and leads["D"].campaign_id == leads["E"].campaign_id
    assert db.session.query(Source).count() == 3 and db.session.query(Campaign).count() == 2
    # Undo removes what the import created, not what was there before.
    batch = db.session.get(ImportBatch, counts["batch"])
    from app.services.importing.runner import undo_batch
    undo_batch(db.session, batch)
    db.session.commit()
    assert {s.name for s in db.session.query(Source)} == {"Meta Lead Ads", "Salon de l'Étudiant"}
    assert {c.name for c in db.session.query(Campaign)} == {"Printemps 2026"}


def test_undo_keeps_a_created_source_that_another_lead_uses(runner, import_dir, tmp_path):
    path = write_csv(tmp_path / "radio.csv", [["Nom", "E-mail", "Source"],
                                              ["A", "a@exemple.fr", "Radio"]])
    counts = run_cli(runner, path)
    radio = db.session.query(Source).filter_by(name="Radio").one()
    make_lead(last_name="Ailleurs", source=radio)
    from app.services.importing.runner import undo_batch
    undo_batch(db.session, db.session.get(ImportBatch, counts["batch"]))
    db.session.commit()
    assert db.session.query(Source).filter_by(name="Radio").count() == 1
    assert [lead.last_name for lead in db.session.query(Lead)] == ["Ailleurs"]


def upload_batch(client, name, content):
    upload(client, name, content)
    return db.session.query(ImportBatch).order_by(ImportBatch.id.desc()).first()


def test_the_wizard_lists_new_values_and_the_admin_maps_them(manager):
    referral = make_source("Recommandation")
    content = ("Nom;E-mail;Source;Statut\n"
               "A;a@exemple.fr;Parrainage;Chaud\n"
               "B;b@exemple.fr;Radio;chaud\n"
               "C;c@exemple.fr;Parrainage;Tiède\n").encode()
    batch = upload_batch(manager, "valeurs.csv", content)
    body = manager.get(f"/imports/{batch.id}/settings").get_data(as_text=True)
    for name in ('name="map-status-chaud"', 'name="map-status-tiede"',
                 'name="map-source-parrainage"', 'name="map-source-radio"'):
        assert name in body
    assert "Statut inconnu, importé comme Nouveau : Tiède" in body  # the preview's verdict
    form = {"header_row": "1", "policy": "skip", "col-0": "last_name", "col-1": "email",
            "col-2": "source", "col-3": "status", "map-status-chaud": "in_progress",
            "map-status-tiede": "", "map-source-parrainage": str(referral.id),
            "map-source-radio": "", "action": "preview"}
    body = manager.post(f"/imports/{batch.id}/settings", data=form).get_data(as_text=True)
    assert f'<option value="{referral.id}" selected>Recommandation</option>' in body
    assert '<option value="in_progress" selected>' in body
    manager.post(f"/imports/{batch.id}/settings", data=dict(form, action="run"))
    leads = {lead.last_name: lead for lead in db.session.query(Lead)}
    assert (leads["A"].status, leads["B"].status, leads["C"].status) == ("in_progress", "in_progress", "new")
    assert leads["A"].source_id == leads["C"].source_id == referral.id
    assert leads["B"].source.name == "Radio"
    progress = manager.get(f"/imports/{batch.id}/progress").get_json()
    assert (progress["created"], progress["warned"]) == (2, 1)


def test_a_choice_that_is_not_a_status_nor_a_source_is_refused(manager):
    batch = upload_batch(manager, "valeurs.csv", "Nom;E-mail;Source\nA;a@exemple.fr;Radio\n".encode())
    form = {"header_row": "1", "col-0": "last_name", "col-1": "email", "col-2": "source",
            "map-source-radio": "999999", "action": "run"}
    body = manager.post(f"/imports/{batch.id}/settings", data=form).get_data(as_text=True)
    assert "Choix invalide pour « radio »" in body
    assert db.session.get(ImportBatch, batch.id).status == "pending"
    assert db.session.query(Lead).count() == 0


def test_see_the_leads_of_an_import_in_the_list_and_the_api(app, client, manager, accounts):
    make_lead(last_name="Ancien")
    batch = upload_batch(manager, "deux.csv", "Nom;E-mail\nNouveau1;n1@exemple.fr\nNouveau2;n2@exemple.fr\n".encode())
    manager.post(f"/imports/{batch.id}/settings", data={
        "header_row": "1", "col-0": "last_name", "col-1": "email", "action": "run"})
    body = manager.get(f"/leads/list/?import_batch={batch.id}").get_data(as_text=True)
    assert "Nouveau1" in body and "Nouveau2" in body and "Ancien" not in body
    assert "Prospects créés par l'import « deux.csv »" in body
    assert manager.get("/leads/list/?import_batch=abc").status_code == 400
    api = client.application.test_client()
    headers = accounts.token(api, "manon")
    query = f"(filters:!((col:import_batch_id,opr:import_batch,value:{batch.id})))"
    response = api.get(f"/api/v1/lead/?q={query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert sorted(row["last_name"] for row in response.get_json()["result"]) == ["Nouveau1", "Nouveau2"]
    bad = "(filters:!((col:import_batch_id,opr:import_batch,value:'x')))"
    assert api.get(f"/api/v1/lead/?q={bad}", headers=headers).status_code == 400


@pytest.fixture
def crm(accounts):
    """Leads of every kind the exports show: statuses, a rep, a source, a campaign, dates, a
    cell the export quotes so that no spreadsheet runs it."""
    claire = accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit")
    salon = make_source("Salon")
    spring = make_campaign("Printemps", source=salon)
    make_lead(owner=claire, last_name="Élise", first_name="Zoé", email="zoe@exemple.fr",
              phone="+33612345678", company="=HYPERLINK(\"http://x\")", source=salon, campaign=spring,
              created_at=dt.datetime(2026, 7, 1, 8, 30), status="converted",
              converted_at=dt.datetime(2026, 7, 3, 14, 5),
              first_contacted_at=dt.datetime(2026, 7, 1, 9, 0))
    make_lead(owner=claire, last_name="Martin", first_name=None, email=None, phone="+442079460958",
              status="in_progress", created_at=dt.datetime(2026, 1, 5, 9),
              first_contacted_at=dt.datetime(2026, 1, 6, 10, 45))
    make_lead(last_name="Abandon", email="ab@exemple.fr", phone=None, status="abandoned",
              abandon_reason="Budget", created_at=dt.datetime(2026, 3, 29, 1, 30))
    make_lead(last_name="Nouveau", email="nouveau@exemple.fr", status="new",
              created_at=dt.datetime(2026, 10, 25, 0, 59))
    return claire


def _exported(client, fmt):
    response = client.get(f"/exports/leads?format={fmt}")
    assert response.status_code == 200
    return response.data


def _rows(data, fmt):
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if fmt == "csv-fr" else ","))


@pytest.mark.parametrize("fmt, extension", [("csv", "csv"), ("csv-fr", "csv"), ("xlsx", "xlsx")])
def test_the_crms_own_export_reimports_unchanged(client, accounts, runner, import_dir, crm,
                                                 fmt, extension):
    accounts.create("boss", "Responsable")
    accounts.login(client, "boss")
    before = _exported(client, fmt)
    path = import_dir / f"export.{extension}"
    path.write_bytes(before)
    db.session.query(Lead).delete()
    db.session.query(Campaign).delete()
    db.session.query(Source).delete()
    db.session.commit()
    counts = run_cli(runner, path)
    assert (counts["created"], counts["warned"], counts["rejected"]) == (4, 0, 0)
    after = _exported(client, fmt)
    assert _rows(after, fmt) == _rows(before, fmt)
    # The quote the export put before the formula-like company is not kept as data.
    assert db.session.query(Lead).filter_by(last_name="Élise").one().company == '=HYPERLINK("http://x")'
    assert len(_rows(before, fmt)) == 5
