"""Notifications: the bell and its list, each user's channels, the e-mail copy through a real
SMTP listener, and SMS through a local server that checks requests as Twilio does."""
import base64
import email
import email.policy
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.extensions import db
from app.services.notifications import chosen_channels, notify
from app.services.sms import SmsError, send_sms
from jobs.notifications import deliver
from models import Notification, NotificationPreference, UserProfile
from tests.factories import make_lead
from tests.integration.conftest import send_json, use_smtp

SID, TOKEN, SENDER = "AC" + "1" * 32, "secret-token", "+33700000000"


class TwilioLike(BaseHTTPRequestHandler):
    """Answers like Twilio's Messages resource: basic auth with the account SID and auth
    token, form-encoded To/From/Body, 201 with the message's sid, JSON errors otherwise."""
    received = []

    def _reply(self, status, body):
        send_json(self, status, body)

    def do_POST(self):  # noqa: N802 - http.server's naming
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if self.path != f"/2010-04-01/Accounts/{SID}/Messages.json":
            return self._reply(404, {"code": 20404, "message": "Not found", "status": 404})
        if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return self._reply(400, {"code": 20001, "message": "Bad content type", "status": 400})
        form = dict(urllib.parse.parse_qsl(
            self.rfile.read(int(self.headers["Content-Length"])).decode()))
        if not form.get("To", "").startswith("+") or not form.get("Body"):
            return self._reply(400, {"code": 21211, "message": "Invalid 'To' Phone Number",
                                     "status": 400})
        self.received.append(form)
        return self._reply(201, {"sid": "SM" + "a" * 32, "status": "queued", "to": form["To"]})

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(app):
    TwilioLike.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), TwilioLike)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(CRM_SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN,
                      TWILIO_FROM=SENDER,
                      CRM_SMS_API_URL=f"http://127.0.0.1:{server.server_address[1]}")
    yield TwilioLike.received
    server.shutdown()


@pytest.fixture
def claire(accounts):
    return accounts.create("claire", "Commercial", first_name="Claire")


def ping(user_id, event="mentioned"):
    item = notify(db.session, user_id, event, lambda: "Bea vous a mentionné", url="/leads/show/1")
    db.session.commit()
    return item


def test_bell_count_list_and_mark_read(client, accounts, claire):
    paul = accounts.create("paul", "Commercial")
    first, second = ping(claire.id), ping(claire.id)
    theirs = ping(paul.id)
    accounts.login(client, "claire")
    assert client.get("/notifications/count").get_json() == {"unread": 2}
    page = client.get("/")
    assert 'data-count-url="/notifications/count"' in page.get_data(as_text=True)
    assert "Bea vous a mentionné" in client.get("/notifications/").get_data(as_text=True)
    response = client.post("/notifications/read", data={"id": first.id, "next": "/leads/show/1"})
    assert response.headers["Location"].endswith("/leads/show/1")
    assert client.get("/notifications/count").get_json() == {"unread": 1}
    # Another user's notification cannot be marked; an external "next" is not followed.
    response = client.post("/notifications/read", data={"id": theirs.id, "next": "//evil.example"})
    assert response.headers["Location"].endswith("/notifications/")
    response = client.post("/notifications/read", data={"next": "/\\evil.example"})
    location = response.headers["Location"]  # a path of this site, never another host
    assert "\\" not in location and "//evil" not in location
    assert db.session.get(Notification, theirs.id).read_at is None
    client.post("/notifications/read")
    assert client.get("/notifications/count").get_json() == {"unread": 0}
    assert db.session.get(Notification, second.id).read_at is not None
    assert client.post("/notifications/read", data={"id": "abc"}).status_code == 400


