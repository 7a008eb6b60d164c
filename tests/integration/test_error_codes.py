"""Hostile ids, pages, filters and bodies answer a clear 4xx on every model, never a 500
(PostgreSQL raises NumericValueOutOfRange for an integer beyond its range, SQLite an
OverflowError)."""
import pytest

from app.extensions import db
from models import Interaction, Lead
from tests.conftest import make_app
from tests.factories import make_appointment, make_campaign, make_interaction, make_lead, make_source
from tests.integration.test_bad_input import api, manager  # noqa: F401 - fixtures

BIG = "99999999999999999999999"
SCREENS = ["leads", "appointments", "interactions", "sources", "campaigns"]
APIS = ["lead", "appointment", "interaction", "source", "campaign"]


def refused(response, status, text):
    """The answer is `status`, its message says `text` (JSON or page)."""
    body = response.get_json() if response.is_json else response.get_data(as_text=True)
    return response.status_code == status and text in str(body)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("action", ["show", "edit"])
def test_screen_ids_beyond_the_integer_range_are_not_found(manager, screen, action):
    assert manager.get(f"/{screen}/{action}/{BIG}").status_code == 404


@pytest.mark.parametrize("screen", SCREENS)
def test_screen_delete_of_an_id_beyond_the_range_deletes_nothing(manager, screen):
    lead = make_lead()
    assert manager.post(f"/{screen}/delete/{BIG}").status_code in (302, 404)
    assert db.session.get(Lead, lead.id) is not None


def test_custom_routes_take_ids_within_the_range_only(manager):
    assert manager.get(f"/sheet/{BIG}").status_code == 404


@pytest.mark.parametrize("resource", APIS)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_api_ids_beyond_the_integer_range_are_not_found(api, resource, method):
    response = api(method, f"/api/v1/{resource}/{BIG}", json={"note": "x"} if method == "PUT" else None)
    assert response.status_code == 404


@pytest.mark.parametrize("query", [f"?i={BIG}", f"?i={BIG}&back=status%3Dnew"])
def test_sheet_position_beyond_the_range_is_refused(manager, query):
    lead = make_lead()
    response = manager.get(f"/leads/show/{lead.id}{query}")
    assert refused(response, 400, "hors limites")


@pytest.mark.parametrize("query", [f"source={BIG}", f"owner={BIG}", f"campaign={BIG}"])
def test_related_filter_ids_beyond_the_range_are_refused(manager, query):
    assert refused(manager.get("/leads/list/?" + query), 400, "Filtre invalide : " + query[:-24])


@pytest.mark.parametrize("resource", APIS)
def test_api_page_beyond_the_range_is_refused(api, resource):
    for q in (f"(page:{BIG},page_size:10)", "(page:-1)"):
        assert refused(api("GET", f"/api/v1/{resource}/?q={q}"), 400, "Numéro de page invalide")


def test_api_related_values_page_beyond_the_range_is_refused(api):
    response = api("GET", f"/api/v1/interaction/_info?q=(add_columns:(lead:(page:{BIG},page_size:10)))")
    assert refused(response, 400, "Numéro de page invalide")


@pytest.mark.parametrize("resource", ["lead", "source"])
def test_api_deeply_nested_rison_is_refused(api, resource):
    assert refused(api("GET", f"/api/v1/{resource}/?q=" + "(" * 3000), 400, "trop imbriqué")


def test_rison_depth_ignores_brackets_inside_strings(api):
    make_lead(last_name="Dupont")
    response = api("GET", "/api/v1/lead/?q=(filters:!((col:last_name,opr:ct,value:'" + "(" * 60 + "')))")
    assert response.status_code == 200


@pytest.mark.parametrize("resource", ["lead", "interaction"])
def test_api_deeply_nested_json_body_is_refused(api, resource):
    body = "[" * 100_000 + "]" * 100_000
    response = api("POST", f"/api/v1/{resource}/", data=body, content_type="application/json")
    assert refused(response, 400, "JSON invalide")


@pytest.mark.parametrize("value", [{"x": 1}, int(BIG), "abc", [1], True])
def test_api_relation_given_as_anything_but_an_id_is_refused(api, value):
    response = api("POST", "/api/v1/lead/", json={"last_name": "Objet", "status": "new",
                                                   "source": value})
    assert response.status_code == 422
    assert "source" in response.get_json()["errors"]
    assert db.session.query(Lead).count() == 0


