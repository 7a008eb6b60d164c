"""Custom reports: figures by hand, sharing with roles under each reader's row-level rule,
exports read back, the weekly PDF by e-mail."""
import csv
import datetime as dt
import email
import email.policy
import io
import json

import os
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from app.extensions import db
from app.services.errors import DomainError
from app.services.reports import check_definition, run
from app.services.viewer import Viewer
from app.timezones import crm_zone
from jobs.reports import send_weekly_reports
from models import Campaign, CampaignSpend, Lead, SavedReport, Source
from models.base import utcnow
from tests.factories import make_source
from tests.integration.conftest import use_smtp


@pytest.fixture
def team(accounts):
    boss = accounts.create("boss", "Responsable")
    claire = accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit")
    paul = accounts.create("paul", "Commercial", first_name="Paul", last_name="Roux")
    salon, site = make_source("Salon"), make_source("Site")
    created = utcnow() - dt.timedelta(days=2)
    for owner, source, status, delay in ((claire, salon, "converted", 2), (claire, salon, "new", None),
                                         (claire, site, "in_progress", 6), (paul, salon, "converted", 4),
                                         (paul, site, "new", None)):
        lead = Lead(last_name="L", name_key="l", owner_id=owner.id, source_id=source.id,
                    status=status, created_at=created)
        if delay:
            lead.first_contacted_at = created + dt.timedelta(hours=delay)
        db.session.add(lead)
    db.session.add(Lead(last_name="Ancien", name_key="ancien", owner_id=claire.id, status="new",
                        source_id=salon.id, created_at=utcnow() - dt.timedelta(days=60)))
    db.session.commit()
    return boss, claire, paul


TEAM = Viewer(None, sees_all_leads=True)  # a manager's view: every lead


def today():
    """The CRM's date (Paris), as the report view passes it: not the machine's."""
    return dt.datetime.now(crm_zone()).date()


@pytest.mark.clock
def test_figures_by_source_and_rep(app, team):
    definition = check_definition({"dimensions": ["source", "rep"],
                                   "measures": ["leads", "conversions", "conversion_rate",
                                                "median_contact_hours"], "days": 30})
    titles, rows = run(db.session, definition, today(), TEAM)
    assert titles[:2] == ["Source", "Commercial"]
    table = {(r[0], r[1]): r[2:] for r in rows}
    assert table[("Salon", "Claire Petit")] == [2, 1, 0.5, pytest.approx(2.0)]
    assert table[("Salon", "Paul Roux")] == [1, 1, 1.0, pytest.approx(4.0)]
    assert table[("Site", "Paul Roux")] == [1, 0, 0.0, None]
    assert sum(r[2] for r in rows) == 5  # the 60-day-old lead is outside the 30 days


@pytest.fixture
def spending(team):
    """Campaign A: 300 € entered, 2 leads; campaign B: daily spend (100 € two days ago, 50 €
    forty days ago), 1 lead; both on the source Salon."""
    boss, claire, _paul = team
    salon = db.session.query(Source).filter_by(name="Salon").one()
    a = Campaign(name="A", platform="google_ads", source=salon, spend=Decimal("300"))
    b = Campaign(name="B", platform="meta", source=salon)
    db.session.add_all([a, b])
    db.session.flush()
    day = today() - dt.timedelta(days=2)
    db.session.add_all([CampaignSpend(campaign_id=b.id, day=day, amount=Decimal("100")),
                        CampaignSpend(campaign_id=b.id, day=day - dt.timedelta(days=38),
                                      amount=Decimal("50"))])
    created = utcnow() - dt.timedelta(days=2)
    for campaign in (a, a, b):
        db.session.add(Lead(last_name="C", name_key="c", campaign_id=campaign.id, status="new",
                            source_id=salon.id, owner_id=claire.id, created_at=created))
    db.session.commit()
    return day, claire


@pytest.mark.clock
def test_spend_and_cost_per_lead(app, spending):
    day, claire = spending
    definition = check_definition({"dimensions": ["campaign"],
                                   "measures": ["leads", "spend", "cost_per_lead"], "days": 30})
    table = {r[0]: r[1:] for r in run(db.session, definition, today(), TEAM)[1]}
    assert table["A"] == [2, Decimal("300"), Decimal("150")]
    assert table["B"] == [1, Decimal("100"), Decimal("100")]  # the older day is outside 30 days
    assert table["—"] == [5, None, None]
    by_month = check_definition({"dimensions": ["campaign", "month"], "measures": ["spend"],
                                 "days": 30})
    months = {(r[0], r[1]): r[2] for r in run(db.session, by_month, today(), TEAM)[1]}
    assert months[("B", day.strftime("%m/%Y"))] == Decimal("100")
    assert months[("A", day.strftime("%m/%Y"))] is None  # no dated spend
    by_rep = check_definition({"dimensions": ["rep"], "measures": ["spend"], "days": 30})
    assert {r[1] for r in run(db.session, by_rep, today(), TEAM)[1]} == {None}
    # Run for one rep: the campaigns' spend is not theirs.
    assert {r[2] for r in run(db.session, definition, today(), Viewer(claire.id))[1]} == {None}


