"""Unsubscribe (issue 14, point 2): every prospecting e-mail carries RFC 2369/8058 headers and a
visible link; the one-click POST and the confirmation page record the withdrawal with its
proof and suppress the address, once; bad, changed or expired links get a French 400 page."""
import datetime as dt
import email
import email.policy
import re

import pytest
import time_machine

from app.extensions import db
from app.services.privacy.suppression import is_suppressed
from app.services.privacy.unsubscribe import make_token
from models import ConsentRecord, Lead
from tests.conftest import Accounts, empty_database, make_app
from tests.factories import make_lead
from tests.integration.conftest import use_smtp
from tests.integration.test_browser import live_app, page, shot  # noqa: F401 - fixtures

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def lead(accounts):
    rep = accounts.create("claire", "Commercial", email="claire@agence.fr")
    return make_lead(owner=rep, email="marie@menuiserie.fr", company="Menuiserie Roux")


def token_of(app, lead):
    return make_token(app.config["SECRET_KEY"], lead.id, "email")


def withdrawals(lead):
    return db.session.query(ConsentRecord).filter_by(lead_id=lead.id, state="withdrawn").all()


def test_the_sheet_email_carries_the_headers_and_the_link_that_unsubscribe(app, client, accounts,
                                                                          lead, smtp):
    use_smtp(app, smtp)
    app.config.update(CRM_BASE_URL="https://crm.exemple.fr",
                      CRM_UNSUBSCRIBE_MAILTO="desinscription@crm.exemple.fr")
    accounts.login(client, "claire")
    client.post(f"/sheet/{lead.id}/email", data={"subject": "Offre", "body": "Bonjour"})
    message = email.message_from_bytes(smtp.messages[0].content, policy=email.policy.default)
    https, mailto = re.fullmatch(r"<([^>]+)>, <([^>]+)>",
                                 " ".join(message["List-Unsubscribe"].split())).groups()
    token = https.rsplit("/", 1)[1]
    assert https == f"https://crm.exemple.fr/desinscription/{token}"
    assert mailto == f"mailto:desinscription+{token}@crm.exemple.fr?subject=unsubscribe"
    assert len(f"desinscription+{token}") <= 64  # an address's local part (RFC 5321)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["X-CRM-Message-Type"] == "prospecting"
    body = message.get_body(("plain",)).get_content()
    assert body.rstrip().endswith(f"Ne plus recevoir nos e-mails : {https}")

    provider = app.test_client()  # a mail provider: no session, no CSRF token
    response = provider.post(f"/desinscription/{token}", data=ONE_CLICK,
                             headers={"User-Agent": "GoogleOneClick/1.0"})
    assert response.status_code == 200 and "Vous êtes désinscrit" in response.get_data(as_text=True)
    (record,) = withdrawals(lead)
    assert (record.channel, record.method, record.ip_address, record.user_agent) == (
        "email", "unsubscribe", "127.0.0.1", "GoogleOneClick/1.0")
    assert is_suppressed(db.session, email="marie@menuiserie.fr")
    assert provider.post(f"/desinscription/{token}", data=ONE_CLICK).status_code == 200
    assert len(withdrawals(lead)) == 1  # idempotent
    # The professional has objected: the sheet refuses the next e-mail.
    assert client.post(f"/sheet/{lead.id}/email",
                       data={"subject": "Offre", "body": "Bonjour"}).status_code == 400
    assert len(smtp.messages) == 1


def test_without_a_mailto_setting_only_the_https_link_is_given(app, client, accounts, lead, smtp):
    use_smtp(app, smtp)
    accounts.login(client, "claire")
    client.post(f"/sheet/{lead.id}/email", data={"subject": "Offre", "body": "Bonjour"})
    message = email.message_from_bytes(smtp.messages[0].content, policy=email.policy.default)
    assert re.fullmatch(r"<http://127\.0\.0\.1:5000/desinscription/[^>]+>",
                        message["List-Unsubscribe"])


def test_the_confirmation_page_then_its_button(app, client, lead):
    token = token_of(app, lead)
    page = client.get(f"/desinscription/{token}").get_data(as_text=True)
    assert '<html lang="fr">' in page and 'name="viewport"' in page
    assert "m•••@menuiserie.fr" in page and "marie@" not in page
    assert f'action="/desinscription/{token}/confirmer"' in page
    assert "Confirmer ma désinscription" in page and withdrawals(lead) == []
    done = client.post(f"/desinscription/{token}/confirmer")
    assert done.status_code == 200 and "Vous êtes désinscrit" in done.get_data(as_text=True)
    assert len(withdrawals(lead)) == 1
    again = client.get(f"/desinscription/{token}").get_data(as_text=True)
    assert "Vous êtes désinscrit" in again and "confirmer" not in again


