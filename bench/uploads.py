"""Uploads benchmark: the server's peak memory rise and the time to refuse or accept a zip-bomb
attachment, a zip-bomb .xlsx import, a 50 MB CSV import (upload, then the run, inline without
Redis) and a 20 MB chunked web form.

    python bench/uploads.py                  # gunicorn, one worker, SQLite under instance/

A real server in a subprocess (gunicorn, one sync worker), as in production: the figures are
its worker's, read from /proc (VmHWM, the peak resident size, reset before each upload).
Targets: under 50 MB for the bombs, under 300 MB for the CSV.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urljoin

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app.extensions import db  # noqa: E402
from bench.fresh import BENCH_PASSWORD, fresh_app, seed_team  # noqa: E402
from models import Lead, Source  # noqa: E402
from tests.zip_bombs import odt_bomb, xlsx_bomb  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSV_BYTES = 50_000_000
MAPPING = {"col-0": "last_name", "col-1": "first_name", "col-2": "email", "col-3": "phone"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as handle:
        return int(re.search(rf"^{field}:\s+(\d+) kB", handle.read(), re.M).group(1))


def worker_pid(master):
    with open(f"/proc/{master}/task/{master}/children") as handle:
        return int(handle.read().split()[0])


def measured(worker, send):
    """(response, seconds, peak rise in MB) of one request."""
    with open(f"/proc/{worker}/clear_refs", "w") as handle:
        handle.write("5")  # the peak (VmHWM) starts again from the current size
    before = status_kb(worker, "VmRSS")
    started = time.perf_counter()
    response = send()
    seconds = time.perf_counter() - started
    return response, seconds, (status_kb(worker, "VmHWM") - before) / 1024


def report(worker, label, size, send):
    try:
        response, seconds, rise = measured(worker, send)
        answer = response.status_code
    except requests.ConnectionError:  # the server may close on a refused stream
        response, answer, seconds, rise = None, "connection closed", float("nan"), float("nan")
    print(f"{label:<52} {size:>7}: HTTP {answer}, {seconds:6.2f} s, peak RSS rise {rise:6.1f} MB")
    return response


def csv_file(directory):
    path = os.path.join(directory, "salon.csv")
    row = "Martin;Claire;claire.martin.{0:07d}@exemple.fr;06{0:08d};Salon de Lyon 2026\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("Nom;Prénom;E-mail;Téléphone;Note\n")
        n = 0
        while handle.tell() < CSV_BYTES - 200:
            handle.write(row.format(n))
            n += 1
    return path


def start_server(database, directory):
    port = free_port()
    env = {**os.environ, "CRM_ENV": "development", "DATABASE_URL": database, "REDIS_URL": "",
           "CRM_IMPORT_DIR": os.path.join(directory, "imports"),
           "CRM_ATTACHMENT_DIR": os.path.join(directory, "attachments")}
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", "1", "-b",
         f"127.0.0.1:{port}", "--timeout", "300", "app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(base + "/login/", timeout=30)
            return server, base
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def logged_in(base):
    session = requests.Session()
    page = session.get(base + "/login/").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    session.post(base + "/login/", data={"username": "bench", "password": BENCH_PASSWORD,
                                         "csrf_token": token}, allow_redirects=False)
    return session, token


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args()
    app = fresh_app(None, "bench-uploads.db")
    with app.app_context():
        seed_team(1)
        db.session.add(Source(name="Site", kind="web_form", intake_token="bench-form"))
        db.session.commit()
        lead_id = db.session.query(Lead.id).scalar()
        database = app.config["SQLALCHEMY_DATABASE_URI"]
    with tempfile.TemporaryDirectory() as directory:
        server, base = start_server(database, directory)
        try:
            worker = worker_pid(server.pid)
            session, token = logged_in(base)
            session.get(base + "/imports/")  # the first request of a worker loads more code

            def upload(url, name, content):
                return lambda: session.post(base + url, data={"csrf_token": token},
                                            files={"file": (name, content)}, allow_redirects=False)

            with open(csv_file(directory), "rb") as handle:
                csv_content = handle.read()
            chunks = (b"note=" if n == 0 else b"x" * 65536 for n in range(320))
            cases = [
                ("zip-bomb attachment (.odt, mimetype of 1 GiB)", "1.0 MB",
                 upload(f"/sheet/{lead_id}/attach", "offre.odt", odt_bomb())),
                ("zip-bomb .xlsx import (1.1 GB of shared strings)", "2.9 MB",
                 upload("/imports/", "salon.xlsx", xlsx_bomb())),
                ("CSV import upload", f"{len(csv_content) / 1e6:.0f} MB",
                 upload("/imports/", "salon.csv", csv_content)),
                ("chunked web form (no Content-Length)", "20 MB",
                 lambda: requests.post(base + "/webhooks/form/bench-form", data=chunks,
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})),
            ]
            print(f"gunicorn worker {worker}, start RSS {status_kb(worker, 'VmRSS') / 1024:.0f} MB")
            for label, size, send in cases:
                response = report(worker, label, size, send)
                if label.startswith("CSV") and response is not None and response.status_code == 302:
                    settings = urljoin(base, response.headers["Location"])
                    report(worker, "CSV import run (inline)", size, lambda: session.post(
                        settings, data={"csrf_token": token, "action": "run", "policy": "skip",
                                        **MAPPING}, allow_redirects=False))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
