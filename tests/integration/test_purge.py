"""Purges of stored files (RGPD point 5): import files and intake payloads after
CRM_PURGE_IMPORT_DAYS, rejected-row / warnings files and job exports after CRM_PURGE_EXPORT_DAYS.
The rows and their counts stay; the screens say the file was deleted instead of failing."""
import datetime as dt
import io
import json
import os

import pytest
import time_machine

from app.extensions import db
from app.services.privacy import purge
from models import ExportFile, ImportBatch, IntakeDelivery, Source
from tests.data.make_samples import GOOGLE_KEY, sample
from tests.factories import make_lead

START = dt.datetime(2030, 1, 10, 9, 0, tzinfo=dt.timezone.utc)
# One good row, one with a warning (bad e-mail kept in the note), one rejected (no name).
CSV = ("Nom;Email;Téléphone\nDupont;dupont@exemple.fr;\nMartin;pas-un-email;0612345678\n"
       ";sans-nom@exemple.fr;\n")


def at(days):
    return time_machine.travel(START + dt.timedelta(days=days), tick=False)


@pytest.fixture
def stored(app, client, accounts, tmp_path):
    """At START, through the screens: a run import with rejects and warnings, an import left at
    its settings, a failed Google Ads delivery, an export prepared by a job."""
    app.config.update(CRM_IMPORT_DIR=str(tmp_path / "imports"),
                      CRM_EXPORT_DIR=str(tmp_path / "exports"), CRM_EXPORT_INLINE_ROWS=1)
    with at(0):
        accounts.create("manon", "Responsable")
        db.session.add(Source(name="Google Ads", kind="google_ads", intake_token=GOOGLE_KEY))
        make_lead(last_name="Leroy")
        make_lead(last_name="Petit")
        accounts.login(client, "manon")
        for name in ("salon.csv", "oublie.csv"):
            client.post("/imports/", data={"file": (io.BytesIO(CSV.encode()), name)},
                        content_type="multipart/form-data")
        ran, pending = db.session.query(ImportBatch).order_by(ImportBatch.id).all()
        client.post(f"/imports/{ran.id}/settings", data={
            "header_row": "1", "policy": "skip", "action": "run", "col-0": "last_name",
            "col-1": "email", "col-2": "phone"})
        with open(sample("google_ads_lead.json"), encoding="utf-8") as handle:
            payload = json.load(handle)
        del payload["user_column_data"]  # kept as a failed delivery
        assert client.post("/webhooks/google-ads", json=payload).status_code == 400
        assert client.get("/exports/leads?format=csv").status_code == 302
    batch = db.session.get(ImportBatch, ran.id)
    assert batch.status == "done" and (batch.created, batch.warned, batch.rejected) == (1, 1, 1)
    export = db.session.query(ExportFile).one()
    delivery = db.session.query(IntakeDelivery).one()
    return {"ran": ran.id, "pending": pending.id, "export": export.id, "delivery": delivery.id,
            "files": {"ran": batch.stored_path, "pending": pending.stored_path,
                      "rejected": batch.rejected_path, "warnings": batch.warnings_path,
                      "export": export.path}}


