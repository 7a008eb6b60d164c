"""Consent through the API is a proof kept as given (issue 13, finding 6): a consent date sent
with a new lead is stored and answered as sent, an edit never rewrites it, and a consent given
without a date is dated by the CRM only at the moment it is given."""
import datetime as dt

import pytest

from app.extensions import db
from models import Lead
from models.base import utcnow


@pytest.fixture
def headers(client, accounts):
    accounts.create("claire", "Commercial")
    return accounts.token(client, "claire")


def test_a_consent_date_sent_with_a_lead_comes_back_unchanged(client, headers):
    response = client.post("/api/v1/lead/", headers=headers, json={
        "last_name": "Morel", "email": "lea.morel@exemple.fr", "consent_contact": True,
        "consent_at": "2026-05-04T10:00:00+02:00"})
    assert response.status_code == 201, response.get_json()
    lead_id = response.get_json()["id"]
    assert db.session.get(Lead, lead_id).consent_at == dt.datetime(2026, 5, 4, 8)
    edited = client.put(f"/api/v1/lead/{lead_id}", headers=headers, json={"note": "Rappeler"})
    assert edited.status_code == 200, edited.get_json()
    shown = client.get(f"/api/v1/lead/{lead_id}", headers=headers).get_json()["result"]
    assert (shown["consent_contact"], shown["consent_at"]) == (True, "2026-05-04T08:00:00+00:00")


def test_an_edit_cannot_rewrite_the_consent_date(client, headers):
    lead_id = client.post("/api/v1/lead/", headers=headers, json={
        "last_name": "Morel", "email": "lea.morel@exemple.fr", "consent_contact": True,
        "consent_at": "2026-05-04T08:00:00Z"}).get_json()["id"]
    response = client.put(f"/api/v1/lead/{lead_id}", headers=headers,
                          json={"consent_at": "2026-11-30T08:00:00Z"})
    assert response.status_code in (400, 422)
    assert db.session.get(Lead, lead_id).consent_at == dt.datetime(2026, 5, 4, 8)


def test_a_consent_given_without_a_date_is_dated_when_given(client, headers):
    before = utcnow().replace(microsecond=0)
    lead_id = client.post("/api/v1/lead/", headers=headers, json={
        "last_name": "Morel", "email": "lea.morel@exemple.fr",
        "consent_contact": True}).get_json()["id"]
    assert db.session.get(Lead, lead_id).consent_at >= before
    undated = client.post("/api/v1/lead/", headers=headers, json={
        "last_name": "Roux", "email": "paul.roux@exemple.fr"}).get_json()["id"]
    assert db.session.get(Lead, undated).consent_at is None
