"""The lead sheet: timeline, quick actions, notes and mentions, status and rep changes,
previous / next, and the row-level rule on every action."""
import datetime as dt

import pytest

from app.extensions import db
from models import (Interaction, Lead, LeadEvent, LeadNote, Notification, Reminder,
                    STATUS_IN_PROGRESS)
from models.base import utcnow
from tests.factories import make_appointment, make_interaction, make_lead


@pytest.fixture
def team(accounts, client):
    boss = accounts.create("boss", "Responsable", first_name="Bea")
    claire = accounts.create("claire", "Commercial", first_name="Claire")
    paul = accounts.create("paul", "Commercial", first_name="Paul")
    return boss, claire, paul


def test_the_sheet_shows_the_whole_history(client, accounts, team):
    boss, claire, _paul = team
    lead = make_lead(owner=claire, last_name="Martin")
    make_interaction(lead, user=claire, summary="Intéressée par l'offre")
    make_appointment(lead, owner=claire, title="Démo", minutes="Compte rendu de la démo")
    db.session.add(LeadNote(lead_id=lead.id, author_id=boss.id, body="Cliente importante"))
    db.session.commit()
    accounts.login(client, "boss")
    client.post(f"/sheet/{lead.id}/status", data={"status": "in_progress"})
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    for text in ("Intéressée par l&#39;offre", "Démo", "Compte rendu de la démo",
                 "Cliente importante", "Statut : Nouveau → En cours", "Prospect créé"):
        assert text in body, text
    # Newest first: the status change (now) comes before the 2026-03 interaction.
    assert body.index("Statut : Nouveau") < body.index("Intéressée")


def test_logging_a_call_dates_the_first_contact(client, accounts, team):
    _boss, claire, _paul = team
    lead = make_lead(owner=claire)
    accounts.login(client, "claire")
    response = client.post(f"/sheet/{lead.id}/log", data={
        "kind": "call", "direction": "outbound", "subject": "Joint", "duration_minutes": "7",
        "summary": "Rappeler jeudi"})
    assert response.status_code == 302
    db.session.refresh(lead)
    call = db.session.query(Interaction).one()
    assert (call.kind, call.duration_minutes, call.user_id) == ("call", 7, claire.id)
    assert lead.first_contacted_at == call.occurred_at and lead.status == STATUS_IN_PROGRESS


