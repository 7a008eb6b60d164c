"""An erasure leaves nothing: a person is created everywhere the CRM keeps people (web form,
import file, webhook with its raw payload, booking, notes, attachment, stored export, CalDAV
copies), erased, and then the raw bytes of the whole database (SQLite file after a checkpoint
and VACUUM; pg_dump of PostgreSQL after VACUUM FULL), the instance folders and the CalDAV
server are searched for their e-mail, phone (E.164 and national), last name and a canary."""
import glob
import io
import os
import re
import sqlite3
import subprocess
import zipfile
from copy import deepcopy

import caldav
import pytest
from caldav.lib.error import NotFoundError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.extensions import db
from models import Appointment, BookingPage, ExportFile, Lead, Source
from tests.data.make_samples import GOOGLE_KEY
from tests.integration.conftest import use_smtp
from tests.integration.test_booking import EVERY_DAY, first_slot
from tests.integration.test_webhooks import google_payload  # noqa: F401 - fixture

EMAIL = "jeanne.zorglubovitch@exemple.fr"
LAST_NAME = "Zorglubovitch"
CANARY = "canari-q7x9w2"
PHONE_E164, PHONE_NATIONAL, PHONE_SPACED = "+33671234567", "0671234567", "06 71 23 45 67"
NEEDLES = [EMAIL, LAST_NAME.lower(), CANARY, PHONE_E164, PHONE_NATIONAL, PHONE_SPACED]
PDF = b"%PDF-1.4\n% " + CANARY.encode() + b"\ntrailer<<>>\n%%EOF\n"


def found_in(data):
    data = data.lower()
    return {needle for needle in NEEDLES if needle.encode() in data}


def file_contents(path):
    """A file's bytes, and the members of a zip (XLSX) decompressed."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data += b"".join(archive.read(name) for name in archive.namelist())
    return data


def scan_folders(*folders):
    """{path: needles found} over every file under the folders."""
    hits = {}
    for folder in folders:
        for root, _dirs, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                if found := found_in(file_contents(path)):
                    hits[path] = found
    return hits


def pg_dump_binary(server_version):
    major = server_version.split(".")[0]
    candidates = glob.glob(f"/usr/lib/postgresql/{major}/bin/pg_dump") + ["/usr/bin/pg_dump"]
    return next(path for path in candidates if os.path.exists(path))


def scan_database():
    """The needles found in the database's raw storage (SQLite) or in its full dump."""
    url = make_url(str(db.engine.url))
    if url.get_backend_name() == "sqlite":
        db.session.remove()
        db.engine.dispose()
        connection = sqlite3.connect(url.database)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        data = b"".join(file_contents(path) for path in (url.database, url.database + "-wal")
                        if os.path.exists(path))
        return found_in(data)
    db.session.remove()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM FULL"))
        connection.execute(text("CHECKPOINT"))
        version = connection.execute(text("SHOW server_version")).scalar()
    dump = subprocess.run(
        [pg_dump_binary(version), "--no-owner", "-h", url.host or "127.0.0.1", "-p",
         str(url.port or 5432), "-U", url.username or "postgres", url.database],
        check=True, capture_output=True).stdout
    return found_in(dump)


@pytest.fixture
def team(accounts):
    return accounts.create("claire", "Commercial", first_name="Claire"), \
        accounts.create("boss", "Responsable")


