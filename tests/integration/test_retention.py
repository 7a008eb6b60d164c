"""Retention: the last contact is kept up to date by what the person does (not by what we send),
a notice goes once to the rep and their manager thirty days before, the lead is anonymised
when its period is over, and a contact in between keeps it."""
import datetime as dt
import json

import pytest
import time_machine

from app.extensions import db
from jobs.retention import run_retention
from models import (Interaction, IntakeDelivery, Lead, LeadEvent, Notification, Source,
                    Suppression, UserProfile)
from tests.factories import make_lead
from tests.integration.conftest import use_smtp
from tests.integration.test_lead_stats import stored

T0 = dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.timezone.utc)


def at(moment):
    return time_machine.travel(moment, tick=False)


def naive(moment):
    return moment.replace(tzinfo=None)


@pytest.fixture(autouse=True)
def mail(app, smtp):
    use_smtp(app, smtp)
    return smtp


@pytest.fixture
def team(accounts):
    claire = accounts.create("claire", "Commercial")
    boss = accounts.create("boss", "Responsable")
    db.session.add(UserProfile(user_id=claire.id, manager_id=boss.id))
    db.session.commit()
    return claire, boss


def notices(user):
    return db.session.query(Notification).filter_by(user_id=user.id, event="retention").all()


def test_notice_at_d_minus_30_erasure_at_d_and_a_contact_keeps_the_lead(client, accounts, team,
                                                                         mail):
    claire, boss = team
    with at(T0):
        prospect = make_lead(owner=claire, last_name="Prospect")
        contacted = make_lead(owner=claire, last_name="Recontacte")
        customer = make_lead(owner=claire, last_name="Client", status="converted")
        pool = make_lead(owner=None, last_name="Sans commercial")
    three_years = dt.datetime(2029, 1, 15, 9, 0, tzinfo=dt.timezone.utc)

    with at(three_years - dt.timedelta(days=31)):
        assert run_retention() == {"notices": 0, "erased": 0}
    with at(three_years - dt.timedelta(days=30)):
        assert run_retention() == {"notices": 2, "erased": 0}  # claire and boss, once each
        assert run_retention() == {"notices": 0, "erased": 0}  # never twice
    (notice,) = notices(claire)
    assert f"#{prospect.id}" in notice.title and f"#{contacted.id}" in notice.title
    assert f"#{customer.id}" not in notice.title and "15 janv. 2029" in notice.title
    (to_boss,) = notices(boss)
    assert f"#{pool.id}" in to_boss.title  # a lead without rep: the managers
    assert db.session.query(LeadEvent).filter_by(kind="retention_notice").count() == 3
    assert sorted(m.rcpt_tos[0] for m in mail.messages) == ["boss@example.com", "claire@example.com"]

    with at(three_years - dt.timedelta(days=10)):  # the person calls back
        accounts.login(client, "claire")
        assert client.post(f"/sheet/{contacted.id}/log", data={
            "kind": "call", "direction": "inbound", "summary": "Rappel du client"}).status_code == 302
    figures = stored()
    with at(three_years + dt.timedelta(minutes=1)):
        assert run_retention() == {"notices": 0, "erased": 2}
    assert stored() == figures  # the dashboards do not move
    db.session.expire_all()
    assert db.session.get(Lead, prospect.id).anonymised_at is not None
    assert db.session.get(Lead, pool.id).anonymised_at is not None
    kept = db.session.get(Lead, contacted.id)
    assert kept.anonymised_at is None and kept.last_name == "Recontacte"
    assert kept.last_contact_at == naive(three_years - dt.timedelta(days=10))
    assert db.session.get(Lead, customer.id).anonymised_at is None
    assert db.session.query(Suppression).count() == 0  # nobody objected
    event = db.session.query(LeadEvent).filter_by(lead_id=prospect.id, kind="erased").one()
    assert (event.user_id, event.detail) == (None, "retention")

    five_years = dt.datetime(2031, 1, 15, 9, 0, tzinfo=dt.timezone.utc)
    with at(five_years - dt.timedelta(days=30)):
        assert run_retention()["erased"] == 0
    with at(five_years + dt.timedelta(minutes=1)):
        assert run_retention()["erased"] == 1
    db.session.expire_all()
    assert db.session.get(Lead, customer.id).anonymised_at is not None


