"""Files on a lead: type checked from the content, random names outside the web root,
downloads through the row-level rule, removal with the lead."""
import io
import os
import time
import zipfile

import pytest

from app.extensions import db
from app.services.attachments import remove_orphan_files
from models import Attachment, Lead
from tests.factories import make_lead

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture
def reps(accounts):
    return accounts.create("claire", "Commercial"), accounts.create("paul", "Commercial")


def upload(client, lead, name, content):
    return client.post(f"/sheet/{lead.id}/attach", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("name, content, content_type", [
    ("devis.pdf", PDF, "application/pdf"),
    ("photo.PNG", PNG, "image/png"),
    ("contrat.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("offre.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
])
def test_accepted_files_are_stored_under_random_names(app, client, accounts, reps, name, content,
                                                      content_type):
    lead = make_lead(owner=reps[0])
    accounts.login(client, "claire")
    assert upload(client, lead, name, content).status_code == 302
    item = db.session.query(Attachment).one()
    assert (item.filename, item.content_type, item.size) == (name, content_type, len(content))
    assert item.stored_name != name and len(item.stored_name) >= 32
    directory = app.config["CRM_ATTACHMENT_DIR"]
    assert not directory.startswith(os.path.join(os.path.dirname(app.root_path), "app", "static"))
    assert os.listdir(directory) == [item.stored_name]  # the temporary upload is gone
    response = client.get(f"/sheet/file/{item.id}")
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Type"].startswith(content_type)
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name, content, reason", [
    ("facture.pdf", b"MZ\x90\x00 an executable", "ne correspond pas"),
    ("photo.png", b"<script>alert(1)</script>", "ne correspond pas"),
    ("photo.jpg", b"<svg onload=alert(1)>", "ne correspond pas"),
    ("contrat.docx", b"PK\x03\x04 not really a zip", "ne correspond pas"),
    ("page.html", b"<html></html>", "Type de fichier refus"),
    ("script.sh", b"#!/bin/sh", "Type de fichier refus"),
    ("vide.pdf", b"", "vide"),
])
def test_hostile_or_wrong_files_are_refused(app, client, accounts, reps, name, content, reason):
    lead = make_lead(owner=reps[0])
    accounts.login(client, "claire")
    response = upload(client, lead, name, content)
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0
    assert os.listdir(app.config["CRM_ATTACHMENT_DIR"]) == []


def test_an_oversized_file_is_refused(app, client, accounts, reps):
    app.config["CRM_ATTACHMENT_MAX_BYTES"] = 1024
    lead = make_lead(owner=reps[0])
    accounts.login(client, "claire")
    response = upload(client, lead, "gros.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400 and "trop volumineux" in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\moi\\devis.pdf", "devis.pdf"),
    ("de\x1bv\x07is\x7f.pdf", "devis.pdf"),
])
def test_paths_and_control_characters_leave_the_name(app, client, accounts, reps, name, shown):
    lead = make_lead(owner=reps[0])
    accounts.login(client, "claire")
    upload(client, lead, name, PDF)
    item = db.session.query(Attachment).one()
    assert item.filename.endswith(shown) and "/" not in item.filename and "\\" not in item.filename
    assert os.path.dirname(os.path.join(app.config["CRM_ATTACHMENT_DIR"], item.stored_name)) \
        == app.config["CRM_ATTACHMENT_DIR"]


def test_another_rep_can_neither_attach_nor_download(app, client, accounts, reps):
    lead = make_lead(owner=reps[0])
    accounts.login(client, "claire")
    upload(client, lead, "devis.pdf", PDF)
    item = db.session.query(Attachment).one()
    accounts.login(client, "paul")
    assert client.get(f"/sheet/file/{item.id}").status_code == 404
    assert upload(client, lead, "autre.pdf", PDF).status_code == 404
    assert client.get(f"/api/v1/sheet/attachment/{item.id}").status_code == 404
    assert db.session.query(Attachment).count() == 1


def test_files_go_with_their_lead(app, client, accounts, reps):
    lead = make_lead(owner=reps[0])
    accounts.login(client, "claire")
    upload(client, lead, "devis.pdf", PDF)
    directory = app.config["CRM_ATTACHMENT_DIR"]
    (stored,) = os.listdir(directory)
    db.session.delete(db.session.get(Lead, lead.id))
    db.session.commit()
    assert db.session.query(Attachment).count() == 0
    # A fresh upload may not be committed yet: the sweep waits for its grace period.
    assert remove_orphan_files(db.session, directory) == 0
    assert remove_orphan_files(db.session, directory, now=time.time() + 7200) == 1
    assert os.listdir(directory) == []
    assert stored
