"""Lead import from CSV and XLSX files (service and `flask crm import`)."""
import csv
import datetime as dt
import json
import os

import openpyxl
import pytest

from app.extensions import db
from app.services.errors import DomainError
from app.services.importing import runner
from app.services.importing import runner as runner_module
from app.services.importing.batches import new_batch, store_file
from app.services.importing.preview import preview
from app.services.importing.reading import sniff
from jobs.imports import commit_progress
from models import ImportBatch, Lead, Source
from models.base import utcnow
from tests.data.make_samples import sample
from tests.factories import make_lead

COUNT_KEYS = ("created", "warned", "updated", "skipped", "rejected", "blank")


@pytest.fixture
def import_dir(app, tmp_path):
    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    return tmp_path


def run_cli(runner_, path, *options):
    result = runner_.invoke(args=["crm", "import", str(path), "--json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def write_csv(path, rows, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def data_row_count(counts):
    return sum(counts[k] for k in COUNT_KEYS)


def test_french_excel_csv(runner, import_dir):
    counts = run_cli(runner, sample("leads_excel_fr.csv"))
    assert (counts["created"], counts["warned"], counts["skipped"], counts["rejected"],
            counts["blank"]) == (4, 3, 1, 0, 1)
    assert data_row_count(counts) == 9  # every row of the file is accounted for
    marchetti = db.session.query(Lead).filter_by(email="eloise.marchetti@exemple.fr").one()
    assert (marchetti.first_name, marchetti.phone, marchetti.note) == ("Éloïse", "+33652314780", "Rappeler avant 9h")
    assert marchetti.created_at.strftime("%Y-%m-%d %H:%M") == "2026-11-02 23:00"  # 03/11 midnight in Paris
    assert db.session.query(Lead).filter_by(last_name="Nowak").one().status == "abandoned"
    # Kept with a warning: a bad e-mail beside a good phone, a bad phone beside a good e-mail,
    # an unknown status and an impossible date.
    petit = db.session.query(Lead).filter_by(last_name="Petit").one()
    assert (petit.email, petit.phone, petit.note) == (None, "+33652314784",
                                                "E-mail non reconnu à l'import : mael.petit@")
    garnier = db.session.query(Lead).filter_by(last_name="Garnier").one()
    assert (garnier.phone, garnier.note) == (None, "Téléphone non reconnu à l'import : pas de portable")
    rolland = db.session.query(Lead).filter_by(last_name="Rolland").one()
    assert rolland.status == "new" and rolland.created_at.year == utcnow().year
    with open(counts["warnings_file"], encoding="utf-8-sig") as handle:
        warned = list(csv.reader(handle, delimiter=";"))
    assert warned[0][:3] == ["Nom", "Prénom", "Courriel"] and warned[0][-2:] == ["Avertissements", "Ligne"]
    assert [row[-2] for row in warned[1:]] == [
        "Adresse e-mail invalide : mael.petit@ (gardé dans la note)",
        "Numéro de téléphone invalide : pas de portable (gardé dans la note)",
        "Statut inconnu, importé comme Nouveau : Tiède ; Date impossible, laissée vide : 31/11/2026"]
    assert [row[-1] for row in warned[1:]] == ["7", "8", "9"]


def test_utf8_bom_csv_keeps_multiline_notes(runner, import_dir):
    counts = run_cli(runner, sample("leads_utf8_bom.csv"))
    assert data_row_count(counts) == 4
    hopper = db.session.query(Lead).filter_by(email="grace.hopper@example.com").one()
    assert hopper.note == 'Wants a call back\n"enterprise" tier' and hopper.phone == "+442079460123"


def test_trade_show_xlsx_with_title_row_and_numeric_phones(runner, import_dir):
    counts = run_cli(runner, sample("salon_bordeaux_2026.xlsx"), "--source", "Salon de Bordeaux")
    assert (counts["created"], counts["warned"], counts["rejected"]) == (3, 1, 0)
    lacombe = db.session.query(Lead).filter_by(last_name="Lacombe").one()
    assert lacombe.phone == "+33652314801"  # Excel had dropped the leading zero
    assert lacombe.source.name == "Salon de Bordeaux" and lacombe.company == "Menuiserie Lacombe"


@pytest.fixture(params=["read whole", "looked up"])
def lookup(request, monkeypatch):
    """Both ways of finding existing leads: the CRM read at once, or a lookup per chunk."""
    monkeypatch.setattr(runner_module, "PRELOAD_FACTOR", 1000 if request.param == "read whole" else 0)


def test_same_file_twice_with_skip_creates_nothing_more(runner, import_dir, lookup):
    run_cli(runner, sample("leads_excel_fr.csv"))
    before = db.session.query(Lead).count()
    counts = run_cli(runner, sample("leads_excel_fr.csv"))
    assert counts["created"] == counts["warned"] == 0 and counts["skipped"] == 8
    assert db.session.query(Lead).count() == before


def test_update_and_create_policies(runner, import_dir, tmp_path, lookup):
    existing = make_lead(last_name="Durand", email="jean.durand@exemple.fr", phone="0611223344",
                         company=None)
    path = write_csv(tmp_path / "maj.csv", [["Nom", "E-mail", "Société"],
                                            ["Durand", "JEAN.DURAND@exemple.fr", "Durand SA"]])
    counts = run_cli(runner, path, "--policy", "update")
    assert (counts["updated"], counts["created"]) == (1, 0)
    db.session.refresh(existing)
    assert existing.company == "Durand SA"
    counts = run_cli(runner, path, "--policy", "create")
    assert counts["created"] == 1
    flagged = db.session.query(Lead).filter_by(possible_duplicate=True).one()
    assert flagged.email == "jean.durand@exemple.fr"


def test_duplicates_inside_the_file(runner, import_dir, tmp_path):
    path = write_csv(tmp_path / "dups.csv", [
        ["Nom", "E-mail", "Téléphone", "Société"],
        ["Petit", "a@exemple.fr", "0611111111", ""],
        ["Petit", "A@exemple.fr", "", "Petit SARL"],
        ["Autre", "", "06 11 11 11 11", ""],
    ])
    counts = run_cli(runner, path, "--policy", "update")
    assert (counts["created"], counts["updated"]) == (1, 2)
    lead = db.session.query(Lead).one()
    assert lead.company == "Petit SARL" and lead.last_name == "Autre"


def test_update_of_a_row_written_by_an_earlier_chunk(runner, import_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "CHUNK", 2)
    path = write_csv(tmp_path / "loin.csv", [
        ["Nom", "E-mail", "Société"],
        ["Petit", "a@exemple.fr", ""],
        ["Grand", "b@exemple.fr", ""],
        ["Petit", "a@exemple.fr", "Petit SARL"],  # same lead, next chunk
    ])
    counts = run_cli(runner, path, "--policy", "update")
    assert (counts["created"], counts["updated"]) == (2, 1)
    assert db.session.query(Lead).filter_by(email="a@exemple.fr").one().company == "Petit SARL"


def test_bulk_written_leads_read_back_like_orm_leads(runner, import_dir, tmp_path):
    path = write_csv(tmp_path / "types.csv", [["Nom", "E-mail", "Statut", "Créé le"],
                                              ["Roux", "r@exemple.fr", "Converti", "15/01/2026"]])
    run_cli(runner, path)
    lead = db.session.query(Lead).one()
    assert lead.created_at == dt.datetime(2026, 1, 14, 23, 0)  # midnight in Paris, UTC
    assert lead.converted_at == lead.created_at and lead.status == "converted"
    assert lead.possible_duplicate is False and lead.is_test is False
    # The list's date filter compares stored values: they must sort like ORM-written ones.
    assert db.session.query(Lead).filter(Lead.created_at >= dt.datetime(2026, 1, 14, 23)).count() == 1
    assert db.session.query(Lead).filter(Lead.created_at > dt.datetime(2026, 1, 14, 23)).count() == 0


def test_formula_cells_are_stored_as_text_and_neutralised_in_the_rejected_file(runner, import_dir, tmp_path):
    path = write_csv(tmp_path / "formules.csv", [
        ["Nom", "E-mail", "Note"],
        ["Sûr", "ok@exemple.fr", "=HYPERLINK(\"http://evil\")"],
        ["=1+1", "bad@", "@SUM(A1:A2)"],
    ])
    counts = run_cli(runner, path)
    assert db.session.query(Lead).one().note == '=HYPERLINK("http://evil")'
    with open(counts["rejected_file"], encoding="utf-8-sig") as handle:
        rejected = list(csv.reader(handle, delimiter=";"))
    assert rejected[1][0] == "'=1+1" and rejected[1][2] == "'@SUM(A1:A2)"


@pytest.mark.parametrize("encoding, delimiter", [("cp1252", ";"), ("utf-8-sig", ","), ("utf-8", "\t")])
def test_encodings_and_delimiters_are_detected(app, tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "f.csv", [["Nom", "Prénom", "Téléphone"], ["Lefèvre", "Élodie", "0612345678"]],
                     encoding=encoding, delimiter=delimiter)
    settings = sniff(str(path))
    assert settings.delimiter == delimiter
    assert settings.encoding == ("utf-8" if encoding == "utf-8" else encoding)


def numbered_batch(app, tmp_path, count):
    """A stored batch of `count` rows: Nom0, p0@exemple.fr, Nom1, p1@exemple.fr..."""
    rows = [["Nom", "E-mail"]] + [[f"Nom{i}", f"p{i}@exemple.fr"] for i in range(count)]
    path = write_csv(tmp_path / "numeros.csv", rows)
    stored = store_file(str(path), "numeros.csv", app.config["CRM_IMPORT_DIR"])
    batch = new_batch(db.session, stored, "numeros.csv")
    db.session.commit()
    return batch


def test_a_worker_killed_mid_import_completes_without_duplicates(app, import_dir, tmp_path, monkeypatch):
    batch = numbered_batch(app, tmp_path, 10)
    monkeypatch.setattr(runner, "CHUNK", 4)

    def crash(progress_batch):
        commit_progress(progress_batch)
        if progress_batch.processed_rows >= 4:
            raise RuntimeError("worker killed")
    with pytest.raises(RuntimeError):
        runner.run_batch(db.session, batch, crash)
    assert db.session.query(Lead).count() == 4
    counts = runner.run_batch(db.session, db.session.get(ImportBatch, batch.id), commit_progress)
    assert counts["created"] == 10 and db.session.query(Lead).count() == 10


def test_a_lead_written_meanwhile_fails_the_chunk_whole(app, import_dir, tmp_path, monkeypatch):
    """Another request took an e-mail after the duplicate check (played here by a check that
    misses it): the unique index refuses the chunk (whose insert runs in a second thread), the
    job records the failure, and none of the chunk's rows stays half-written."""
    from jobs.imports import run_import_job

    make_lead(last_name="Ailleurs", email="p4@exemple.fr")
    batch = numbered_batch(app, tmp_path, 6)
    monkeypatch.setattr(runner, "CHUNK", 3)
    match = runner.BatchRun._match
    monkeypatch.setattr(runner.BatchRun, "_match", lambda self, values: None
                        if values["email"] == "p4@exemple.fr" else match(self, values))
    with pytest.raises(Exception, match="(?i)unique"):
        run_import_job(batch.id)
    db.session.rollback()
    assert db.session.get(ImportBatch, batch.id).status == "failed"
    emails = {email for (email,) in db.session.query(Lead.email)}
    assert emails == {"p0@exemple.fr", "p1@exemple.fr", "p2@exemple.fr", "p4@exemple.fr"}


def test_undo_removes_the_created_leads(runner, import_dir):
    counts = run_cli(runner, sample("leads_excel_fr.csv"))
    batch = db.session.get(ImportBatch, counts["batch"])
    assert runner_undo(batch) == counts["created"] + counts["warned"]
    assert db.session.query(Lead).count() == 0 and batch.status == "undone"


def runner_undo(batch):
    removed = runner.undo_batch(db.session, batch)
    db.session.commit()
    return removed


@pytest.mark.parametrize("name, content, message", [
    ("notes.pdf", b"%PDF-1.4", "Type de fichier non pris en charge"),
    ("vide.csv", b"", "Le fichier est vide"),
    ("casse.xlsx", b"PK\x03\x04 pas vraiment un classeur", "Fichier Excel illisible"),
    ("sans-nom.csv", "Ville;Pays\nLyon;France\n".encode(), "Indiquez quelle colonne contient le nom"),
])
def test_unreadable_files_are_refused_with_a_message(runner, import_dir, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(args=["crm", "import", str(path)])
    assert result.exit_code != 0 and message in result.output
    assert db.session.query(ImportBatch).count() == 0 and db.session.query(Lead).count() == 0


def test_unknown_owner_is_refused(runner, import_dir):
    result = runner.invoke(args=["crm", "import", sample("leads_excel_fr.csv"), "--owner", "personne"])
    assert result.exit_code != 0 and "Unknown user" in result.output


def test_owner_and_campaign_defaults(runner, import_dir, accounts):
    accounts.create("claire", "Commercial")
    run_cli(runner, sample("salon_bordeaux_2026.xlsx"), "--owner", "claire", "--campaign", "Salon 2026")
    owners = {lead.owner.username for lead in db.session.query(Lead)}
    assert owners == {"claire"}
    assert {lead.campaign.name for lead in db.session.query(Lead)} == {"Salon 2026"}


def test_preview_gives_a_verdict_per_row(app, import_dir):
    make_lead(email="eloise.marchetti@exemple.fr", last_name="Marchetti")
    path = sample("leads_excel_fr.csv")
    settings = sniff(path)
    header, lines = preview(db.session, path, settings, 0,
                            {0: "last_name", 1: "first_name", 2: "email", 3: "phone", 5: "status",
                             7: "created_at"})
    kinds = [kind for _, _, _, kind in lines]
    assert header[0] == "Nom"
    assert kinds == ["duplicate_crm", "ok", "ok", "ok", "duplicate_crm", "warned", "warned",
                     "warned", "blank"]
    assert db.session.query(Source).count() == 0  # a preview writes nothing


def test_xlsx_generated_variant(runner, import_dir, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Last name", "First name", "Mobile", "Status", "Created"])
    sheet.append(["Martin", "Zoé", 612345678, "in progress", "2026-10-02"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Roux", "Léo", "06 12 34 56 79", "won", "31/02/2026"])
    path = tmp_path / "variant.xlsx"
    workbook.save(path)
    counts = run_cli(runner, path)
    assert (counts["created"], counts["warned"], counts["blank"]) == (1, 1, 1)
    martin = db.session.query(Lead).filter_by(last_name="Martin").one()
    assert (martin.phone, martin.status) == ("+33612345678", "in_progress")
    roux = db.session.query(Lead).filter_by(last_name="Roux").one()
    assert roux.status == "converted" and roux.created_at.year == utcnow().year  # 31/02: left empty


def test_store_file_refuses_names_it_cannot_trust(app, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["Nom"], ["X"]])
    stored = store_file(str(path), "../../etc/passwd.csv", str(tmp_path / "store"))
    assert os.path.dirname(stored) == str(tmp_path / "store")
    with pytest.raises(DomainError):
        store_file(str(path), "script.sh", str(tmp_path / "store"))


def test_blank_lines_between_rows_count_as_blank(runner, import_dir, tmp_path):
    text = "Nom;E-mail\nA;a@exemple.fr\n;\n\nB;b@exemple.fr\n"
    path = tmp_path / "trous.csv"
    path.write_text(text, encoding="utf-8")
    counts = run_cli(runner, path)
    assert (counts["created"], counts["blank"]) == (2, 2)
