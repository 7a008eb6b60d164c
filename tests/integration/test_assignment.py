"""Automatic assignment: rules per source or campaign, weighted round robin, history."""
from collections import Counter

from app.extensions import db
from app.services.assignment import auto_assign, rule_for
from models import AssignmentMember, AssignmentRule, Lead, LeadAssignment
from tests.factories import make_campaign, make_lead, make_source


def rule(name, mode="round_robin", source=None, campaign=None, owner=None, members=()):
    item = AssignmentRule(name=name, mode=mode, source=source, campaign=campaign, owner=owner)
    item.members = [AssignmentMember(user=user, weight=weight, available=available)
                    for user, weight, available in members]
    db.session.add(item)
    db.session.commit()
    return item


def test_weighted_round_robin_skips_absent_and_inactive_reps(app, accounts):
    alice, bob, carl, dora = (accounts.create(n, "Commercial") for n in ("alice", "bob", "carl", "dora"))
    dora.active = False
    source = make_source("Ads")
    rule("Ads", source=source, members=[(alice, 2, True), (bob, 1, True), (carl, 1, False), (dora, 1, True)])
    owners = Counter()
    for _ in range(30):
        lead = make_lead(source=source)
        owners[auto_assign(db.session, lead).username] += 1
    db.session.commit()
    assert owners == {"alice": 20, "bob": 10}
    assert db.session.query(LeadAssignment).count() == 30


def test_the_most_specific_rule_wins(app, accounts):
    rep = accounts.create("rep", "Commercial")
    source = make_source("Ads")
    campaign = make_campaign("Printemps", source)
    everything = rule("Tout", mode="pool")
    by_source = rule("Ads", mode="fixed", source=source, owner=rep)
    by_campaign = rule("Printemps", mode="pool", campaign=campaign)
    assert rule_for(db.session, None, None).id == everything.id
    assert rule_for(db.session, source.id, None).id == by_source.id
    assert rule_for(db.session, source.id, campaign.id).id == by_campaign.id
    assert auto_assign(db.session, make_lead(source=source)).username == "rep"
    assert auto_assign(db.session, make_lead(source=source, campaign=campaign)) is None


def test_a_manager_creating_a_lead_without_rep_triggers_the_rules(client, accounts):
    accounts.create("manon", "Responsable")
    rep = accounts.create("rep", "Commercial")
    source = make_source("Salon")
    rule("Salon", mode="fixed", source=source, owner=rep)
    accounts.login(client, "manon")
    client.post("/leads/add", data={"last_name": "Auto", "status": "new", "source": str(source.id)})
    lead = db.session.query(Lead).one()
    assert lead.owner_id == rep.id
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "Attribué à" in body and "« Salon »" in body  # in the timeline, with its rule


def test_manual_reassignment_is_recorded_with_who_did_it(client, accounts):
    boss = accounts.create("manon", "Responsable")
    alice, bob = accounts.create("alice", "Commercial"), accounts.create("bob", "Commercial")
    lead = make_lead(owner=alice, email="x@exemple.fr", phone=None)
    accounts.login(client, "manon")
    client.post(f"/leads/edit/{lead.id}", data={"last_name": lead.last_name, "email": lead.email,
                                               "status": "new", "owner": str(bob.id)})
    entry = db.session.query(LeadAssignment).one()
    assert (entry.user_id, entry.previous_user_id, entry.assigned_by_id) == (bob.id, alice.id, boss.id)


def test_webhook_and_import_leads_are_assigned(client, runner, accounts, app, tmp_path):
    from models import Source

    rep = accounts.create("rep", "Commercial")
    form = Source(name="Site", kind="web_form")
    db.session.add(form)
    db.session.commit()
    rule("Tout", members=[(rep, 1, True)])
    client.post(f"/webhooks/form/{form.intake_token}", data={"nom": "Web", "email": "w@exemple.fr"})
    app.config["CRM_IMPORT_DIR"] = str(tmp_path)
    path = tmp_path / "f.csv"
    path.write_text("Nom;E-mail\nA;a@exemple.fr\nB;b@exemple.fr\n", encoding="utf-8")
    assert runner.invoke(args=["crm", "import", str(path)]).exit_code == 0
    assert {lead.owner_id for lead in db.session.query(Lead)} == {rep.id}
    assert db.session.query(LeadAssignment).count() == 3
    assert db.session.query(AssignmentMember).one().assigned_count == 3


def test_reps_see_assignment_rules_only_as_history(client, accounts):
    accounts.create("rep", "Commercial")
    accounts.login(client, "rep")
    assert client.get("/assignment-rules/list/").status_code == 403
