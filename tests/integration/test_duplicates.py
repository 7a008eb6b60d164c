"""Doublons possibles: listing likely duplicates and merging two leads."""
from app.extensions import db
from app.services.duplicates import likely_duplicates
from app.services.viewer import Viewer
from models import Appointment, Interaction, Lead
from tests.factories import make_appointment, make_interaction, make_lead


def manager(client, accounts):
    user = accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    return user


def test_lists_same_email_phone_and_name_company(client, accounts):
    manager(client, accounts)
    a = make_lead(last_name="Durand", email="d@exemple.fr", phone="0611111111")
    b = make_lead(last_name="Autre", email="d@exemple.fr", phone="0622222222", possible_duplicate=True)
    make_lead(last_name="Petit", first_name="Léa", company="Acme", email="p1@exemple.fr", phone="0633333333")
    make_lead(last_name="Petit", first_name="Léa", company="ACME", email="p2@exemple.fr", phone="0644444444")
    body = client.get("/duplicates/").get_data(as_text=True)
    assert "Même e-mail" in body and "Même nom et même société" in body
    assert f'name="keep" value="{a.id}"' in body and f'name="other" value="{b.id}"' in body


def test_groups_start_from_flagged_leads(client, accounts):
    """Same phone with no live lead left (two flagged), same e-mail as a live lead; a flagged
    lead alone with its values is no group."""
    boss = manager(client, accounts)
    live = make_lead(email="vivant@exemple.fr", phone="0655555555")
    copy = make_lead(email="vivant@exemple.fr", phone="0656565656", possible_duplicate=True)
    first = make_lead(email="a@exemple.fr", phone="0677777777", possible_duplicate=True)
    second = make_lead(email="b@exemple.fr", phone="0677777777", possible_duplicate=True)
    make_lead(email="seul@exemple.fr", phone="0688888888", possible_duplicate=True)
    groups = {(criterion, tuple(lead.id for lead in leads))
              for criterion, leads in likely_duplicates(db.session, Viewer.for_user(db.session, boss.id))}
    assert groups == {("email", (live.id, copy.id)), ("phone", (first.id, second.id))}


def test_merge_moves_history_fills_fields_and_records_the_merge(client, accounts):
    boss = manager(client, accounts)
    keep = make_lead(last_name="Durand", email="d@exemple.fr", phone=None, note="Premier contact")
    other = make_lead(last_name="Durand", email="d@exemple.fr", phone="0611111111", company="Durand SA",
                      note="Vu au salon", possible_duplicate=True)
    make_interaction(other, boss, summary="Appel du salon")
    make_appointment(other, boss, title="RDV salon")
    response = client.post("/duplicates/merge", data={"keep": keep.id, "other": other.id})
    assert response.headers["Location"].endswith(f"/leads/show/{keep.id}")
    db.session.expire_all()
    assert db.session.get(Lead, other.id) is None
    kept = db.session.get(Lead, keep.id)
    assert (kept.phone, kept.company) == ("+33611111111", "Durand SA")
    assert kept.note == "Premier contact\n\nVu au salon"
    assert db.session.query(Appointment).one().lead_id == keep.id
    summaries = [i.summary for i in db.session.query(Interaction).filter_by(lead_id=keep.id)]
    assert "Appel du salon" in summaries and any("Fusion avec le prospect" in s for s in summaries)


def test_merge_refuses_bad_requests(client, accounts):
    manager(client, accounts)
    lead = make_lead()
    assert client.post("/duplicates/merge", data={"keep": lead.id, "other": "x"}).status_code == 400
    assert client.post("/duplicates/merge", data={"keep": lead.id, "other": 999999}).status_code == 404
    body = client.post("/duplicates/merge", data={"keep": lead.id, "other": lead.id},
                       follow_redirects=True).get_data(as_text=True)
    assert "deux prospects différents" in body and db.session.query(Lead).count() == 1


def test_reps_cannot_merge(client, accounts):
    rep = accounts.create("rep", "Commercial")
    a, b = make_lead(owner=rep), make_lead(owner=rep)
    accounts.login(client, "rep")
    assert client.get("/duplicates/").status_code == 403
    assert client.post("/duplicates/merge", data={"keep": a.id, "other": b.id}).status_code == 403
    assert db.session.query(Lead).count() == 2
