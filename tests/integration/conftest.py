"""Real services for integration tests: an SMTP listener that keeps what it receives, and an
rq queue of the test's own on the real Redis."""
import socket
import uuid

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def queue_name(redis_url):
    """A queue of the test's own; its keys are removed afterwards."""
    from redis import Redis

    name = "leadcrm-test-" + uuid.uuid4().hex[:8]
    yield name
    redis = Redis.from_url(redis_url)
    keys = redis.keys(f"*{name}*")
    if keys:
        redis.delete(*keys)


def use_smtp(app, smtp):
    """Point the app's mail at the listener (Flask-Mail reads its settings at init)."""
    from app.extensions import mail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SUPPRESS_SEND=False)
    mail.init_app(app)


@pytest.fixture
def radicale(app, tmp_path):
    """A real CalDAV server (Radicale) on 127.0.0.1, user claire / secret; the CRM allows
    127.0.0.1 the way an admin allows a Nextcloud on the LAN."""
    import subprocess
    import sys
    import time

    app.config["CRM_OUTBOUND_ALLOWED_HOSTS"] = "127.0.0.1"
    port = free_port()
    (tmp_path / "users").write_text("claire:secret\n")
    (tmp_path / "radicale.conf").write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = htpasswd\n"
        f"htpasswd_filename = {tmp_path / 'users'}\nhtpasswd_encryption = plain\n"
        f"[storage]\nfilesystem_folder = {tmp_path / 'collections'}\n[logging]\nlevel = warning\n")
    server = subprocess.Popen([sys.executable, "-m", "radicale", "--config",
                               str(tmp_path / "radicale.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("Radicale did not start")
            time.sleep(0.1)
    yield {"url": f"http://127.0.0.1:{port}/", "username": "claire", "password": "secret"}
    server.terminate()
    server.wait(timeout=10)


def send_json(handler, status, body):
    """What the local stand-ins for outside APIs (Graph, Twilio) answer: a JSON body."""
    import json

    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