def create_the_person_everywhere(app, client, accounts, runner, radicale, google_payload, claire,
                                 tmp_path):
    form = Source(name="Site web", kind="web_form")
    db.session.add_all([form, Source(name="Google Ads", kind="google_ads", intake_token=GOOGLE_KEY)])
    db.session.commit()
    # Web form: creates the lead (the message carries the canary).
    response = client.post(f"/webhooks/form/{form.intake_token}", data={
        "nom": LAST_NAME, "prenom": "Jeanne", "email": EMAIL, "telephone": PHONE_SPACED,
        "message": f"Bonjour, {CANARY}", "crm_website": ""})
    assert response.status_code == 200, response.get_data(as_text=True)
    lead = db.session.query(Lead).filter_by(email=EMAIL).one()
    lead.owner_id = claire.id
    db.session.commit()
    accounts.login(client, "claire")
    assert client.post("/agenda/caldav", data={"server_url": radicale["url"], "username": "claire",
                                               "password": "secret"}).status_code == 302
    # Webhook: the same person again, kept raw in the intake journal.
    payload = deepcopy(google_payload)
    payload["lead_id"] = f"lead-{CANARY}"
    for column in payload["user_column_data"]:
        column["string_value"] = {"FULL_NAME": f"Jeanne {LAST_NAME}", "EMAIL": EMAIL,
                                  "PHONE_NUMBER": PHONE_E164}.get(column["column_id"],
                                                                  column["string_value"])
    assert client.post("/webhooks/google-ads", json=payload).status_code == 200
    # Import file: their row (a duplicate, skipped) and someone else's.
    path = tmp_path / "salon.csv"
    path.write_text(f"Nom;Prénom;E-mail;Téléphone\n{LAST_NAME};Jeanne;{EMAIL};{PHONE_SPACED}\n"
                    "Durand;Paul;paul.durand@exemple.fr;06 00 00 00 01\n", encoding="utf-8")
    result = runner.invoke(args=["crm", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    # Booking: the public page, pushed to the rep's CalDAV calendar.
    page = BookingPage(slug="claire", title="Découverte", working_hours=EVERY_DAY,
                       slot_minutes=30, notice_hours=0, horizon_days=14, place="Visio")
    page.members = [claire]
    db.session.add(page)
    db.session.commit()
    response = client.post("/rdv/claire", data={
        "name": f"Jeanne {LAST_NAME}", "email": EMAIL, "phone": PHONE_SPACED,
        "message": f"Devis {CANARY}", "consent": "1", "slot": first_slot(client)})
    assert response.status_code == 302
    # The sheet: notes naming them with the canary, a mention, a call, a file, an appointment.
    accounts.login(client, "claire")
    for data in ({"body": f"{LAST_NAME} : {CANARY}", "kind": "note"},
                 {"body": f"@boss voir {LAST_NAME} {CANARY}", "kind": "message"}):
        assert client.post(f"/sheet/{lead.id}/note", data=data).status_code == 302
    assert client.post(f"/sheet/{lead.id}/log", data={
        "kind": "call", "direction": "inbound", "subject": f"Appel {LAST_NAME}",
        "summary": f"{CANARY} {PHONE_NATIONAL}"}).status_code == 302
    assert client.post(f"/sheet/{lead.id}/attach", data={"file": (io.BytesIO(PDF), "piece.pdf")},
                       content_type="multipart/form-data").status_code == 302
    response = client.post("/agenda/events", json={
        "lead": lead.id, "title": f"Visite {LAST_NAME} {CANARY}",
        "start": "2030-03-26T10:00", "end": "2030-03-26T11:00"})
    assert response.status_code == 201
    # A stored export (a job), holding them.
    assert client.get("/exports/leads?format=xlsx").status_code == 302
    assert db.session.query(ExportFile).one().status == "done"
    return lead


def test_an_erased_person_is_nowhere(app, client, accounts, runner, radicale, google_payload,
                                     team, smtp, tmp_path):
    claire, _boss = team
    folders = [tmp_path / name for name in ("imports", "attachments", "exports")]
    app.config.update(CRM_IMPORT_DIR=str(folders[0]), CRM_ATTACHMENT_DIR=str(folders[1]),
                      CRM_EXPORT_DIR=str(folders[2]), CRM_EXPORT_INLINE_ROWS=0)
    use_smtp(app, smtp)
    (tmp_path / "upload").mkdir()
    lead = create_the_person_everywhere(app, client, accounts, runner, radicale, google_payload,
                                        claire, tmp_path / "upload")
    uids = [uid for (uid,) in db.session.query(Appointment.uid).filter(
        Appointment.lead_id == lead.id, Appointment.caldav_href.is_not(None))]
    calendar_folder = tmp_path / "collections"
    # The scan finds them before: it can fail.
    assert {EMAIL, LAST_NAME.lower(), CANARY, PHONE_E164, PHONE_NATIONAL} <= scan_database()
    folder_hits = scan_folders(*folders)
    assert {os.path.relpath(p, tmp_path).split(os.sep)[0] for p in folder_hits} == {
        "imports", "attachments", "exports"}
    assert len(uids) == 2 and scan_folders(calendar_folder)

    result = runner.invoke(args=["crm", "erase", "--email", EMAIL.upper()])
    assert result.exit_code == 0, result.output

    assert scan_database() == set()
    assert scan_folders(*folders) == {}
    assert scan_folders(calendar_folder) == {}
    calendar = caldav.DAVClient(url=radicale["url"], username="claire",
                                password="secret").principal().calendars()[0]
    for uid in uids:
        with pytest.raises(NotFoundError):
            calendar.event_by_uid(uid)
    # The row stays for the figures, anonymised.
    erased = db.session.get(Lead, lead.id)
    assert erased.anonymised_at is not None and erased.owner_id == claire.id
    assert not re.search(LAST_NAME, erased.last_name)