def test_api_relation_as_object_refused_on_update_too(api):
    lead = make_lead(last_name="Avant")
    response = api("PUT", f"/api/v1/lead/{lead.id}", json={"last_name": "Après",
                                                            "campaign": {"x": 1}})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).last_name == "Avant"


def test_api_relation_of_another_model_as_object_is_refused(api):
    lead = make_lead()
    response = api("POST", "/api/v1/interaction/", json={"lead": {"id": lead.id}, "kind": "call"})
    assert response.status_code == 422


@pytest.mark.parametrize("resource, column", [("lead", "last_name"), ("source", "name"),
                                              ("campaign", "name")])
def test_api_unknown_filter_operator_is_refused_by_name(api, resource, column):
    response = api("GET", f"/api/v1/{resource}/?q=(filters:!((col:{column},opr:zzz,value:1)))")
    assert refused(response, 400, "Opérateur de filtre inconnu : zzz")


def test_api_filter_value_beyond_the_range_is_refused(api):
    response = api("GET", f"/api/v1/lead/?q=(filters:!((col:source,opr:rel_o_m,value:{BIG})))")
    assert refused(response, 400, "hors limites")


@pytest.mark.parametrize("screen, arg", [("sources", "_flt_99_name"), ("campaigns", "_flt_0_nope"),
                                         ("interactions", "_flt_77_subject"), ("sources", "_flt_x")])
def test_screen_unknown_filter_is_refused_by_name(manager, screen, arg):
    assert refused(manager.get(f"/{screen}/list/?{arg}=x"), 400, f"Filtre inconnu : {arg}")


def test_screen_known_filter_still_works(manager):
    make_source(name="Salon")
    make_source(name="Web")
    body = manager.get("/sources/list/?_flt_0_name=Sal").get_data(as_text=True)
    assert "Salon" in body and ">Web<" not in body


def test_existing_rows_still_answer(api, manager):
    lead = make_lead()
    make_interaction(lead)
    make_appointment(lead)
    make_campaign()
    assert api("GET", f"/api/v1/lead/{lead.id}").status_code == 200
    assert manager.get(f"/leads/show/{lead.id}").status_code == 200


def test_unknown_host_is_refused_with_400(database_url):
    app = make_app(database_url, TRUSTED_HOSTS=["crm.example.com"])
    client = app.test_client()
    for path in ("/login/", "/api/v1/lead/", "/rdv/x"):
        response = client.get(path, headers={"Host": "evil.example.net"})
        assert response.status_code == 400
        assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/login/", headers={"Host": "crm.example.com"}).status_code == 200


@pytest.mark.parametrize("path", ["/users/show/", "/users/edit/", "/roles/show/"])
def test_fab_security_views_do_not_find_impossible_ids(client, accounts, path):
    accounts.create("root", "Admin")
    accounts.login(client, "root")
    assert client.get(path + BIG).status_code == 404


def test_form_with_a_related_id_beyond_the_range_writes_nothing(manager):
    lead = make_lead()
    response = manager.post("/interactions/add", data={"lead": BIG, "kind": "call",
                                                       "subject": "Appel"})
    # The form is shown again with the field's error, as for any unknown choice.
    assert response.status_code == 200
    assert "Choix introuvable ou non autorisé" in response.get_data(as_text=True)
    assert db.session.query(Interaction).count() == 0
    assert db.session.get(Lead, lead.id) is not None


LONG = "9" * 5000  # beyond what Python converts from text (4,300 digits)


@pytest.mark.parametrize("url, status", [
    (f"/leads/show/{LONG}", 404), (f"/sheet/{LONG}", 404), (f"/sources/show/{LONG}", 404),
    (f"/leads/list/?source={LONG}", 400), (f"/sources/list/?_flt_{LONG}_name=x", 400),
])
def test_numbers_too_long_to_convert_are_refused_on_screens(manager, url, status):
    assert manager.get(url).status_code == status


@pytest.mark.parametrize("q", [f"(page:{LONG})", f"(filters:!((col:source,opr:rel_o_m,value:{LONG})))"])
def test_numbers_too_long_to_convert_are_refused_on_the_api(api, q):
    assert refused(api("GET", "/api/v1/lead/?q=" + q), 400, "Nombre trop long")


def test_numbers_too_long_to_convert_are_refused_in_json_bodies(api):
    body = '{"last_name": "x", "status": "new", "source": %s}' % LONG
    response = api("POST", "/api/v1/lead/", data=body, content_type="application/json")
    assert refused(response, 400, "JSON invalide")
    assert db.session.query(Lead).count() == 0