def test_a_deleted_lead_s_link_says_it_is_done(app, client, lead):
    token = token_of(app, lead)
    db.session.delete(lead)
    db.session.commit()
    assert "Vous êtes désinscrit" in client.get(f"/desinscription/{token}").get_data(as_text=True)
    assert client.post(f"/desinscription/{token}", data=ONE_CLICK).status_code == 200


def _tampered(token):
    value, stamp, signature = token.rsplit(".", 2)
    other_lead = str(int(value.split("-")[0]) + 1) + "-email"
    # The first character: the last one of base64 carries padding bits a change may not touch.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [f"{other_lead}.{stamp}.{signature}", f"{value}.{stamp}.{flipped}", "n-importe-quoi",
            "1-email", token.replace("-email", "-sms")]


def test_changed_or_broken_links_get_a_french_400(app, client, lead):
    for bad in _tampered(token_of(app, lead)):
        for response in (client.get(f"/desinscription/{bad}"),
                         client.post(f"/desinscription/{bad}", data=ONE_CLICK),
                         client.post(f"/desinscription/{bad}/confirmer")):
            assert response.status_code == 400, bad
            assert "lien de désinscription n&#39;est pas valide" in response.get_data(as_text=True)
    assert db.session.query(ConsentRecord).count() == 0


def test_a_one_click_post_without_its_body_is_refused(app, client, lead):
    response = client.post(f"/desinscription/{token_of(app, lead)}", data={"autre": "1"})
    assert response.status_code == 400 and "incomplète" in response.get_data(as_text=True)
    assert withdrawals(lead) == []


def test_links_expire_after_the_configured_time(app, client, lead):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc), tick=False):
        token = token_of(app, lead)
    with time_machine.travel(dt.datetime(2027, 12, 31, 9, 0, tzinfo=dt.timezone.utc)):
        assert client.get(f"/desinscription/{token}").status_code == 200  # under two years
    with time_machine.travel(dt.datetime(2028, 1, 6, 9, 0, tzinfo=dt.timezone.utc)):
        for response in (client.get(f"/desinscription/{token}"),
                         client.post(f"/desinscription/{token}", data=ONE_CLICK)):
            assert response.status_code == 400 and "a expiré" in response.get_data(as_text=True)
    assert withdrawals(lead) == []


def test_csrf_guards_the_page_s_button_but_not_the_one_click_post(database_url, tmp_path):
    app = make_app(database_url, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
                   CRM_UNSUBSCRIBE_RATE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI="memory://",
                   CRM_ATTACHMENT_DIR=str(tmp_path))
    with app.app_context():
        empty_database()
        rep = Accounts(app).create("claire", "Commercial")
        lead = make_lead(owner=rep, email="marie@menuiserie.fr", professional=True)
        token, client = token_of(app, lead), app.test_client()
        assert client.post(f"/desinscription/{token}/confirmer").status_code == 400
        assert withdrawals(lead) == []
        assert client.post(f"/desinscription/{token}", data=ONE_CLICK).status_code == 200
        assert len(withdrawals(lead)) == 1
        # Rate limited per address and route, like the booking page.
        codes = [client.get(f"/desinscription/{token}").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert db.session.get(Lead, lead.id).consent_contact is False


@pytest.mark.browser
def test_the_unsubscribe_page_in_a_browser_on_a_desktop_and_a_phone(database_url, live_app, page):
    with make_app(database_url).app_context() as context:
        lead = db.session.query(Lead).filter_by(last_name="Bernard").one()
        token = token_of(context.app, lead)
    for width, height, name in ((1366, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_app}/desinscription/{token}")
        button = page.get_by_role("button", name="Confirmer ma désinscription")
        assert button.is_visible() and button.bounding_box()["width"] <= width
        shot(page, f"unsubscribe-{name}")
    button.click()  # the real CSRF token of the page
    page.wait_for_selector("text=Vous êtes désinscrit")
    shot(page, "unsubscribe-done-phone")
    page.goto(f"{live_app}/desinscription/{token}x")
    assert "pas valide" in page.content()
    shot(page, "unsubscribe-invalid-phone")