def tick(runner):
    result = runner.invoke(args=["crm", "tick"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["purged_files"]


def test_files_go_after_their_periods_and_the_rows_stay(app, client, runner, accounts, stored):
    files = stored["files"]
    assert all(os.path.exists(path) for path in files.values())
    with at(29):
        assert tick(runner) == 0
    assert all(os.path.exists(path) for path in files.values())

    with at(31):  # rejects, warnings and the export: 30 days
        assert tick(runner) == 2
    batch = db.session.get(ImportBatch, stored["ran"])
    export = db.session.get(ExportFile, stored["export"])
    assert not any(os.path.exists(files[name]) for name in ("rejected", "warnings", "export"))
    assert (batch.rejected_path, batch.warnings_path, export.path) == (None, None, None)
    assert batch.reports_purged_at is not None and export.purged_at is not None
    assert (batch.created, batch.warned, batch.rejected) == (1, 1, 1)
    assert (export.status, export.rows) == ("done", 4)
    assert os.path.exists(files["ran"]) and os.path.exists(files["pending"])
    assert db.session.get(IntakeDelivery, stored["delivery"]).body

    with at(91):  # imported files and payloads: 90 days
        assert tick(runner) == 3
        assert tick(runner) == 0  # nothing left to purge
    assert not os.path.exists(files["ran"]) and not os.path.exists(files["pending"])
    assert db.session.get(ImportBatch, stored["ran"]).stored_path is None
    delivery = db.session.get(IntakeDelivery, stored["delivery"])
    assert delivery.body is None and delivery.status == "failed"


def test_the_screens_say_the_file_was_deleted(app, client, runner, accounts, stored):
    with at(31):
        tick(runner)
        accounts.login(client, "manon")
        page = client.get(f"/imports/{stored['ran']}").get_data(as_text=True)
        assert "Lignes rejetées : fichier supprimé (conservation 30 jours)" in page
        assert "Avertissements : fichier supprimé (conservation 30 jours)" in page
        assert "Télécharger les lignes rejetées" not in page
        for name in ("rejected", "warnings"):
            response = client.get(f"/imports/{stored['ran']}/{name}.csv")
            assert response.status_code == 410
            assert "Fichier supprimé (conservation 30 jours)." in response.get_data(as_text=True)
        response = client.get(f"/exports/{stored['export']}")
        assert response.status_code == 410
        assert "Fichier supprimé (conservation 30 jours)." in response.get_data(as_text=True)
        # the import file is still there: the settings screen still reads it
        assert client.get(f"/imports/{stored['pending']}/settings").status_code == 200

    with at(91):
        tick(runner)
        accounts.login(client, "manon")
        page = client.get(f"/imports/{stored['ran']}").get_data(as_text=True)
        assert "Fichier supprimé (conservation 90 jours)." in page
        response = client.get(f"/imports/{stored['pending']}/settings", follow_redirects=True)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "Fichier importé supprimé (conservation 90 jours)." in body
        page = client.get(f"/intake/show/{stored['delivery']}").get_data(as_text=True)
        assert "Contenu supprimé (conservation 90 jours)." in page
        response = client.post(f"/intake/replay/{stored['delivery']}", follow_redirects=True)
        assert "cette entrée ne peut plus être rejouée" in response.get_data(as_text=True)
        assert db.session.get(IntakeDelivery, stored["delivery"]).attempts == 1


def test_periods_come_from_the_settings(app, runner, stored):
    app.config.update(CRM_PURGE_EXPORT_DAYS=60, CRM_PURGE_IMPORT_DAYS=365)
    with at(91):
        assert tick(runner) == 2  # rejects/warnings and export only
    assert os.path.exists(stored["files"]["ran"])
    assert db.session.get(IntakeDelivery, stored["delivery"]).body


def test_a_running_import_keeps_its_file(app, stored):
    batch = db.session.get(ImportBatch, stored["ran"])
    batch.status = "running"
    db.session.commit()
    counts = purge.purge_stored_files(db.session, 90, 30, db.session.commit,
                                      now=(START + dt.timedelta(days=400)).replace(tzinfo=None))
    assert counts == {"import_files": 1, "intake_payloads": 1, "import_reports": 0,
                      "export_files": 1}
    assert os.path.exists(stored["files"]["ran"]) and os.path.exists(stored["files"]["rejected"])


def test_large_purges_go_in_committed_batches(app, monkeypatch):
    monkeypatch.setattr(purge, "BATCH_SIZE", 2)
    old = dt.datetime(2030, 1, 1)
    db.session.add_all(IntakeDelivery(channel="web_form", body="{}", received_at=old)
                       for _ in range(5))
    db.session.commit()
    checkpoints = []
    counts = purge.purge_stored_files(db.session, 90, 30, lambda: checkpoints.append(1),
                                      now=old + dt.timedelta(days=91))
    assert counts["intake_payloads"] == 5 and len(checkpoints) == 3
    assert db.session.query(IntakeDelivery).filter(IntakeDelivery.body.is_not(None)).count() == 0
