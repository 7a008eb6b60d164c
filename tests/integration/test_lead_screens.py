"""The lead form, list, filters, sorting, search and bulk actions, as a manager uses them."""
import re

from app.extensions import db
from models import Lead
from tests.factories import make_campaign, make_lead, make_source


def manager(client, accounts):
    user = accounts.create("manon", "Responsable", first_name="Manon")
    accounts.login(client, "manon")
    return user


def form(**fields):
    data = {"last_name": "Dupont", "first_name": "Marie", "email": "Marie.Dupont@Exemple.fr",
            "phone": "06 12 34 56 78", "company": "Boulangerie", "status": "new", "note": ""}
    data.update(fields)
    return data


def test_create_lead_normalises_email_and_phone(client, accounts):
    manager(client, accounts)
    source = make_source("Google Ads", "google_ads")
    response = client.post("/leads/add", data=form(source=str(source.id)), follow_redirects=True)
    assert response.status_code == 200
    lead = db.session.query(Lead).one()
    assert (lead.email, lead.phone, lead.source_id) == ("marie.dupont@exemple.fr", "+33612345678", source.id)
    sheet = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "06 12 34 56 78" in sheet and "Boulangerie" in sheet


def test_invalid_email_and_phone_stay_on_the_form_with_messages(client, accounts):
    manager(client, accounts)
    response = client.post("/leads/add", data=form(email="marie@", phone="12"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Adresse e-mail invalide" in body and "Numéro de téléphone invalide" in body
    assert 'value="Dupont"' in body  # what was typed is kept
    assert db.session.query(Lead).count() == 0


def test_duplicate_is_refused_with_a_link_to_the_existing_lead(client, accounts):
    manager(client, accounts)
    existing = make_lead(email="marie.dupont@exemple.fr", last_name="Dupont")
    body = client.post("/leads/add", data=form(phone="")).get_data(as_text=True)
    assert "Un prospect avec cet e-mail existe déjà" in body
    assert f'href="/leads/show/{existing.id}"' in body
    assert db.session.query(Lead).count() == 1


def test_editing_a_lead_keeps_its_own_email(client, accounts):
    manager(client, accounts)
    lead = make_lead(email="keep@example.com", phone="0600000001")
    response = client.post(f"/leads/edit/{lead.id}",
                           data=form(email="keep@example.com", phone="0600000001", status="in_progress"))
    assert response.status_code == 302
    db.session.refresh(lead)
    assert lead.status == "in_progress"


def test_abandoned_without_reason_is_refused_then_accepted(client, accounts):
    manager(client, accounts)
    lead = make_lead()
    body = client.post(f"/leads/edit/{lead.id}", data=form(
        email=lead.email, phone=lead.phone, status="abandoned")).get_data(as_text=True)
    assert "Indiquez la raison de l&#39;abandon" in body or "Indiquez la raison de l'abandon" in body
    client.post(f"/leads/edit/{lead.id}", data=form(email=lead.email, phone=lead.phone,
                                                    status="abandoned", abandon_reason="Budget"))
    db.session.refresh(lead)
    assert (lead.status, lead.abandon_reason) == ("abandoned", "Budget")


def test_conversion_sets_converted_at(client, accounts):
    manager(client, accounts)
    lead = make_lead()
    client.post(f"/leads/edit/{lead.id}", data=form(email=lead.email, phone=lead.phone, status="converted"))
    db.session.refresh(lead)
    assert lead.converted_at is not None


def list_names(client, query=""):
    body = client.get("/leads/list/" + query).get_data(as_text=True)
    return re.findall(r'class="crm-lead-link">([^<]+)<', body)


def test_list_filters_by_status_source_campaign_rep_and_dates(client, accounts):
    boss = manager(client, accounts)
    rep = accounts.create("rep", "Commercial")
    ads = make_source("Ads")
    spring = make_campaign("Printemps", ads)
    make_lead(last_name="Alpha", status="new", source=ads, campaign=spring, owner=rep)
    make_lead(last_name="Bravo", status="converted", owner=boss)
    old = make_lead(last_name="Charlie", status="new")
    old.created_at = old.created_at.replace(year=2020)
    db.session.commit()
    assert list_names(client, "?status=converted") == ["Test Bravo"]
    assert list_names(client, f"?source={ads.id}") == ["Test Alpha"]
    assert list_names(client, f"?campaign={spring.id}") == ["Test Alpha"]
    assert list_names(client, f"?owner={rep.id}") == ["Test Alpha"]
    assert list_names(client, "?created_to=2021-01-01") == ["Test Charlie"]
    assert "Test Charlie" not in list_names(client, "?created_from=2021-01-01")


def test_list_search_by_name_email_and_phone(client, accounts):
    manager(client, accounts)
    make_lead(last_name="Lefèvre", first_name="Élodie", email="elodie@exemple.fr", phone="0698765432")
    make_lead(last_name="Martin")
    assert list_names(client, "?q=lefev") == ["Élodie Lefèvre"]
    assert list_names(client, "?q=ELODIE@") == ["Élodie Lefèvre"]
    assert list_names(client, "?q=06 98 76") == ["Élodie Lefèvre"]
    assert list_names(client, "?q=%25") == []  # a LIKE wildcard is searched literally


def test_search_finds_flagged_duplicates_too(client, accounts):
    """E-mail and phone search reads two partial indexes (live leads, flagged duplicates)."""
    manager(client, accounts)
    make_lead(last_name="Vivant", email="same@exemple.fr", phone="0698765432")
    make_lead(last_name="Doublon", email="same@exemple.fr", phone="0698765432",
              possible_duplicate=True)
    make_lead(last_name="Autre", email="other@exemple.fr", phone="0611223344")
    assert sorted(list_names(client, "?q=same@")) == ["Test Doublon", "Test Vivant"]
    assert sorted(list_names(client, "?q=0698")) == ["Test Doublon", "Test Vivant"]


def test_list_sorts_by_name_both_ways(client, accounts):
    manager(client, accounts)
    for name in ("Bravo", "Alpha", "Charlie"):
        make_lead(last_name=name, first_name="X")
    assert list_names(client, "?_oc_LeadView=last_name&_od_LeadView=asc") == ["X Alpha", "X Bravo", "X Charlie"]
    assert list_names(client, "?_oc_LeadView=last_name&_od_LeadView=desc") == ["X Charlie", "X Bravo", "X Alpha"]


def test_bulk_status_assign_and_delete(client, accounts):
    manager(client, accounts)
    rep = accounts.create("rep", "Commercial")
    a, b = make_lead(), make_lead()
    ids = [str(a.id), str(b.id)]
    client.post("/leads/bulk", data={"rowid": ids, "operation": "status", "status": "in_progress"})
    client.post("/leads/bulk", data={"rowid": ids, "operation": "assign", "owner": str(rep.id)})
    db.session.expire_all()
    assert {(l.status, l.owner_id) for l in db.session.query(Lead)} == {("in_progress", rep.id)}
    response = client.post("/leads/bulk", data={"rowid": ids, "operation": "status", "status": "abandoned"},
                           follow_redirects=True)
    assert "Indiquez la raison de l" in response.get_data(as_text=True)
    db.session.expire_all()
    assert {l.status for l in db.session.query(Lead)} == {"in_progress"}
    client.post("/leads/bulk", data={"rowid": ids, "operation": "delete"})
    assert db.session.query(Lead).count() == 0


def test_count_stops_early_on_big_lists(app, client, accounts):
    manager(client, accounts)
    app.config["CRM_COUNT_LOOKAHEAD"] = 3
    for _ in range(6):
        make_lead()
    body = client.get("/leads/list/?psize_LeadView=2").get_data(as_text=True)
    assert "Plus de 3 résultats" in body
    app.config["CRM_COUNT_LOOKAHEAD"] = 100
    assert "6 résultats" in client.get("/leads/list/").get_data(as_text=True)

