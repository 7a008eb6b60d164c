"""Campaign and source figures checked against values computed by hand."""
import datetime as dt
from decimal import Decimal

import pytest

from app.extensions import db
from app.services.stats import performance
from models import Campaign, Lead
from tests.factories import make_source



MARCH = {"first_day": dt.date(2026, 3, 1), "last_day": dt.date(2026, 3, 31)}


@pytest.fixture
def seeded(app):
    salon = make_source("Salon")
    a = Campaign(name="A", platform="google_ads", source=salon, spend=Decimal("300.00"))
    b = Campaign(name="B", platform="meta", source=salon)
    db.session.add_all([a, b])
    db.session.flush()
    created = dt.datetime(2026, 3, 10, 9, 0)

    def lead(campaign, status="new", delay=None, value=None, **extra):
        item = Lead(last_name="L", name_key="l", campaign_id=campaign.id if campaign else None,
                    source_id=salon.id, status=status, created_at=extra.pop("created_at", created),
                    value=value, **extra)
        if delay is not None:
            item.first_contacted_at = item.created_at + dt.timedelta(hours=delay)
        if status == "abandoned":
            item.abandon_reason = "Budget"
        db.session.add(item)
    lead(a, "converted", 1, Decimal("1000"))
    lead(a, "converted", 3, Decimal("500"))
    lead(a, "new", 5)
    lead(a, "abandoned")
    lead(a, "converted", 1, Decimal("9999"), is_test=True)  # a platform's test lead
    lead(a, "new", created_at=dt.datetime(2026, 3, 31, 22, 30))  # 1 April 00:30 in Paris
    lead(b, "in_progress", 2)
    lead(b, "new", 4)
    lead(None, "new")
    db.session.commit()
    return a, b, salon


def test_campaign_figures(seeded):
    a, b, _salon = seeded
    rows = {r["name"]: r for r in performance(db.session, "campaign", **MARCH)}
    assert set(rows) == {"A", "B", None}
    assert (rows["A"]["leads"], rows["A"]["converted"], rows["A"]["new"], rows["A"]["abandoned"]) == (4, 2, 1, 1)
    assert rows["A"]["conversion_rate"] == 0.5 and rows["A"]["spend"] == Decimal("300.00")
    assert rows["A"]["cost_per_lead"] == Decimal("75") and rows["A"]["cost_per_conversion"] == Decimal("150")
    assert rows["A"]["median_first_contact_hours"] == pytest.approx(3.0)
    assert rows["A"]["value"] == Decimal("1500")
    assert rows["B"]["conversion_rate"] == 0.0 and rows["B"]["cost_per_lead"] is None
    assert rows["B"]["median_first_contact_hours"] == pytest.approx(3.0)  # mean of 2 h and 4 h
    assert rows["B"]["cost_per_conversion"] is None


def test_source_figures_add_up_their_campaigns(seeded):
    (row,) = performance(db.session, "source", **MARCH)
    assert row["name"] == "Salon" and row["leads"] == 7 and row["spend"] == Decimal("300.00")
    assert row["conversion_rate"] == pytest.approx(2 / 7)


def test_april_gets_the_lead_of_the_night_of_march_31(seeded):
    (row,) = performance(db.session, "campaign", first_day=dt.date(2026, 4, 1),
                         last_day=dt.date(2026, 4, 30))
    assert (row["name"], row["leads"], row["conversion_rate"]) == ("A", 1, 0.0)
    assert row["median_first_contact_hours"] is None


def test_a_period_without_leads_gives_no_rows(seeded):
    assert performance(db.session, "campaign", first_day=dt.date(2025, 1, 1),
                       last_day=dt.date(2025, 1, 31)) == []


def test_the_performance_screen_links_figures_to_leads(client, accounts, seeded):
    accounts.create("boss", "Responsable")
    accounts.login(client, "boss")
    body = client.get("/performance/?created_from=2026-03-01&created_to=2026-03-31").get_data(as_text=True)
    a = seeded[0]
    assert f"campaign={a.id}" in body and "status=converted" in body
    assert "50,0 %" in body and "75,00\u00a0€" in body and "150,00\u00a0€" in body and "3,0 h" in body
    assert client.get("/performance/?created_from=2026-03-31&created_to=2026-03-01").status_code == 400
    assert client.get("/performance/?by=rep").status_code == 400
    accounts.create("claire", "Commercial")
    accounts.login(client, "claire")
    assert client.get("/performance/").status_code == 403


