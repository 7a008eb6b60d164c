"""Malformed, hostile and duplicate input: a clear message and a 4xx, never a 500."""
import json

import pytest

from app.extensions import db
from models import Lead
from tests.factories import make_lead


@pytest.fixture
def manager(client, accounts):
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    return client


@pytest.fixture
def api(client, accounts):
    accounts.create("apiuser", "Responsable")
    headers = accounts.token(client, "apiuser")

    def call(method, url, **kwargs):
        return client.open(url, method=method, headers=headers, **kwargs)
    return call


@pytest.mark.parametrize("query, message", [
    ("?psize_LeadView=abc", "Paramètre de pagination invalide"),
    ("?page_LeadView=-1", "Paramètre de pagination invalide"),
    ("?page_LeadView=99999999999999", "Paramètre de pagination invalide"),
    ("?_oc_LeadView=password&_od_LeadView=asc", "Colonne de tri inconnue"),
    ("?status=gagne", "Statut inconnu"),
    ("?source=abc", "Filtre invalide"),
    ("?created_from=32/13/2026", "Date invalide"),
])
def test_lead_list_rejects_bad_parameters(manager, query, message):
    response = manager.get("/leads/list/" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_page_size_is_capped_at_100(manager):
    for _ in range(3):
        make_lead()
    response = manager.get("/leads/list/?psize_LeadView=100000")
    assert response.status_code == 200


def test_page_size_cap_applies_to_generic_lists(app, manager):
    from app.extensions import db as _db
    from models import Source

    _db.session.add_all([Source(name=f"S{i:03d}") for i in range(120)])
    _db.session.commit()
    body = manager.get("/sources/list/?psize_SourceView=100000").get_data(as_text=True)
    assert body.count("/sources/show/") == 100
    assert manager.get("/sources/list/?_flt_7_name=x").status_code in (200, 400)
    assert manager.get("/sources/list/?_oc_SourceView=intake_token&_od_SourceView=asc").status_code == 400


def test_over_long_values_are_refused_on_the_form(manager):
    response = manager.post("/leads/add", data={"last_name": "x" * 300, "status": "new"})
    assert response.status_code == 200
    assert db.session.query(Lead).count() == 0
    assert "100" in response.get_data(as_text=True)


def test_script_in_a_name_is_shown_as_text(manager):
    manager.post("/leads/add", data={"last_name": "<script>alert(1)</script>", "status": "new"})
    lead = db.session.query(Lead).one()
    body = manager.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_unknown_pages_and_ids(manager):
    assert manager.get("/leads/show/999999").status_code == 404
    assert manager.get("/leads/show/abc").status_code == 404
    assert "introuvable" in manager.get("/nulle-part").get_data(as_text=True)


def test_api_duplicate_email_answers_422_with_a_clear_message(api):
    existing = make_lead(email="dup@example.com")
    response = api("POST", "/api/v1/lead/", json={"last_name": "Autre", "email": "Dup@Example.com"})
    assert response.status_code == 422
    body = response.get_json()
    assert "existe déjà" in json.dumps(body, ensure_ascii=False)
    assert body["existing_id"] == existing.id
    assert db.session.query(Lead).count() == 1


@pytest.mark.parametrize("payload, text", [
    ({"last_name": "X", "email": "pas-un-email"}, "Adresse e-mail invalide"),
    ({"last_name": "X", "phone": "12"}, "Numéro de téléphone invalide"),
    ({"last_name": "X", "status": "gagne"}, "Statut inconnu"),
    ({"last_name": "X", "status": "abandoned"}, "raison de l'abandon"),
    ({"first_name": "Sans nom"}, "last_name"),
    ({"last_name": "x" * 500}, "last_name"),
    ({"last_name": "X", "source": 999999}, "source"),
    ({"last_name": "X", "unknown_field": 1}, "unknown_field"),
])
def test_api_invalid_values_answer_422(api, payload, text):
    response = api("POST", "/api/v1/lead/", json=payload)
    assert response.status_code in (400, 422), response.get_json()
    assert text in json.dumps(response.get_json(), ensure_ascii=False)
    assert db.session.query(Lead).count() == 0


def test_api_update_to_a_duplicate_answers_422_without_sql(api):
    make_lead(email="a@example.com")
    other = make_lead(email="b@example.com")
    response = api("PUT", f"/api/v1/lead/{other.id}", json={"email": "a@example.com"})
    assert response.status_code == 422
    text = json.dumps(response.get_json())
    assert "SELECT" not in text and "INSERT" not in text and "UPDATE" not in text
    db.session.refresh(other)
    assert other.email == "b@example.com"


def test_api_not_json_and_broken_json(api):
    assert api("POST", "/api/v1/lead/", data="last_name=X").status_code == 400
    response = api("POST", "/api/v1/lead/", data="{broken", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("q", [
    "(page_size:100000)",
    "(page_size:abc)",
    "(filters:!((col:password,opr:eq,value:x)))",
    "(order_column:password,order_direction:asc)",
    "(order_column:last_name,order_direction:sideways)",
    "not-rison(((",
])
def test_api_list_bad_arguments(api, q):
    for _ in range(2):
        make_lead()
    response = api("GET", "/api/v1/lead/?q=" + q)
    assert response.status_code in (200, 400), (q, response.status_code)
    if response.status_code == 200:
        assert len(response.get_json()["result"]) <= 100


def test_api_page_size_is_capped(app, api):
    from sqlalchemy import insert

    from app.services.demo import lead_rows

    db.session.execute(insert(Lead), list(lead_rows(150, 1, [None], [(None, None)], [], __import__("random").Random(1))))
    db.session.commit()
    response = api("GET", "/api/v1/lead/?q=(page_size:1000)")
    assert response.status_code == 400 or len(response.get_json()["result"]) == 100


def test_api_search_filter(api):
    make_lead(last_name="Lefèvre", email="l@example.com")
    make_lead(last_name="Martin")
    response = api("GET", "/api/v1/lead/?q=(filters:!((col:last_name,opr:search,value:lefe)))")
    assert response.status_code == 200
    assert [r["last_name"] for r in response.get_json()["result"]] == ["Lefèvre"]


def test_bulk_actions_never_redirect_to_another_site(manager):
    lead = make_lead()
    response = manager.post("/leads/bulk", data={"rowid": [str(lead.id)], "operation": "status",
                                                 "status": "in_progress",
                                                 "next": "https://evil.example.org/"})
    assert response.status_code == 302 and "evil.example.org" not in response.headers["Location"]
    assert response.headers["Location"].endswith("/leads/list/")


def test_bulk_action_on_an_unknown_id_changes_nothing(manager):
    lead = make_lead()
    response = manager.post("/leads/bulk", data={"rowid": [str(lead.id), "999999"],
                                                 "operation": "status", "status": "converted"})
    assert response.status_code == 404
    db.session.refresh(lead)
    assert lead.status == "new"


@pytest.mark.parametrize("method, url", [
    ("HEAD", "/groups/action/zzz/1"),
    ("POST", "/permissions/action/zzz/1"),
    ("POST", "/leads/action/zzz/1"),
])
def test_an_unknown_action_is_a_404(client, accounts, method, url):
    accounts.create("root", "Admin")
    accounts.login(client, "root")
    assert client.open(url, method=method).status_code == 404


@pytest.mark.parametrize("screen", ["users", "roles", "groups", "leads"])
def test_an_unknown_bulk_action_is_a_404(client, accounts, screen):
    accounts.create("root", "Admin")
    accounts.login(client, "root")
    response = client.post(f"/{screen}/action_post", data={"action": "zzz", "rowid": ["1"]})
    assert response.status_code == 404


@pytest.mark.parametrize("lead", [2, {"x": 1}, [1], True, "99999999999999999999999"])
def test_a_form_posted_as_json_is_refused_without_error(manager, lead):
    """WTForms reads a JSON body too: its values are numbers, objects and lists."""
    from models import Appointment, Interaction

    for url in ("/appointments/add", "/interactions/add"):
        response = manager.post(url, json={"lead": lead, "title": "x"})
        assert response.status_code == 200
        assert "Choix introuvable ou non autorisé" in response.get_data(as_text=True)
    assert db.session.query(Appointment).count() == db.session.query(Interaction).count() == 0


@pytest.mark.parametrize("opr", ["search", "created_from", "created_to"])
@pytest.mark.parametrize("value", ["5", "!t", "2.5"])
def test_api_filter_values_that_are_not_text_are_refused(api, opr, value):
    col = "last_name" if opr == "search" else "created_at"
    response = api("GET", f"/api/v1/lead/?q=(filters:!((col:{col},opr:{opr},value:{value})))")
    assert response.status_code == 400
    assert f"Filtre invalide : {opr}" in response.get_json()["message"]
