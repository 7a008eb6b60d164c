"""The outbound guard on the CalDAV form: internal addresses in every spelling, names that
resolve to them and redirects towards them reach nothing; the user reads a generic message."""
import http.server
import socket
import threading

import pytest

from app.extensions import db
from jobs.calendar_sync import sync_account
from models import CalendarAccount

GENERIC = "Connexion CalDAV impossible : vérifiez l&#39;adresse du serveur"


@pytest.fixture
def listener():
    """A port on 127.0.0.1 that must receive nothing: a connection would wait in its backlog."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    yield sock.getsockname()[1]
    try:
        connection, _peer = sock.accept()
        connection.close()
        pytest.fail("the refused address received a connection")
    except BlockingIOError:
        pass
    finally:
        sock.close()


@pytest.fixture
def internal_server():
    """A server on 127.0.0.2 (allowed by the tests that use it): it answers every request with
    a redirect to `redirect_to` if set, else a 500 carrying a banner the user must not see."""
    state = {"redirect_to": None, "requests": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            state["requests"] += 1
            if state["redirect_to"]:
                self.send_response(307)
                self.send_header("Location", state["redirect_to"])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b"INTERNAL-BANNER redis_version:7.0.15"
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PROPFIND = do_OPTIONS = do_REPORT = _answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.2:{server.server_address[1]}/dav/"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def rep(client, accounts):
    user = accounts.create("rep", "Commercial")
    accounts.login(client, "rep")
    return user


def connect(client, url):
    return client.post("/agenda/caldav", data={"server_url": url, "username": "rep",
                                               "password": "secret"})


@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "2130706433", "0x7f000001", "017700000001", "0x7f.1", "127.1",
    "0.0.0.0", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]", "[::]",
])
def test_internal_addresses_in_every_spelling_are_refused(client, rep, listener, host):
    response = connect(client, f"http://{host}:{listener}/")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and GENERIC in page
    assert db.session.query(CalendarAccount).count() == 0


def test_a_redirect_to_a_refused_address_is_not_followed(app, client, rep, listener,
                                                          internal_server):
    app.config["CRM_OUTBOUND_ALLOWED_HOSTS"] = "127.0.0.2"
    internal_server["redirect_to"] = f"http://127.0.0.1:{listener}/"
    response = connect(client, internal_server["url"])
    assert response.status_code == 400 and GENERIC in response.get_data(as_text=True)
    assert internal_server["requests"] == 1  # the allowed server was asked, not its target


def test_the_remote_answer_is_never_quoted(app, client, rep, internal_server):
    app.config["CRM_OUTBOUND_ALLOWED_HOSTS"] = "127.0.0.2"
    response = connect(client, internal_server["url"])
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and GENERIC in page
    assert internal_server["requests"] >= 1
    assert "INTERNAL-BANNER" not in page and "redis_version" not in page
    assert "Internal Server Error" not in page


@pytest.mark.parametrize("allowed, host", [("localhost", "localhost"),
                                           ("127.0.0.0/8", "127.0.0.1"),
                                           ("nextcloud.lan, 127.0.0.1", "127.0.0.1")])
def test_allowed_hosts_reach_a_lan_server(app, client, accounts, radicale, allowed, host):
    app.config["CRM_OUTBOUND_ALLOWED_HOSTS"] = allowed
    accounts.create("claire", "Commercial")
    accounts.login(client, "claire")
    url = radicale["url"].replace("127.0.0.1", host)
    response = client.post("/agenda/caldav", data={"server_url": url, "username": "claire",
                                                  "password": "secret"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_a_calendar_moved_to_a_refused_address_is_not_synced(app, client, accounts, radicale,
                                                            listener):
    app.config["CRM_OUTBOUND_ALLOWED_HOSTS"] = "127.0.0.1"
    claire = accounts.create("claire", "Commercial")
    accounts.login(client, "claire")
    client.post("/agenda/caldav", data={"server_url": radicale["url"], "username": "claire",
                                        "password": "secret"})
    app.config["CRM_OUTBOUND_ALLOWED_HOSTS"] = ""
    account = db.session.get(CalendarAccount, claire.id)
    account.calendar_url = f"http://localhost:{listener}/claire/calendar/"
    db.session.commit()
    assert sync_account(claire.id) == []
    error = db.session.get(CalendarAccount, claire.id).last_error
    assert error.startswith("Connexion CalDAV impossible") and str(listener) not in error
