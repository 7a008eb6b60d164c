"""Lead list exports read back: CSV with the csv module, .xlsx with openpyxl, PDF with
pdftotext; the row-level rule; large exports through a job."""
import csv
import datetime as dt
import io
import os
import shutil
import subprocess

import openpyxl
import pytest

from app.extensions import db
from models import ExportFile, Notification
from tests.factories import make_lead, make_source


@pytest.fixture
def team(accounts):
    boss = accounts.create("boss", "Responsable")
    claire = accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit")
    paul = accounts.create("paul", "Commercial")
    salon = make_source("Salon")
    make_lead(owner=claire, last_name="Élise", first_name="Zoé", email="zoe@exemple.fr",
              phone="+33612345678", company="=HYPERLINK(\"http://x\")", source=salon,
              created_at=dt.datetime(2026, 7, 1, 8, 30), status="converted")
    make_lead(owner=claire, last_name="Martin", status="new", created_at=dt.datetime(2026, 1, 5, 9))
    make_lead(owner=paul, last_name="Secret", status="new", created_at=dt.datetime(2026, 2, 1, 9))
    return boss, claire, paul


def csv_rows(response, delimiter):
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the accents
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_csv_for_french_excel_with_the_lists_filters(client, accounts, team):
    accounts.login(client, "boss")
    response = client.get("/exports/leads?format=csv-fr&status=converted")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    header, *rows = csv_rows(response, ";")
    assert header[:3] == ["Créé le", "Nom", "Prénom"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0]))
    assert row["Créé le"] == "01/07/2026 10:30"  # Paris summer time
    assert row["Nom"] == "Élise" and row["Téléphone"] == "06 12 34 56 78"
    assert row["Société"].startswith("'=")  # never a formula
    assert row["Statut"] == "Converti" and row["Source"] == "Salon" and row["Commercial"] == "Claire Petit"


def test_a_rep_exports_only_their_own_leads(client, accounts, team):
    accounts.login(client, "claire")
    _header, *rows = csv_rows(client.get("/exports/leads?format=csv"), ",")
    assert sorted(r[1] for r in rows) == ["Martin", "Élise"]
    _header, *rows = csv_rows(client.get("/exports/leads?format=csv&owner=%d" % team[2].id), ",")
    assert rows == []  # another rep's filter gives nothing, not their leads


def test_xlsx_has_typed_columns_real_dates_and_a_styled_header(client, accounts, team):
    accounts.login(client, "boss")
    response = client.get("/exports/leads?format=xlsx&_oc_LeadView=last_name&_od_LeadView=asc")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[1] == "Nom" and sheet["A1"].font.bold
    names = [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)]
    assert names == ["Martin", "Secret", "Élise"]  # the list's order
    created = sheet.cell(row=4, column=1)
    assert created.value == dt.datetime(2026, 7, 1, 10, 30) and created.is_date
    assert sheet.cell(row=4, column=4).value.startswith("'=") and sheet.cell(row=4, column=4).data_type == "s"


@pytest.mark.skipif(not shutil.which("pdftotext") and not os.environ.get("CI"),
                    reason="pdftotext (poppler-utils) not installed")
def test_pdf_reads_back_with_french_dates_and_page_numbers(client, accounts, team, tmp_path):
    accounts.login(client, "boss")
    response = client.get("/exports/leads?format=pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "export.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    # Narrow columns wrap the time under the date.
    assert "Élise" in text and "01/07/2026" in text and "10:30" in text and "06 12 34 56 78" in text
    assert "page 1 / 1" in text and "3 prospect(s)" in text


def test_bad_export_requests_answer_400(client, accounts, team):
    accounts.login(client, "boss")
    assert client.get("/exports/leads?format=docx").status_code == 400
    assert client.get("/exports/leads?format=csv&status=zzz").status_code == 400
    assert client.get("/exports/leads?format=csv&_oc_LeadView=password&_od_LeadView=asc").status_code == 400


def test_large_exports_run_as_a_job_and_notify(app, client, accounts, team, tmp_path):
    app.config.update(CRM_EXPORT_INLINE_ROWS=1, CRM_EXPORT_DIR=str(tmp_path / "exports"))
    accounts.login(client, "claire")
    response = client.get("/exports/leads?format=xlsx")
    assert response.status_code == 302  # back to the list, the job runs (inline here)
    export = db.session.query(ExportFile).one()
    assert (export.status, export.rows, export.user_id) == ("done", 2, team[1].id)
    note = db.session.query(Notification).filter_by(user_id=team[1].id, event="export").one()
    assert note.url == f"/exports/{export.id}"
    download = client.get(f"/exports/{export.id}")
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert sheet.max_row == 3  # header and Claire's two leads, never Paul's
    accounts.login(client, "boss")
    assert client.get(f"/exports/{export.id}").status_code == 404  # someone else's file


def test_consent_is_exported_as_given_and_an_undated_one_says_so(client, accounts):
    accounts.create("boss", "Responsable")
    make_lead(last_name="Datée", consent_contact=True, consent_at=dt.datetime(2025, 5, 2, 9, 30))
    make_lead(last_name="Inconnue", consent_contact=True, consent_at=None)
    make_lead(last_name="Refus")
    accounts.login(client, "boss")
    header, *rows = csv_rows(client.get("/exports/leads?format=csv-fr"), ";")
    consent = {row[1]: (row[header.index("Consentement")], row[header.index("Consentement le")])
               for row in rows}
    assert consent == {"Datée": ("oui", "02/05/2025 11:30"), "Inconnue": ("oui", "date inconnue"),
                       "Refus": ("non", "")}
    response = client.get("/exports/leads?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = {row[1]: row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Datée"] == dt.datetime(2025, 5, 2, 11, 30)
    assert values["Inconnue"] == "date inconnue"
