"""The import wizard through the Flask test client: upload, settings, run, result, undo."""
import io
import os

import pytest

from app.extensions import db
from models import ImportBatch, Lead
from tests.data.make_samples import sample


@pytest.fixture
def manager(app, client, accounts, tmp_path):
    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    return client


def upload(client, name, content):
    return client.post("/imports/", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_upload_detects_settings_and_suggests_the_mapping(manager):
    with open(sample("leads_excel_fr.csv"), "rb") as handle:
        response = upload(manager, "leads.csv", handle.read())
    batch = db.session.query(ImportBatch).one()
    assert response.headers["Location"].endswith(f"/imports/{batch.id}/settings")
    assert (batch.encoding, batch.delimiter, batch.header_row) == ("cp1252", ";", 0)
    body = manager.get(f"/imports/{batch.id}/settings").get_data(as_text=True)
    assert "Éloïse" in body and "Adresse e-mail invalide : mael.petit@ (gardé dans la note)" in body
    assert 'value="email" selected' in body  # Courriel recognised as the e-mail column


def test_run_import_inline_and_see_the_result(manager):
    with open(sample("salon_bordeaux_2026.xlsx"), "rb") as handle:
        upload(manager, "salon.xlsx", handle.read())
    batch = db.session.query(ImportBatch).one()
    assert batch.header_row == 2  # the title row above the header was skipped
    form = {"header_row": "3", "policy": "skip", "action": "run", "col-0": "last_name",
            "col-1": "first_name", "col-2": "email", "col-3": "phone", "col-4": "company",
            "col-5": "created_at"}
    response = manager.post(f"/imports/{batch.id}/settings", data=form)
    assert response.headers["Location"].endswith(f"/imports/{batch.id}")
    progress = manager.get(f"/imports/{batch.id}/progress").get_json()
    assert progress["status"] == "done" and (progress["created"], progress["warned"]) == (3, 1)
    assert progress["created"] + progress["warned"] + progress["blank"] == progress["total"]
    body = manager.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Télécharger les avertissements" in body and "Télécharger les lignes rejetées" not in body
    assert "Adresse e-mail invalide : gabin.hamon@exemple (gardé dans la note)" in body  # per row
    assert f"/leads/list/?import_batch={batch.id}" in body  # "Voir les prospects": this import's
    warnings = manager.get(f"/imports/{batch.id}/warnings.csv")
    assert warnings.status_code == 200 and "gabin.hamon@exemple" in warnings.get_data(as_text=True)
    manager.post(f"/imports/{batch.id}/undo")
    assert db.session.query(Lead).count() == 0
    assert db.session.get(ImportBatch, batch.id).status == "undone"


def test_running_without_a_name_column_is_refused(manager):
    upload(manager, "villes.csv", "Ville;Pays\nLyon;France\n".encode())
    batch = db.session.query(ImportBatch).one()
    body = manager.post(f"/imports/{batch.id}/settings", data={"action": "run", "col-0": "company"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Indiquez quelle colonne contient le nom" in body
    assert db.session.get(ImportBatch, batch.id).status == "pending"


@pytest.mark.parametrize("name, content, message", [
    ("photo.png", b"\x89PNG\r\n", "Type de fichier non pris en charge"),
    ("vide.csv", b"", "Le fichier est vide"),
])
def test_bad_uploads_are_refused(app, manager, name, content, message):
    response = upload(manager, name, content)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(ImportBatch).count() == 0
    imports = app.config["CRM_IMPORT_DIR"]
    assert not os.path.isdir(imports) or os.listdir(imports) == []  # the refused file is not kept


def test_too_large_upload_answers_413(app, manager):
    app.config["CRM_IMPORT_MAX_BYTES"] = 1024 * 1024
    response = upload(manager, "gros.csv", b"Nom\n" + b"x\n" * (2**19 + 2**15))
    assert response.status_code == 413
    assert "Envoi trop volumineux : 1 Mo au plus." in response.get_data(as_text=True)


def test_a_rep_cannot_import_nor_see_imports(client, accounts, manager):
    with open(sample("leads_excel_fr.csv"), "rb") as handle:
        upload(manager, "leads.csv", handle.read())
    batch = db.session.query(ImportBatch).one()
    other = client.application.test_client()
    accounts.create("rep", "Commercial")
    accounts.login(other, "rep")
    for url in ("/imports/", f"/imports/{batch.id}", f"/imports/{batch.id}/rejected.csv"):
        assert other.get(url).status_code == 403
