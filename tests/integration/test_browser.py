"""Headless Chromium against a live server: log in, create a lead, find it, open its sheet.
Screenshots are kept in artifacts/screenshots/."""
import json
import os
import shutil
import tempfile
import threading

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from models import BookingPage
from tests.conftest import PASSWORD, Accounts, empty_database, make_app
from tests.factories import make_campaign, make_lead, make_source

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "artifacts", "screenshots")


@pytest.fixture
def live_app(database_url):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI")
        pytest.skip("no Chromium on this machine")
    app = make_app(database_url, WTF_CSRF_ENABLED=True,
                   CRM_IMPORT_DIR=os.path.join(tempfile.mkdtemp(), "imports"))
    with app.app_context():
        empty_database()
        accounts = Accounts(app)
        accounts.create("manon", "Responsable", first_name="Manon", last_name="Leroy")
        accounts.create("root", "Admin", first_name="Root", last_name="Admin")
        rep = accounts.create("claire", "Commercial", first_name="Claire", last_name="Martin")
        ads = make_source("Google Ads", "google_ads")
        make_campaign("Printemps 2026", ads)
        for i, name in enumerate(["Bernard", "Durand", "Moreau", "Petit", "Roux"]):
            make_lead(last_name=name, first_name="Jean", source=ads, owner=rep,
                      status=["new", "in_progress", "converted", "new", "in_progress"][i])
        every_day = {d: "08:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        booking = BookingPage(slug="claire", title="Découverte de l'offre", slot_minutes=30,
                              working_hours=json.dumps(every_day), notice_hours=0,
                              horizon_days=14, place="Visio")
        booking.members = [rep]
        db.session.add(booking)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    os.makedirs(SHOTS, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=fr-FR"])
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        # Every page runs under the real Content-Security-Policy: a refused script, style,
        # frame or connection fails the test.
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if is_csp_violation(msg.text) else None)
        yield page
        browser.close()
        assert errors == [], errors


REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  "CSP violation: " + e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));
"""


def is_csp_violation(text):
    return text.startswith("CSP violation") or "Refused to" in text or "Content Security Policy" in text


def log_in(page, live_app, username, screenshot=None):
    page.goto(live_app + "/login/")
    if screenshot:
        shot(page, screenshot)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(live_app + "/")


def shot(page, name):
    page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=True)


def test_create_find_and_open_a_lead(live_app, page):
    log_in(page, live_app, "manon", screenshot="01-login")
    assert "Bonjour Manon" in page.content()
    shot(page, "02-home")

    page.goto(live_app + "/leads/add")
    page.fill("#last_name", "Lefèvre")
    page.fill("#first_name", "Élodie")
    page.fill("#email", "Elodie.Lefevre@Exemple.fr")
    page.fill("#phone", "06 98 76 54 32")
    page.fill("#company", "Atelier Bois & Co")
    shot(page, "03-lead-form")
    page.click("form#model_form button[type=submit]")
    page.wait_for_url("**/leads/show/**")
    assert "Prospect créé" in page.content()
    shot(page, "04-lead-created")

    page.goto(live_app + "/leads/list/")
    shot(page, "05-lead-list")

    page.fill("#f-q", "lefev")
    page.click("#lead-filters button[type=submit]")
    page.wait_for_url("**q=lefev**")
    rows = page.locator("#lead-table tbody tr")
    assert rows.count() == 1
    assert "elodie.lefevre@exemple.fr" in rows.first.inner_text()
    shot(page, "06-lead-list-filtered")

    page.click("a.crm-lead-link")
    page.wait_for_url("**/leads/show/**")
    content = page.content()
    assert "Élodie Lefèvre" in content and "06 98 76 54 32" in content
    shot(page, "07-lead-sheet")


def test_duplicate_is_shown_on_the_form_with_a_link(live_app, page):
    log_in(page, live_app, "manon")
    page.goto(live_app + "/leads/list/")
    existing_email = page.locator("#lead-table tbody tr").first.locator("a[href^=mailto]").inner_text()
    page.goto(live_app + "/leads/add")
    page.fill("#last_name", "Doublon")
    page.fill("#email", existing_email.upper())
    page.click("form#model_form button[type=submit]")
    page.wait_for_selector("text=Un prospect avec cet e-mail existe déjà")
    assert page.locator(".alert-danger a[href*='/leads/show/']").count() == 1
    shot(page, "08-duplicate-refused")


def test_rep_sees_own_leads_and_bulk_bar(live_app, page):
    log_in(page, live_app, "claire")
    page.goto(live_app + "/leads/list/?status=in_progress")
    assert page.locator("#lead-table tbody tr").count() == 2
    page.check("#check-all")
    assert page.locator("#bulk-count").inner_text() == "2"
    assert page.locator("#bulk-delete").count() == 0  # reps cannot delete
    shot(page, "09-rep-list-bulk")


def test_plan_an_appointment_with_lead_search_and_datetime(live_app, page):
    log_in(page, live_app, "claire")
    page.goto(live_app + "/appointments/list/")
    page.click("a[href*='/appointments/add']")
    assert "Claire Martin" in page.locator("#s2id_owner, #owner + .select2").first.inner_text()
    page.click("#s2id_lead, .select2-selection")  # open the lead picker
    page.keyboard.type("moreau")
    page.wait_for_selector(".select2-results__option:has-text('Jean Moreau')")
    page.click(".select2-results__option:has-text('Jean Moreau')")
    page.fill("#title", "Découverte")
    page.fill("#starts_at", "2026-03-30T10:00")
    page.fill("#ends_at", "2026-03-30T11:00")
    page.fill("#place", "Visio")
    shot(page, "10-appointment-form")
    page.click("form#model_form button[type=submit]")
    page.wait_for_url("**/appointments/list/**")
    row = page.locator("table tbody tr").first.inner_text()
    assert "30/03/2026 10:00" in row and "Jean Moreau" in row
    shot(page, "11-appointment-list")


def test_import_wizard_from_upload_to_result(live_app, page, tmp_path):
    from tests.data.make_samples import sample

    log_in(page, live_app, "manon")
    page.goto(live_app + "/imports/")
    page.set_input_files("#file", sample("leads_excel_fr.csv"))
    shot(page, "12-import-upload")
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/settings")
    assert page.locator("#preview tbody tr").count() == 9
    assert page.locator("#preview .crm-verdict-warned").count() == 3  # kept, with a warning
    shot(page, "13-import-settings")
    page.click("#run-import")
    page.wait_for_url("**/imports/*")
    page.wait_for_selector("#n-created:has-text('4')")
    assert page.locator("#n-warned").inner_text() == "3"
    assert page.locator("#n-rejected").inner_text() == "0"
    shot(page, "14-import-result")


def test_manager_tools_look_right(live_app, page):
    log_in(page, live_app, "manon")
    page.goto(live_app + "/sources/list/")
    page.click("a[href*='/sources/show/']")
    page.wait_for_selector("#integration")
    shot(page, "15-source-integration")
    page.goto(live_app + "/intake/list/")
    shot(page, "16-intake-log")
    page.goto(live_app + "/duplicates/")
    assert page.locator("text=Aucun doublon possible").count() == 1
    shot(page, "17-duplicates")


def test_lead_sheet_call_note_mention_file_and_the_bell(live_app, page, tmp_path):
    # Manon keeps a page open: her bell must change without her reloading it.
    other = page.context.browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    manon = other.new_page()
    log_in(manon, live_app, "manon")
    assert manon.locator(".crm-bell-count").is_hidden()

    log_in(page, live_app, "claire")
    page.goto(live_app + "/leads/list/?q=bernard")
    page.click("a.crm-lead-link")
    page.wait_for_url("**/leads/show/**")
    shot(page, "18-sheet")

    page.select_option("#quick-log select[name=kind]", "call")
    page.fill("#log-duration", "6")
    page.fill("#log-subject", "Joint")
    page.fill("#quick-log textarea[name=summary]", "Intéressé, rappeler jeudi pour le devis.")
    page.click("#quick-log button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "Intéressé, rappeler jeudi" in page.locator(".crm-timeline").inner_text()

    page.click("a[href='#quick-message']")
    page.fill("#quick-message textarea", "@manon peux-tu valider la remise ? <b>urgent</b>")
    page.click("#quick-message button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "<b>urgent</b>" in page.locator(".crm-timeline").inner_text()  # shown as text

    pdf = tmp_path / "devis-bernard.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.click("a[href='#quick-file']")
    page.set_input_files("#quick-file input[type=file]", str(pdf))
    page.click("#quick-file button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert page.locator("text=devis-bernard.pdf").count() >= 1
    shot(page, "19-sheet-after-actions")

    manon.wait_for_selector(".crm-bell-count:has-text('1')", timeout=20_000)  # polled every 15 s
    shot(manon, "20-bell")
    manon.click(".crm-bell a")
    manon.wait_for_url("**/notifications/")
    assert "vous a mentionné sur Jean Bernard" in manon.content()
    shot(manon, "21-notifications")
    other.close()


def test_agenda_create_and_drag(live_app, page):
    log_in(page, live_app, "claire")
    page.goto(live_app + "/agenda/")
    page.wait_for_selector(".fc-timegrid-slot")
    shot(page, "22-agenda-week")
    # Select Wednesday 10:00-11:00 of the week shown (drag over the time grid).
    column = page.locator(".fc-timegrid-col[data-date]").nth(2)
    box = column.bounding_box()
    ten = page.locator(".fc-timegrid-slot-lane[data-time='10:00:00']").bounding_box()
    eleven = page.locator(".fc-timegrid-slot-lane[data-time='11:00:00']").bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, ten["y"] + 2)
    page.mouse.down()
    page.mouse.move(x, eleven["y"] - 2, steps=5)
    page.mouse.up()
    page.wait_for_selector("#agenda-new.in")
    page.click("#agenda-new .select2-selection, #s2id_agenda-lead")
    page.keyboard.type("moreau")
    page.wait_for_selector(".select2-results__option:has-text('Jean Moreau')")
    page.click(".select2-results__option:has-text('Jean Moreau')")
    page.fill("#agenda-title", "Découverte")
    shot(page, "23-agenda-new")
    page.click("#agenda-new-form button[type=submit]")
    event = page.locator(".fc-event:has-text('Jean Moreau')")
    event.wait_for()
    assert "10:00 - 11:00" in event.inner_text()
    # Drag it one hour later (positions measured now: the page may have scrolled).
    page.wait_for_selector(".modal-backdrop", state="detached")
    event.scroll_into_view_if_needed()
    start = event.bounding_box()
    ten = page.locator(".fc-timegrid-slot-lane[data-time='10:00:00']").bounding_box()
    eleven = page.locator(".fc-timegrid-slot-lane[data-time='11:00:00']").bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 10, steps=3)
    page.mouse.move(x, y + (eleven["y"] - ten["y"]), steps=8)
    page.mouse.up()
    page.wait_for_selector(".fc-event:has-text('11:00 - 12:00')")
    shot(page, "24-agenda-moved")


def test_booking_on_a_phone(live_app, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_app + "/rdv/claire")
    shot(page, "25-booking-phone")
    page.locator(".crm-slot span").nth(2).click()
    page.fill("#name", "Marie Dupont")
    page.fill("#email", "marie.dupont@exemple.fr")
    page.fill("#phone", "06 11 22 33 44")
    page.check("input[name=consent]")
    shot(page, "26-booking-filled")
    page.click("button[type=submit]")
    page.wait_for_url("**/rdv/gerer/**")
    assert "C'est réservé" in page.content()
    shot(page, "27-booking-done")


@pytest.mark.parametrize("username, name", [("manon", "28-dashboard-manager"), ("claire", "29-dashboard-rep")])
def test_dashboards_draw_their_charts(live_app, page, username, name):
    log_in(page, live_app, username)
    page.goto(live_app + "/dashboard/")
    page.wait_for_selector("canvas.crm-chart")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 2")
    shot(page, name)


def test_build_and_save_a_report(live_app, page):
    log_in(page, live_app, "manon")
    page.goto(live_app + "/reports/")
    page.check("input[name=dimensions][value=status]")
    page.check("input[name=measures][value=conversion_rate]")
    page.click("button[value=run]")
    page.wait_for_selector("table.crm-report tbody tr")
    page.fill("#r-name", "Statuts du mois")
    page.check("input[name=roles][value=Commercial]")
    page.click("button[value=save]")
    page.wait_for_url("**/reports/*")
    assert "Statuts du mois" in page.content()
    shot(page, "30-report")


def test_main_screens_run_under_the_content_security_policy(live_app, page):
    """Each main screen, walked with the CSP on: the page fixture fails on any refusal."""
    policy = page.request.get(live_app + "/login/").headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    log_in(page, live_app, "root")
    lead_link = None
    for path in ("/", "/leads/list/", "/leads/add", "/agenda/", "/dashboard/", "/imports/",
                 "/reports/", "/sources/list/", "/campaigns/list/", "/appointments/list/",
                 "/interactions/list/", "/notifications/", "/users/list/", "/roles/list/",
                 "/users/add", "/roles/add"):
        page.goto(live_app + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("body").count() == 1
        if path == "/leads/list/":
            lead_link = page.locator("a.crm-lead-link").first.get_attribute("href")
    page.goto(live_app + lead_link)
    page.wait_for_load_state("networkidle")
    shot(page, "csp-lead-sheet")
    page.goto(live_app + "/rdv/claire")
    page.wait_for_load_state("networkidle")
    shot(page, "csp-booking")
