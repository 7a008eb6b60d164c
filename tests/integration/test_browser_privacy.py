"""Headless Chromium: the DPO's Demandes RGPD screen, at desktop and phone width. Screenshots
are kept in artifacts/screenshots/ (privacy-*.png)."""
import json

import pytest

from tests.integration.test_browser import live_app, log_in, page, shot  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _add_lead(page, live_app):
    page.goto(live_app + "/leads/add")
    page.fill("#last_name", "Lefèvre")
    page.fill("#first_name", "Élodie")
    page.fill("#email", "elodie.lefevre@exemple.fr")
    page.fill("#phone", "06 98 76 54 32")
    page.click("form#model_form button[type=submit]")
    page.wait_for_url("**/leads/show/**")


def test_find_export_record_a_request_and_erase_a_person(live_app, page):  # noqa: F811
    log_in(page, live_app, "root")
    _add_lead(page, live_app)
    page.goto(live_app + "/privacy/")
    assert "Demandes RGPD" in page.content()
    page.fill("#search-email", "Elodie.Lefevre@Exemple.fr")
    page.click("#privacy-search button[type=submit]")
    page.wait_for_url("**/privacy/person?**")
    content = page.content()
    assert "Données détenues : elodie.lefevre@exemple.fr" in content and "Lefèvre" in content
    shot(page, "privacy-01-person-desktop")

    with page.expect_download() as info:
        page.click("#download-json")
    with open(info.value.path(), encoding="utf-8") as handle:
        data = json.load(handle)
    assert [(lead["last_name"], lead["phone"]) for lead in data["leads"]] == [
        ("Lefèvre", "+33698765432")]

    page.select_option("#request-kind", "access")
    page.click("#new-request button[type=submit]")
    page.wait_for_url(live_app + "/privacy/")
    content = page.content()
    assert "enregistrée : réponse attendue avant le" in content and "jour(s) restant(s)" in content
    shot(page, "privacy-02-requests-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "privacy-03-requests-phone")
    page.goto(live_app + "/privacy/person?email=elodie.lefevre%40exemple.fr")
    shot(page, "privacy-04-person-phone")

    page.goto(live_app + "/privacy/")
    page.fill("textarea[name=note]", "Données envoyées par e-mail")
    page.click(".crm-close-request button[type=submit]")
    page.wait_for_url(live_app + "/privacy/")
    assert "close." in page.content() and "Traitée" in page.content()

    # Then the person asks to be erased: from their page, with the typed confirmation.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_app + "/privacy/person?email=elodie.lefevre%40exemple.fr")
    page.click("a.btn-danger:has-text('Effacer (RGPD)')")
    page.wait_for_url("**/privacy/erase/**")
    shot(page, "privacy-05-erase-desktop")
    page.click("form button.btn-danger[type=submit]")  # the word is required: nothing happens
    assert "/privacy/erase/" in page.url
    page.fill("#confirm", "EFFACER")
    page.click("form button.btn-danger[type=submit]")
    page.wait_for_url("**/privacy/person?**")
    content = page.content()
    assert "Prospect effacé" in content and "Lefèvre" not in content
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "privacy-06-after-erasure-phone")
