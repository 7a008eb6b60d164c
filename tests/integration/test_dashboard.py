"""The dashboard: team figures for managers, their own for reps, bad filters refused."""
import datetime as dt

import pytest

from models.base import utcnow
from tests.factories import make_lead


@pytest.fixture
def team(accounts):
    boss = accounts.create("boss", "Responsable")
    claire = accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit")
    paul = accounts.create("paul", "Commercial", first_name="Paul", last_name="Roux")
    now = utcnow()
    for owner, status in ((claire, "converted"), (claire, "new"), (paul, "new")):
        make_lead(owner=owner, status=status, created_at=now - dt.timedelta(days=1))
    return boss, claire, paul


@pytest.mark.clock
def test_managers_see_the_team(client, accounts, team):
    accounts.login(client, "boss")
    body = client.get("/dashboard/").get_data(as_text=True)
    assert "Claire Petit" in body and "Paul Roux" in body and "Par commercial" in body
    assert "vendor/chartjs-4.5.1/chart.umd.min.js" in body and "//cdn" not in body
    assert "50,0 %" in body  # Claire converted one of two


@pytest.mark.clock
def test_reps_see_their_own_leads_and_their_day(client, accounts, team):
    accounts.login(client, "paul")
    body = client.get("/dashboard/?owner=%d" % team[1].id).get_data(as_text=True)
    assert "Ma journée" in body and "Par commercial" not in body
    assert "Claire Petit" not in body
    assert "&#34;data&#34;: [1]" in body or '"data": [1]' in body  # one lead: his


@pytest.mark.parametrize("query", ["created_from=hier", "unit=year", "source=abc",
                                   "created_from=2026-05-01&created_to=2026-04-01"])
def test_bad_filters_answer_400(client, accounts, team, query):
    accounts.login(client, "boss")
    assert client.get(f"/dashboard/?{query}").status_code == 400
