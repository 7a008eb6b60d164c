"""E-mails to a lead from its sheet: templates with variables, sent by a job through a real SMTP
listener, logged as an outgoing e-mail with its outcome. The leads are professionals, whom
prospecting may reach without opt-in (consent rules: test_sending_consent.py)."""
import email
import email.policy

import pytest

from app.extensions import db
from app.services.lead_mail import render
from models import EmailTemplate, Interaction
from tests.factories import make_appointment, make_lead
from tests.integration.conftest import free_port, use_smtp


@pytest.fixture
def claire(accounts):
    return accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit",
                           email="claire@agence.fr")


def test_an_email_from_the_sheet_is_sent_and_logged(app, client, accounts, claire, smtp):
    use_smtp(app, smtp)
    lead = make_lead(owner=claire, email="marie@exemple.fr", first_name="Marie",
                     professional=True)
    accounts.login(client, "claire")
    response = client.post(f"/sheet/{lead.id}/email", data={
        "subject": "Votre devis", "body": "Bonjour Marie,\nvoici le devis.\n<b>Claire</b>"})
    assert response.status_code == 302
    item = db.session.query(Interaction).one()
    assert (item.kind, item.direction, item.delivery_status) == ("email", "outbound", "sent")
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["marie@exemple.fr"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Votre devis" and message["Reply-To"] == "claire@agence.fr"
    assert "voici le devis" in message.get_body(("plain",)).get_content()
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "E-mail — Votre devis" in body and "Envoyé" in body and "&lt;b&gt;Claire" in body


def test_a_failed_send_is_shown_with_its_reason(app, client, accounts, claire):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    from app.extensions import mail

    mail.init_app(app)
    lead = make_lead(owner=claire, email="marie@exemple.fr", professional=True)
    accounts.login(client, "claire")
    client.post(f"/sheet/{lead.id}/email", data={"subject": "Devis", "body": "Texte"})
    item = db.session.query(Interaction).one()
    assert item.delivery_status == "failed" and "refused" in item.delivery_error.lower()
    assert "Échec de l&#39;envoi" in client.get(f"/leads/show/{lead.id}").get_data(as_text=True)


@pytest.mark.parametrize("form, message", [
    ({"subject": "", "body": "x"}, "obligatoires"),
    ({"subject": "x", "body": " "}, "obligatoires"),
    ({"subject": "x" * 201, "body": "x"}, "trop long"),
])
def test_bad_emails_are_refused(client, accounts, claire, form, message):
    lead = make_lead(owner=claire, email="marie@exemple.fr", professional=True)
    accounts.login(client, "claire")
    response = client.post(f"/sheet/{lead.id}/email", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(Interaction).count() == 0


def test_a_lead_without_email_cannot_be_written_to(client, accounts, claire):
    lead = make_lead(owner=claire, email=None)
    accounts.login(client, "claire")
    response = client.post(f"/sheet/{lead.id}/email", data={"subject": "x", "body": "y"})
    assert response.status_code == 400 and db.session.query(Interaction).count() == 0


def test_templates_fill_in_the_lead_and_the_rep(client, accounts, claire):
    lead = make_lead(owner=claire, email="marie@exemple.fr", first_name="Marie",
                     last_name="Dupont", company="Dupont SA")
    import datetime as dt

    make_appointment(lead, owner=claire, start=dt.datetime(2031, 3, 4, 13, 0))
    text = ("Bonjour {{ prenom }} {{nom}} ({{ societe }}), RDV le {{ prochain_rdv }}. "
            "{{ commercial }} — {{ commercial_email }} {{ inconnue }}")
    assert render(db.session, text, lead, claire) == (
        "Bonjour Marie Dupont (Dupont SA), RDV le 04/03/2031 14:00. "
        "Claire Petit — claire@agence.fr {{ inconnue }}")
    db.session.add(EmailTemplate(name="Relance", subject="Suite à votre demande, {{ prenom }}",
                                 body="Bonjour {{ prenom }}"))
    db.session.commit()
    accounts.login(client, "claire")
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert 'data-subject="Suite à votre demande, Marie"' in body


def test_admins_cannot_save_a_template_with_an_unknown_variable(client, accounts):
    accounts.create("root", "Admin")
    accounts.login(client, "root")
    response = client.post("/email-templates/add", data={
        "name": "Faux", "subject": "Bonjour {{ prénom }}", "body": "{{ age }}", "active": "y"})
    assert response.status_code == 200 and "Variables inconnues" in response.get_data(as_text=True)
    assert db.session.query(EmailTemplate).count() == 0