def test_a_lead_past_its_period_without_notice_gets_thirty_days(team):
    claire, _boss = team
    with at(T0):
        lead = make_lead(owner=claire)
    late = dt.datetime(2030, 6, 1, tzinfo=dt.timezone.utc)
    with at(late):
        assert run_retention() == {"notices": 2, "erased": 0}
    with at(late + dt.timedelta(days=29)):
        assert run_retention()["erased"] == 0
    with at(late + dt.timedelta(days=30)):
        assert run_retention()["erased"] == 1
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).anonymised_at is not None


def test_dry_run_prints_what_would_go_and_when_and_changes_nothing(runner, team):
    claire, _boss = team
    with at(T0):
        lead = make_lead(owner=claire)
        make_lead(owner=claire, last_name="Recent", last_contact_at=naive(T0) + dt.timedelta(days=400))
    with at(dt.datetime(2028, 12, 20, tzinfo=dt.timezone.utc)):
        result = runner.invoke(args=["crm", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"lead #{lead.id}\t" in result.output and "erased from 2029-01-19" in result.output
    assert "1 lead(s)" in result.output
    assert db.session.query(LeadEvent).count() == 0 and db.session.query(Notification).count() == 0
    with at(dt.datetime(2028, 12, 20, tzinfo=dt.timezone.utc)):
        result = runner.invoke(args=["crm", "tick"])
    assert json.loads(result.output)["retention"] == {"notices": 2, "erased": 0}


def test_what_the_person_does_moves_the_last_contact_and_what_we_send_does_not(
        app, client, accounts, runner, team, tmp_path):
    claire, _boss = team
    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    with at(T0):
        lead = make_lead(owner=claire, email="suivi@exemple.fr", phone="06 55 44 33 22")
    start = naive(T0)

    def last_contact():
        db.session.expire_all()
        return db.session.get(Lead, lead.id).last_contact_at

    with at(T0 + dt.timedelta(days=1)):
        accounts.login(client, "claire")
        for direction in ("outbound", "internal"):
            assert client.post(f"/sheet/{lead.id}/log", data={
                "kind": "email", "direction": direction, "summary": "Devis"}).status_code == 302
        assert client.post(f"/sheet/{lead.id}/email", data={
            "subject": "Devis", "body": "Bonjour"}).status_code in (302, 400)
    assert last_contact() == start

    with at(T0 + dt.timedelta(days=2)):  # a web form sent again by the same person
        form = Source(name="Site web", kind="web_form")
        db.session.add(form)
        db.session.commit()
        assert client.post(f"/webhooks/form/{form.intake_token}", data={
            "nom": "Suivi", "email": "suivi@exemple.fr", "crm_website": ""}).status_code == 200
    assert db.session.query(IntakeDelivery).one().status == "duplicate"
    assert last_contact() == start + dt.timedelta(days=2)

    with at(T0 + dt.timedelta(days=3)):  # a file bringing them again (skipped duplicate)
        path = tmp_path / "salon.csv"
        path.write_text("Nom;Téléphone\nSuivi;06 55 44 33 22\n", encoding="utf-8")
        assert runner.invoke(args=["crm", "import", str(path)]).exit_code == 0
    assert last_contact() == start + dt.timedelta(days=3)

    with at(T0 + dt.timedelta(days=4)):  # an inbound interaction dated earlier moves nothing back
        db.session.add(Interaction(lead_id=lead.id, kind="call", direction="inbound",
                                   occurred_at=start + dt.timedelta(days=1)))
        db.session.commit()
    assert last_contact() == start + dt.timedelta(days=3)
