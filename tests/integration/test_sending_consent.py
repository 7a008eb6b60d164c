"""Sending obeys consent (issue 14, point 1): prospecting e-mails from the sheet need the
lead's e-mail consent (consumers opt in, professionals may object), checked when written and
again by the job; appointment mails stay allowed and are marked transactional; the phone link
of a lead who may not be canvassed asks for a confirmation."""
import email
import email.policy

import pytest

from app.extensions import db
from app.services.errors import DomainError
from app.services.lead_mail import queue_email
from app.services.privacy.consent import record_consent
from app.services.privacy.sending import MESSAGE_TYPE_HEADER, check_prospecting
from app.services.privacy.suppression import suppress
from jobs.appointments import email_lead
from jobs.lead_mail import send_lead_email
from models import Interaction
from tests.factories import make_appointment, make_lead
from tests.integration.conftest import use_smtp

MAIL = {"subject": "Notre offre", "body": "Bonjour,\nvoici notre offre."}


@pytest.fixture
def claire(accounts):
    return accounts.create("claire", "Commercial", first_name="Claire", last_name="Petit",
                           email="claire@agence.fr")


def parsed(smtp):
    return [email.message_from_bytes(m.content, policy=email.policy.default)
            for m in smtp.messages]


def give(lead, channel, state="given", method="web_form"):
    record_consent(db.session, lead, channel, state, method)
    db.session.commit()


def test_a_consumer_without_consent_gets_no_email_and_the_rep_is_told(app, client, accounts,
                                                                       claire, smtp):
    use_smtp(app, smtp)
    lead = make_lead(owner=claire, email="marie@exemple.fr")
    accounts.login(client, "claire")
    sheet = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "crm-email-refusal" in sheet  # said before anything is typed
    response = client.post(f"/sheet/{lead.id}/email", data=MAIL)
    assert response.status_code == 400
    assert "n&#39;a pas accepté de recevoir nos e-mails" in response.get_data(as_text=True)
    assert db.session.query(Interaction).count() == 0 and smtp.messages == []


def test_a_consumer_who_opted_in_gets_the_email(app, client, accounts, claire, smtp):
    use_smtp(app, smtp)
    lead = make_lead(owner=claire, email="marie@exemple.fr")
    give(lead, "email")
    accounts.login(client, "claire")
    assert "crm-email-refusal" not in client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert client.post(f"/sheet/{lead.id}/email", data=MAIL).status_code == 302
    assert db.session.query(Interaction).one().delivery_status == "sent"
    assert parsed(smtp)[0][MESSAGE_TYPE_HEADER] == "prospecting"


def test_a_professional_is_written_to_until_they_object(app, client, accounts, claire, smtp):
    use_smtp(app, smtp)
    lead = make_lead(owner=claire, email="achats@menuiserie.fr", company="Menuiserie Roux")
    accounts.login(client, "claire")
    assert client.post(f"/sheet/{lead.id}/email", data=MAIL).status_code == 302
    assert len(smtp.messages) == 1
    give(lead, "email", "refused", "api")  # the right to object
    assert client.post(f"/sheet/{lead.id}/email", data=MAIL).status_code == 400
    assert len(smtp.messages) == 1 and db.session.query(Interaction).count() == 1


def test_a_company_name_makes_no_professional_when_the_business_sells_to_consumers(
        app, client, accounts, claire):
    app.config["CRM_COMPANY_IS_B2B"] = False
    lead = make_lead(owner=claire, company="Menuiserie Roux")
    accounts.login(client, "claire")
    assert client.post(f"/sheet/{lead.id}/email", data=MAIL).status_code == 400
    marked = make_lead(owner=claire, company="Menuiserie Roux", professional=True)
    assert client.post(f"/sheet/{marked.id}/email", data=MAIL).status_code == 302


def test_the_suppression_list_stops_a_professional_until_they_consent_again(app, claire):
    lead = make_lead(owner=claire, email="achats@menuiserie.fr", professional=True)
    suppress(db.session, email="Achats@Menuiserie.fr")  # unsubscribed as another lead
    with pytest.raises(DomainError):
        check_prospecting(db.session, lead, "email")
    record_consent(db.session, lead, "email", "given", "oral", user_id=claire.id,
                   note="Redemande la newsletter au salon")
    check_prospecting(db.session, lead, "email")  # a person's latest word wins


def test_the_job_checks_consent_again_before_sending(app, client, accounts, claire, smtp):
    use_smtp(app, smtp)
    lead = make_lead(owner=claire, email="marie@exemple.fr")
    give(lead, "email")
    item = queue_email(db.session, lead, claire, "Notre offre", "Bonjour")
    db.session.commit()
    give(lead, "email", "withdrawn", "unsubscribe")  # between writing and sending
    assert send_lead_email(item.id) is False
    db.session.refresh(item)
    assert item.delivery_status == "blocked" and "n'a pas accepté" in item.delivery_error
    assert smtp.messages == []
    accounts.login(client, "claire")
    assert "Non envoyé" in client.get(f"/leads/show/{lead.id}").get_data(as_text=True)


def test_appointment_mails_are_transactional_and_sent_without_consent(app, claire, smtp):
    use_smtp(app, smtp)
    lead = make_lead(owner=claire, email="marie@exemple.fr")
    give(lead, "email", "withdrawn", "unsubscribe")
    appointment = make_appointment(lead, owner=claire)
    assert email_lead(appointment.id, "booked") is True
    (message,) = parsed(smtp)
    assert message[MESSAGE_TYPE_HEADER] == "transactional"
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "desinscription" not in message.get_body(("plain",)).get_content()


def _phone_links(html):
    return html.count("crm-call-warning"), html.count('href="tel:')


def test_the_phone_link_asks_first_only_without_phone_consent(client, accounts, claire):
    consumer = make_lead(owner=claire, last_name="Particulier")
    consenting = make_lead(owner=claire, last_name="Consentant")
    give(consenting, "phone")
    professional = make_lead(owner=claire, last_name="Pro", company="Menuiserie Roux")
    objecting = make_lead(owner=claire, last_name="Opposant", professional=True)
    give(objecting, "phone", "refused", "api")
    accounts.login(client, "claire")
    for lead, warned in ((consumer, True), (consenting, False), (professional, False),
                         (objecting, True)):
        html = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
        assert ("crm-call-warning" in html) is warned, lead.last_name
        assert ("démarché par téléphone. Appeler quand même" in html) is warned
    listing = client.get("/leads/list/").get_data(as_text=True)
    assert _phone_links(listing) == (2, 4)
    for name, warned in (("Particulier", True), ("Consentant", False), ("Pro", False)):
        row = next(r for r in listing.split("<tr>") if f"Test {name}" in r)
        assert ("crm-call-warning" in row) is warned, name