def test_leads_per_day_week_and_month_in_paris_time(app):
    from app.services.stats import leads_over_time

    for created in (dt.datetime(2026, 3, 28, 23, 30),   # Sunday 29 March 00:30, winter time
                    dt.datetime(2026, 3, 29, 22, 30),   # Monday 30 March 00:30, summer time
                    dt.datetime(2026, 3, 31, 21, 59),   # Tuesday 31 March 23:59
                    dt.datetime(2026, 3, 31, 22, 1)):   # Wednesday 1 April 00:01
        db.session.add(Lead(last_name="L", name_key="l", created_at=created, status="new"))
    db.session.commit()
    days = leads_over_time(db.session, "day")
    assert [(d, n) for d, n, _c in days] == [("2026-03-29", 1), ("2026-03-30", 1),
                                             ("2026-03-31", 1), ("2026-04-01", 1)]
    weeks = leads_over_time(db.session, "week")
    assert [(d, n) for d, n, _c in weeks] == [("2026-03-23", 1), ("2026-03-30", 3)]
    months = leads_over_time(db.session, "month")
    assert [(d, n) for d, n, _c in months] == [("2026-03-01", 3), ("2026-04-01", 1)]


def test_per_rep_figures(app, accounts):
    from app.services.stats import by_rep, funnel

    claire = accounts.create("claire", "Commercial")
    created = dt.datetime(2026, 3, 10, 9)
    for status, delay in (("converted", 2), ("new", None), ("in_progress", 6), ("abandoned", None)):
        lead = Lead(last_name="L", name_key="l", owner_id=claire.id, status=status,
                    created_at=created, abandon_reason="x" if status == "abandoned" else None)
        if delay:
            lead.first_contacted_at = created + dt.timedelta(hours=delay)
        db.session.add(lead)
    db.session.commit()
    (row,) = by_rep(db.session)
    assert (row["leads"], row["converted"], row["untouched"]) == (4, 1, 1)
    assert row["conversion_rate"] == 0.25 and row["median_first_contact_hours"] == pytest.approx(4)
    assert funnel(db.session) == {"converted": 1, "new": 1, "in_progress": 1, "abandoned": 1}


GOOGLE_FR = ("Rapport sur les campagnes\n1 mars 2026 - 31 mars 2026\n"
             "Jour;Campagne;ID de la campagne;Clics;Coût\n"
             "2026-03-01;A;g-123;10;120,50\n"
             "2026-03-02;A;g-123;12;79,50\n"
             "2026-04-01;A;g-123;3;1 000,00\n"
             "2026-03-02;Inconnue;g-999;1;5,00\n"
             "pas une date;A;g-123;1;5,00\n"
             "Total : compte;;;26;1 205,00\n")
META_EN = ("Reporting starts,Reporting ends,Campaign name,Amount spent (EUR)\n"
           "2026-03-05,2026-03-05,B,\"1,234.56\"\n")


def upload(client, name, text):
    import io

    return client.post("/spend/", data={"file": (io.BytesIO(text.encode("utf-8-sig")), name)},
                       content_type="multipart/form-data")


def test_daily_spend_from_google_and_meta_exports(client, accounts, seeded):
    from models import CampaignSpend

    a, b, _salon = seeded
    a.external_id = "g-123"
    db.session.commit()
    accounts.create("marc", "Marketing")
    accounts.login(client, "marc")
    response = upload(client, "google.csv", GOOGLE_FR)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 jour(s) de dépense importé(s)" in page and "Inconnue" in page
    upload(client, "google.csv", GOOGLE_FR)  # again: the same days, replaced
    upload(client, "meta.csv", META_EN)
    assert db.session.query(CampaignSpend).count() == 4
    rows = {r["name"]: r for r in performance(db.session, "campaign", **MARCH)}
    assert rows["A"]["spend"] == Decimal("200.00")  # March only: the April day is out
    assert rows["A"]["cost_per_lead"] == Decimal("50") and rows["B"]["spend"] == Decimal("1234.56")
    (source,) = performance(db.session, "source", **MARCH)
    assert source["spend"] == Decimal("1434.56")


@pytest.mark.parametrize("name, text, status", [
    ("notes.txt", "x", 400),
    ("vide.csv", "Nom;Prénom\nDupont;Jean\n", 400),
])
def test_unusable_spend_files_are_refused(client, accounts, seeded, name, text, status):
    from models import CampaignSpend

    accounts.create("marc", "Marketing")
    accounts.login(client, "marc")
    assert upload(client, name, text).status_code == status
    assert db.session.query(CampaignSpend).count() == 0


def test_amounts_in_every_notation():
    from app.services.spend import parse_amount

    assert parse_amount("1 234,56 €") == Decimal("1234.56")
    assert parse_amount("1,234.56") == Decimal("1234.56")
    assert parse_amount("12,5") == Decimal("12.50") and parse_amount("") is None