def test_preferences_choose_channels_per_event(client, accounts, claire):
    accounts.login(client, "claire")
    assert "email" in chosen_channels(db.session, claire.id)["mentioned"]  # the default
    response = client.post("/notifications/preferences",
                           data={"pref": ["mentioned:app", "reminder:sms", "reminder:app"]})
    assert response.status_code == 302
    chosen = chosen_channels(db.session, claire.id)
    assert chosen["mentioned"] == {"app"} and chosen["reminder"] == {"app", "sms"}
    assert chosen["assigned"] == set()
    assert ping(claire.id, "assigned") is None  # nothing wanted, nothing written
    item = ping(claire.id, "mentioned")
    assert item.in_app and item.email_state is None
    bad = client.post("/notifications/preferences", data={"pref": ["mentioned:pigeon"]})
    assert bad.status_code == 400
    assert db.session.query(NotificationPreference).filter_by(channel="pigeon").count() == 0


def test_email_only_notifications_skip_the_bell(client, accounts, claire):
    db.session.add(NotificationPreference(user_id=claire.id, event="mentioned", channel="app",
                                          enabled=False))
    db.session.commit()
    item = ping(claire.id)
    assert not item.in_app and item.read_at is not None and item.email_state == "pending"
    accounts.login(client, "claire")
    assert client.get("/notifications/count").get_json() == {"unread": 0}


def test_the_email_copy_reaches_a_real_smtp_listener_in_the_users_language(app, claire, smtp):
    use_smtp(app, smtp)
    db.session.add(UserProfile(user_id=claire.id, locale="en"))
    db.session.commit()
    lead = make_lead(owner=claire, first_name="Marie", last_name="Dupont")
    item = notify(db.session, claire.id, "assigned", lambda: "title", url=f"/leads/show/{lead.id}",
                  lead_id=lead.id)
    db.session.commit()
    assert deliver(item.id)
    assert deliver(item.id)  # a retried job sends nothing more
    assert len(smtp.messages) == 1
    message = email.message_from_bytes(smtp.messages[0].content, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "Hello Claire" in text and f"/leads/show/{lead.id}" in text
    assert db.session.get(Notification, item.id).email_state == "sent"


def test_sms_through_the_provider(app, claire, twilio, smtp):
    db.session.add(UserProfile(user_id=claire.id, mobile="+33612345678", locale="fr"))
    db.session.add(NotificationPreference(user_id=claire.id, event="reminder", channel="sms",
                                          enabled=True))
    db.session.commit()
    use_smtp(app, smtp)
    item = notify(db.session, claire.id, "reminder", lambda: "Rappel : devis Martin")
    db.session.commit()
    assert item.sms_state == "pending"
    deliver(item.id)
    assert twilio == [{"To": "+33612345678", "From": SENDER, "Body": "Rappel : devis Martin"}]
    assert db.session.get(Notification, item.id).sms_state == "sent"
    assert len(smtp.messages) == 1  # and the e-mail copy, chosen by default


def test_provider_errors_come_back_with_their_reason(app, twilio):
    app.config["TWILIO_AUTH_TOKEN"] = "wrong"
    with pytest.raises(SmsError, match="20003: Authenticate"):
        send_sms("+33612345678", "x")
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    with pytest.raises(SmsError, match="21211"):
        send_sms("0612345678", "x")
    assert twilio == []


def test_console_backend_logs_the_message(app, caplog):
    app.config["CRM_SMS_BACKEND"] = "console"
    with caplog.at_level("INFO", logger="app.services.sms"):
        assert send_sms("+33612345678", "Bonjour") == "console"
    assert "Bonjour" in caplog.text


def test_admin_sets_profiles_with_a_valid_mobile(client, accounts, claire):
    accounts.create("root", "Admin")
    accounts.login(client, "root")
    response = client.post("/user-profiles/add", data={"user": claire.id, "mobile": "pas un numéro",
                                                       "locale": "fr"})
    assert response.status_code == 200 and db.session.query(UserProfile).count() == 0
    client.post("/user-profiles/add", data={"user": claire.id, "mobile": "06 12 34 56 78",
                                            "locale": "en"})
    assert db.session.get(UserProfile, claire.id).mobile == "+33612345678"