@pytest.mark.skipif(not shutil.which("pdftotext") and not os.environ.get("CI"),
                    reason="pdftotext (poppler-utils) not installed")
def test_money_in_exports(client, accounts, spending, tmp_path):
    accounts.login(client, "boss")
    save(client, "Coûts", dimensions=("campaign",), measures=("leads", "spend", "cost_per_lead"))
    report = db.session.query(SavedReport).one()
    rows = list(csv.reader(io.StringIO(client.get(
        f"/reports/{report.id}/export?format=csv-fr").data.decode("utf-8")[1:]), delimiter=";"))
    assert ["A", "2", "300", "150"] in [[cell.rstrip("0").rstrip(",") if "," in cell else cell
                                         for cell in row] for row in rows]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(
        f"/reports/{report.id}/export?format=xlsx").data)).active
    cells = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=3) for r in range(2, 5)}
    assert cells["A"].value == 300 and "€" in cells["A"].number_format
    path = tmp_path / "report.pdf"
    path.write_bytes(client.get(f"/reports/{report.id}/export?format=pdf").data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "300,00 €" in text and "150,00 €" in text and "100,00 €" in text
    assert "300,00\u00a0€" in client.get(f"/reports/{report.id}").get_data(as_text=True)


@pytest.mark.parametrize("raw", [
    {"dimensions": [], "measures": ["leads"]},
    {"dimensions": ["day", "month"], "measures": ["leads"]},
    {"dimensions": ["password"], "measures": ["leads"]},
    {"dimensions": ["source"], "measures": []},
    {"dimensions": ["source"], "measures": ["leads"], "days": "abc"},
    {"dimensions": ["source"], "measures": ["leads"], "days": 0},
])
def test_bad_definitions_are_refused(raw):
    with pytest.raises(DomainError):
        check_definition(raw)


def save(client, name, roles=(), weekly=False, dimensions=("source",),
         measures=("leads", "conversions", "conversion_rate")):
    return client.post("/reports/", data={"action": "save", "name": name, "dimensions": list(dimensions),
                                          "measures": list(measures),
                                          "days": "30", "roles": list(roles),
                                          "weekly": "1" if weekly else ""})


def test_a_shared_report_shows_each_reader_only_their_leads(client, accounts, team):
    accounts.login(client, "boss")
    response = save(client, "Par source", roles=["Commercial"])
    report = db.session.query(SavedReport).one()
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    assert json.loads(report.shared_roles) == ["Commercial"]
    boss_body = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert ">3<" in boss_body  # Salon: three leads for the whole team
    accounts.login(client, "claire")
    claire_body = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert ">2<" in claire_body and ">3<" not in claire_body  # her own two
    accounts.create("marc", "Marketing")
    accounts.login(client, "marc")
    assert client.get(f"/reports/{report.id}").status_code == 404  # not shared with Marketing
    assert client.post(f"/reports/{report.id}/delete").status_code == 404


def test_report_exports_read_back(client, accounts, team):
    accounts.login(client, "boss")
    save(client, "Par source")
    report = db.session.query(SavedReport).one()
    text = client.get(f"/reports/{report.id}/export?format=csv-fr").data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["Source", "Prospects", "Conversions", "Taux de conversion"]
    assert rows[1] == ["Salon", "3", "2", "66,7 %"]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(
        f"/reports/{report.id}/export?format=xlsx").data)).active
    assert sheet["B2"].value == 3 and sheet["D2"].value == pytest.approx(2 / 3)
    assert client.get(f"/reports/{report.id}/export?format=pdf").data.startswith(b"%PDF")
    assert client.get(f"/reports/{report.id}/export?format=doc").status_code == 400


def test_preview_and_bad_forms(client, accounts, team):
    accounts.login(client, "claire")
    body = client.post("/reports/", data={"action": "run", "dimensions": ["status"],
                                          "measures": ["leads"], "days": "30"}).get_data(as_text=True)
    assert "Converti" in body and "Nouveau" in body
    assert client.post("/reports/", data={"action": "run", "dimensions": [], "measures": ["leads"]}).status_code == 400
    assert client.post("/reports/", data={"action": "save", "name": " ", "dimensions": ["status"],
                                          "measures": ["leads"]}).status_code == 400
    assert db.session.query(SavedReport).count() == 0


@pytest.mark.clock
def test_weekly_reports_go_by_email_once_a_week(app, client, accounts, team, smtp):
    use_smtp(app, smtp)
    accounts.login(client, "claire")
    save(client, "Mes sources", weekly=True)
    now = utcnow()
    assert send_weekly_reports(now) == 1
    assert send_weekly_reports(now + dt.timedelta(days=3)) == 0
    assert send_weekly_reports(now + dt.timedelta(days=8)) == 1
    message = email.message_from_bytes(smtp.messages[0].content, policy=email.policy.default)
    assert smtp.messages[0].rcpt_tos == ["claire@example.com"] and "Mes sources" in message["Subject"]
    attachment = next(part for part in message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
