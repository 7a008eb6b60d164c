"""French by default, English through the language switch; FAB's French corrected."""


def test_login_page_is_french_by_default(client):
    body = client.get("/login/").get_data(as_text=True)
    assert "Identifiant" in body and "Mot de passe" in body


def test_menus_and_labels_are_french_then_english(client, accounts):
    from tests.factories import make_lead

    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    make_lead()
    body = client.get("/leads/list/").get_data(as_text=True)
    for text in ("Prospects", "Rendez-vous", "Campagnes", "Nom, e-mail ou téléphone", "Créé le"):
        assert text in body
    client.get("/lang/en")
    body = client.get("/leads/list/").get_data(as_text=True)
    for text in ("Leads", "Appointments", "Campaigns", "Name, e-mail or phone", "Created on"):
        assert text in body
    assert "Nom, e-mail ou téléphone" not in body


def test_fab_strings_use_the_corrected_french(client, accounts):
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    from tests.factories import make_source

    source = make_source("Salon")
    body = client.get(f"/sources/show/{source.id}").get_data(as_text=True)
    assert "Détail" in body and ">Detail<" not in body


def test_error_messages_are_translated(client, accounts):
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    client.get("/lang/en")
    body = client.get("/leads/list/?status=zzz").get_data(as_text=True)
    assert "Unknown status: zzz" in body


def test_security_menu_is_french_for_admins(client, accounts):
    accounts.create("root", "Admin")
    accounts.login(client, "root")
    body = client.get("/users/list/").get_data(as_text=True)
    assert "Sécurité" in body and "Utilisateurs" in body


def test_the_lead_sheet_speaks_english_too(client, accounts):
    from tests.factories import make_lead

    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    lead = make_lead()
    client.get("/lang/en")
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "History" in body and "Open reminders" in body and "Historique" not in body
