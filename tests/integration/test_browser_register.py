"""The register of processing in headless Chromium: the admin fills in the controller and DPO,
the page reads at desktop and phone width. Screenshots in artifacts/screenshots/."""
import pytest

from tests.integration.test_browser import live_app, log_in, page, shot  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_the_admin_fills_in_the_register(live_app, page):  # noqa: F811 - fixtures
    log_in(page, live_app, "root")
    page.goto(live_app + "/privacy/register/")
    page.fill("#f-controller_name", "Menuiserie Bérénger")
    page.fill("#f-controller_address", "3 rue des Écoles, 69001 Lyon")
    page.fill("#f-controller_email", "contact@menuiserie.fr")
    page.fill("#f-dpo_name", "Zoé Mercier")
    page.fill("#f-dpo_email", "dpo@menuiserie.fr")
    page.click("#contacts-form button[type=submit]")
    page.wait_for_url("**/privacy/register/")
    assert "Menuiserie Bérénger" in page.inner_text("#register-contacts")
    assert page.is_visible("#register-pdf")
    shot(page, "60-register-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot(page, "61-register-phone")
    # nothing wider than the phone's screen: the tables wrap their text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
