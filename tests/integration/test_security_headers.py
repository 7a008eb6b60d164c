"""Security headers on every response: a CSP without inline script, no framing (except the
booking page for the origins an admin lists), nosniff, referrer and permissions policies,
HSTS in production only."""
import io
import re

import pytest

from tests.conftest import make_app
from tests.factories import make_lead
from tests.integration.test_bad_input import manager  # noqa: F401 - fixture

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


def assert_protected(response):
    csp = directives(response)
    assert csp["script-src"][0] == "'self'" and csp["script-src"][1].startswith("'nonce-")
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in response.headers["Permissions-Policy"]


def test_pages_json_errors_and_static_files_carry_the_headers(manager, client, accounts):
    lead = make_lead()
    for path in ("/", "/leads/list/", f"/leads/show/{lead.id}", "/nulle-part",
                 "/static/appbuilder/js/ab.js", "/rdv/inconnu"):
        response = manager.get(path)
        assert response.status_code in (200, 404), path
        assert_protected(response)
    assert_protected(client.get("/api/v1/lead/", headers=accounts.token(client, "manon")))


def test_the_inline_scripts_carry_this_requests_nonce(manager):
    first, second = manager.get("/leads/list/"), manager.get("/leads/list/")
    nonce = directives(first)["script-src"][1][len("'nonce-"):-1]
    assert nonce != directives(second)["script-src"][1][len("'nonce-"):-1]
    scripts = re.findall(r"<script\b[^>]*>", first.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in tag or 'type="application/json"' in tag
                           for tag in scripts)


def test_attachments_keep_their_sandbox(manager, client, accounts):
    lead = make_lead()
    headers = accounts.token(client, "manon")
    response = client.post(f"/api/v1/sheet/{lead.id}/attachments", headers=headers,
                           data={"file": (io.BytesIO(PDF), "devis.pdf")},
                           content_type="multipart/form-data")
    download = client.get(f"/api/v1/sheet/attachment/{response.get_json()['id']}", headers=headers)
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_booking_page_is_framed_only_by_the_listed_origins(database_url):
    app = make_app(database_url, CRM_BOOKING_FRAME_ANCESTORS=["https://www.example.fr"])
    client = app.test_client()
    booking = client.get("/rdv/inconnu")
    assert directives(booking)["frame-ancestors"] == ["https://www.example.fr"]
    assert "X-Frame-Options" not in booking.headers
    assert_protected(client.get("/login/"))


def test_booking_page_is_not_framed_by_default(client):
    assert_protected(client.get("/rdv/inconnu"))


def test_hsts_in_production_only(client, database_url):
    assert "Strict-Transport-Security" not in client.get("/login/").headers
    production = make_app(database_url, CRM_HSTS_SECONDS=31536000)  # as ProductionConfig
    response = production.test_client().get("/login/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_config_turns_hsts_on():
    from config import ProductionConfig

    assert ProductionConfig.CRM_HSTS_SECONDS >= 31536000
