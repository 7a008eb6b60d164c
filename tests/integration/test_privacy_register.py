"""Registre des traitements (RGPD art. 30): built from the configuration, its PDF, the
controller's and DPO's contacts, Admin only."""
import re
import subprocess

import pytest

from app.extensions import db
from app.services.privacy import register as register_service
from models import CalendarAccount, ProcessingRegister, Source

URL = "/privacy/register/"


@pytest.fixture
def admin(client, accounts):
    accounts.create("root", "Admin")
    accounts.login(client, "root")
    return client


def section(page, name):
    """The HTML of one section's table (or paragraph), by its id."""
    found = re.search(rf'id="register-{name}".*?</(table|p|ul)>', page, re.S)
    assert found, f"no section {name}"
    return found.group(0)


def test_the_register_lists_what_is_configured_and_the_transfers_it_implies(app, admin, accounts):
    app.config.update(MAIL_SERVER="smtp.routeur-mail.fr", MAIL_SUPPRESS_SEND=False,
                      CRM_SMS_BACKEND="twilio", CRM_RETENTION_YEARS=2)
    claire = accounts.create("claire", "Commercial")
    db.session.add(CalendarAccount(user_id=claire.id, username="claire", password_secret="x",
                                   server_url="https://nuage.exemple.fr/remote.php/dav/",
                                   calendar_url="https://nuage.exemple.fr/remote.php/dav/c/"))
    db.session.add(Source(name="Publicités Facebook", kind="meta"))
    db.session.commit()
    page = admin.get(URL).get_data(as_text=True)
    recipients = section(page, "recipients")
    for name in ("smtp.routeur-mail.fr", "Twilio Inc.", "nuage.exemple.fr", "Meta Platforms"):
        assert name in recipients
    assert "Google" not in recipients  # no Google Ads source
    transfers = section(page, "transfers")
    assert "Twilio Inc." in transfers and "Meta Platforms" in transfers
    assert "États-Unis" in transfers and "Data Privacy Framework" in transfers
    assert "smtp.routeur-mail.fr" not in transfers  # its country is unknown: "à vérifier"
    assert recipients.count("à vérifier") == 2  # the SMTP and CalDAV hosts
    retention = section(page, "retention")
    assert "2 ans après le dernier contact" in retention  # the setting
    assert "5 ans après le dernier contact" in retention  # the default before the merge
    assert "12 mois" in retention and "90 jours" in retention and "30 jours" in retention
    assert "Prospection commerciale" in section(page, "purposes")
    assert "Utilisateurs du CRM" in section(page, "persons")
    assert "Preuves de consentement" in section(page, "data")


def test_a_crm_with_nothing_outside_says_so(app, admin):
    app.config.update(MAIL_SERVER="localhost")
    page = admin.get(URL).get_data(as_text=True)
    assert "Aucun service extérieur n'est configuré." in page
    assert "Aucun transfert connu hors de l'Union européenne." in page


def test_google_ads_and_a_remote_database_are_listed(app, admin):
    app.config.update(REDIS_URL="redis://redis.hebergeur.fr:6379/0")
    db.session.add(Source(name="Google Ads", kind="google_ads"))
    db.session.commit()
    page = admin.get(URL).get_data(as_text=True)
    assert "Google Ireland Ltd / Google LLC" in section(page, "transfers")
    assert "redis.hebergeur.fr" in section(page, "recipients")


def test_the_admin_enters_the_contacts_and_the_pdf_holds_them(app, admin):
    response = admin.post(URL + "contacts", data={
        "controller_name": "Menuiserie Éloïse Bérénger",
        "controller_address": "3 rue des Écoles, 69001 Lyon",
        "controller_email": "Contact@Menuiserie.fr", "dpo_name": "Zoé Mercier",
        "dpo_email": "dpo@menuiserie.fr", "dpo_phone": "04 78 00 00 00"})
    assert response.status_code == 302
    row = db.session.get(ProcessingRegister, 1)
    assert (row.controller_email, row.dpo_name, row.controller_phone) == (
        "contact@menuiserie.fr", "Zoé Mercier", None)
    contacts = section(admin.get(URL).get_data(as_text=True), "contacts")
    assert "Menuiserie Éloïse Bérénger" in contacts and "dpo@menuiserie.fr" in contacts
    pdf = admin.get(URL + "pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True,
                          check=True).stdout.decode()
    assert "Menuiserie Éloïse Bérénger" in text and "Zoé Mercier" in text
    assert "Registre des traitements" in text and "Durées de conservation" in text


@pytest.mark.parametrize("field, value, message", [
    ("dpo_email", "dpo@", "Adresse e-mail invalide"),
    ("controller_name", "x" * 201, "200 caractères au plus."),
])
def test_bad_contacts_are_refused_and_nothing_is_written(admin, field, value, message):
    response = admin.post(URL + "contacts", data={"controller_name": "Société", field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert 'aria-invalid="true"' in body  # on the field at fault
    assert db.session.query(ProcessingRegister).count() == 0


def test_only_the_admin_sees_the_register(client, accounts):
    for role in ("Commercial", "Responsable", "Marketing"):
        accounts.create(role.lower(), role)
        accounts.login(client, role.lower())
        assert client.get(URL).status_code == 403
        assert client.get(URL + "pdf").status_code == 403
        assert client.post(URL + "contacts", data={"controller_name": "Pirate"}).status_code == 403
    assert db.session.query(ProcessingRegister).count() == 0


def test_a_later_feature_adds_its_data_categories(admin):
    def custom_fields(_session):
        return [{"name": "Champs personnalisés", "detail": "Budget, surface du projet."}]

    register_service.data_categories_from(custom_fields)
    try:
        page = admin.get(URL).get_data(as_text=True)
        assert "Budget, surface du projet." in section(page, "data")
    finally:
        register_service.DATA_CATEGORY_SOURCES.remove(custom_fields)


def test_the_register_speaks_english_too(admin):
    admin.get("/lang/en")
    page = admin.get(URL).get_data(as_text=True)
    assert "Register of processing" in page and "Sales prospecting" in page
    assert "Registre des traitements" not in page