@pytest.mark.parametrize("form, message", [
    ({"kind": "fax"}, "Type d&#39;interaction inconnu"),
    ({"kind": "call", "duration_minutes": "-3"}, "Durée invalide"),
    ({"kind": "call", "occurred_at": "hier"}, "Date et heure invalides"),
    ({"kind": "call", "occurred_at": "2026-03-29T02:30"}, "existe pas"),
    ({"kind": "call", "direction": "sideways"}, "Sens inconnu"),
])
def test_a_bad_quick_log_is_refused_and_writes_nothing(client, accounts, team, form, message):
    lead = make_lead(owner=team[1])
    accounts.login(client, "claire")
    response = client.post(f"/sheet/{lead.id}/log", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.query(Interaction).count() == 0


def test_notes_show_html_as_text_and_mentions_notify(client, accounts, team):
    boss, claire, paul = team
    lead = make_lead(owner=claire, last_name="Martin")
    accounts.login(client, "claire")
    client.post(f"/sheet/{lead.id}/note", data={
        "kind": "message", "body": "@boss peux-tu voir ? <script>alert(1)</script>\n"
                                   "@paul aussi. https://exemple.fr/devis?id=1"})
    note = db.session.query(LeadNote).one()
    assert note.kind == "message"
    # Paul cannot open Claire's lead: he is not told about it.
    assert [m.user_id for m in note.mentions] == [boss.id]
    notification = db.session.query(Notification).one()
    assert notification.user_id == boss.id and "Claire" in notification.title
    assert notification.url.endswith(f"/leads/show/{lead.id}#note-{note.id}")
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in body and "<script>alert(1)" not in body
    assert '<a href="https://exemple.fr/devis?id=1" rel="noopener noreferrer nofollow"' in body
    accounts.login(client, "boss")
    assert client.get("/notifications/count").get_json() == {"unread": 1}


def test_an_empty_or_oversized_note_is_refused(client, accounts, team):
    lead = make_lead(owner=team[1])
    accounts.login(client, "claire")
    assert client.post(f"/sheet/{lead.id}/note", data={"body": "   "}).status_code == 400
    assert client.post(f"/sheet/{lead.id}/note", data={"body": "x" * 10_001}).status_code == 400
    assert client.post(f"/sheet/{lead.id}/note", data={"body": "ok", "kind": "x"}).status_code == 400
    assert db.session.query(LeadNote).count() == 0


def test_status_in_one_click_and_abandon_needs_a_reason(client, accounts, team):
    lead = make_lead(owner=team[1])
    accounts.login(client, "claire")
    response = client.post(f"/sheet/{lead.id}/status", data={"status": "abandoned"})
    assert response.status_code == 400 and "raison" in response.get_data(as_text=True).lower()
    db.session.refresh(lead)
    assert lead.status == "new" and db.session.query(LeadEvent).count() == 0
    client.post(f"/sheet/{lead.id}/status", data={"status": "abandoned", "abandon_reason": "Budget"})
    db.session.refresh(lead)
    event = db.session.query(LeadEvent).one()
    assert lead.status == "abandoned" and event.detail == "new>abandoned"
    assert event.user_id == team[1].id


def test_a_manager_reassigns_from_the_sheet_and_a_rep_cannot(client, accounts, team):
    boss, claire, paul = team
    lead = make_lead(owner=claire)
    accounts.login(client, "claire")
    assert client.post(f"/sheet/{lead.id}/reassign", data={"owner": paul.id}).status_code == 403
    accounts.login(client, "boss")
    assert client.post(f"/sheet/{lead.id}/reassign", data={"owner": paul.id}).status_code == 302
    db.session.refresh(lead)
    assert lead.owner_id == paul.id
    assert db.session.query(Notification).filter_by(user_id=paul.id, event="assigned").count() == 1
    assert client.post(f"/sheet/{lead.id}/reassign", data={"owner": "abc"}).status_code == 400


def test_previous_and_next_follow_the_list(client, accounts, team):
    leads = [make_lead(last_name=f"Nom{i}", status="new") for i in range(3)]
    make_lead(last_name="Autre", status="converted")
    accounts.login(client, "boss")
    back = "status=new&_oc_LeadView=last_name&_od_LeadView=asc"
    listing = client.get(f"/leads/list/?{back}").get_data(as_text=True)
    assert f"/leads/show/{leads[1].id}?back=status%3Dnew%26_oc_LeadView%3Dlast_name" in listing
    assert f"/leads/show/{leads[1].id}?back=" in listing and "&amp;i=1" in listing
    body = client.get(f"/leads/show/{leads[1].id}?back={back.replace('&', '%26')}&i=1").get_data(as_text=True)
    assert f"/leads/show/{leads[0].id}?back=" in body and f"/leads/show/{leads[2].id}?back=" in body
    body = client.get(f"/leads/show/{leads[2].id}?back={back.replace('&', '%26')}&i=2").get_data(as_text=True)
    assert f"/leads/show/{leads[1].id}?back=" in body and "Prospect suivant" not in body
    # A position that no longer matches the list gives no links, not a wrong lead.
    body = client.get(f"/leads/show/{leads[2].id}?back={back.replace('&', '%26')}&i=0").get_data(as_text=True)
    assert "Prospect précédent" not in body
    assert client.get(f"/leads/show/{leads[0].id}?back=status%3Dzzz&i=0").status_code == 400


SHEET_ACTIONS = [
    ("log", {"kind": "call"}),
    ("note", {"body": "bonjour"}),
    ("remind", {"due_at": "2030-01-01T10:00", "what": "rappeler"}),
    ("email", {"subject": "Bonjour", "body": "Texte"}),
    ("status", {"status": "in_progress"}),
]


@pytest.mark.parametrize("action, form", SHEET_ACTIONS)
def test_a_rep_cannot_act_on_another_reps_lead(client, accounts, team, action, form):
    _boss, claire, _paul = team
    theirs = make_lead(owner=claire, email="x@exemple.fr")
    accounts.login(client, "paul")
    assert client.post(f"/sheet/{theirs.id}/{action}", data=form).status_code == 404
    assert client.get(f"/leads/show/{theirs.id}").status_code == 404
    assert db.session.query(Interaction).count() + db.session.query(LeadNote).count() \
        + db.session.query(Reminder).count() + db.session.query(LeadEvent).count() == 0


def test_marketing_reads_the_sheet_without_its_forms(client, accounts, team):
    accounts.create("marc", "Marketing")
    lead = make_lead(owner=team[1])
    accounts.login(client, "marc")
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "Historique" in body and 'action="/sheet/' not in body
    assert client.post(f"/sheet/{lead.id}/note", data={"body": "x"}).status_code in (302, 403)
    assert db.session.query(LeadNote).count() == 0


def test_the_sheet_of_a_lead_with_500_entries_renders(client, accounts, team):
    claire = team[1]
    lead = make_lead(owner=claire)
    now = utcnow()
    db.session.add_all(Interaction(lead_id=lead.id, kind="call", direction="outbound",
                                   occurred_at=now - dt.timedelta(hours=i), user_id=claire.id,
                                   summary=f"Appel {i}") for i in range(500))
    db.session.commit()
    accounts.login(client, "claire")
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert body.count('class="crm-entry ') == 501  # 500 calls and the arrival
    assert db.session.query(Lead).count() == 1


def test_an_undated_consent_reads_date_inconnue_after_any_edit(client, accounts):
    """An imported consent without a date (its record) stays undated whatever the edit."""
    from app.services.privacy.consent import record_consent

    accounts.create("manon", "Responsable")
    lead = make_lead(email="x@exemple.fr", phone=None)
    record_consent(db.session, lead, "email", "given", "import", import_batch_id=1, import_row=2)
    db.session.commit()
    accounts.login(client, "manon")
    client.post(f"/leads/edit/{lead.id}", data={"last_name": "Renommé", "email": lead.email,
                                               "status": "new", "consent_contact": "y"})
    db.session.expire_all()
    assert (db.session.get(Lead, lead.id).last_name, db.session.get(Lead, lead.id).consent_at,
            db.session.get(Lead, lead.id).consent_contact) == ("Renommé", None, True)
    block = client.get(f"/leads/show/{lead.id}").get_data(as_text=True).split('id="consentements"')[1]
    assert "Donné" in block and "date inconnue" in block
