"""What the contract run found, one test each: the error body, 401 for a bad token, defaults of
omitted fields, `_info` without the catalogue header, the lead sheet callable from the document."""
import pytest

from tests.factories import make_lead, make_source


@pytest.fixture
def admin(client, accounts):
    accounts.create("root", "Admin")
    return accounts.token(client, "root")


def _spec(client, headers):
    return client.get("/api/v1/_openapi", headers=headers).get_json()


def test_a_bad_or_missing_token_answers_401_in_french(client, admin):
    for headers in ({"Authorization": "Bearer abc"}, {"Authorization": "Bearer a.b.c"}, {}):
        response = client.get("/api/v1/lead/", headers=headers)
        assert response.status_code == 401, headers
        assert set(response.get_json()) == {"message"}
        assert "jeton" in response.get_json()["message"]


def test_every_refusal_has_one_body_a_french_message_and_errors_by_field(client, admin):
    response = client.post("/api/v1/interaction/", headers=admin, json={"kind": "call"})
    assert response.status_code == 422
    body = response.get_json()
    assert isinstance(body["message"], str) and "invalides" in body["message"]
    assert set(body["errors"]) == {"lead"}  # occurred_at takes its default (now)
    response = client.post("/api/v1/security/login", json={"username": "root"})
    assert response.status_code == 400 and isinstance(response.get_json()["message"], str)
    assert "password" in response.get_json()["errors"]


def test_a_duplicate_answers_409(client, admin):
    make_source("Salon")
    response = client.post("/api/v1/source/", headers=admin, json={"name": "Salon"})
    assert response.status_code == 409
    assert "existe déjà" in response.get_json()["message"]


def test_an_omitted_field_takes_its_default(client, accounts, admin):
    lead = make_lead(owner=accounts.create("claire", "Commercial"))
    response = client.post("/api/v1/appointment/", headers=admin, json={
        "lead": lead.id, "starts_at": "2030-03-02T09:00:00", "ends_at": "2030-03-02T10:00:00"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["result"]["status"] == "planned"
    body = _spec(client, admin)["components"]["schemas"]["AppointmentApi.post"]
    assert body["properties"]["status"]["default"] == "planned"
    assert body["properties"]["status"]["enum"][:2] == ["planned", "confirmed"]


def test_info_describes_fields_without_the_catalogue_header(client, admin):
    info = client.get("/api/v1/lead/_info", headers=admin).get_json()
    assert isinstance(info["add_columns"], list)
    assert all(field["description"] == "" for field in info["add_columns"])
    spec = _spec(client, admin)
    answer = spec["paths"]["/api/v1/lead/_info"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]["properties"]["add_columns"]
    assert schema["type"] == "array"
    assert "Project-Id-Version" not in str(spec)


def test_the_lead_sheet_can_be_called_from_the_document(client, admin):
    paths = _spec(client, admin)["paths"]
    notes = paths["/api/v1/sheet/{pk}/notes"]["post"]
    assert [p["name"] for p in notes["parameters"] if p["in"] == "path"] == ["pk"]
    assert [p["name"] for p in notes["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert notes["requestBody"]["content"]["application/json"]["schema"]["required"] == ["body"]
    upload = paths["/api/v1/sheet/{pk}/attachments"]["post"]["requestBody"]["content"]
    assert "file" in upload["multipart/form-data"]["schema"]["properties"]
    for operations in paths.values():
        for operation in operations.values():
            assert {"400", "401"} <= set(operation["responses"])
