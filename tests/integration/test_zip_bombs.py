"""Office and OpenDocument files are checked before anything inflates them: a zip bomb is
refused with 422 and a French message, nothing is written, and the memory barely moves."""
import base64
import io
import os
import tracemalloc

import pytest

from app.extensions import db
from models import Attachment, CampaignSpend, ImportBatch
from tests.factories import make_lead
from tests.zip_bombs import crowded_zip, lying_xlsx, odt_bomb, xlsx_bomb, xlsx_parts, member, zip_of

PEAK_BYTES = 50 * 1024 * 1024
# 1 MB of shared strings that deflate about 70 times: under the ratio cap.
SPARSE_STRINGS = (b"<si><t>" + base64.b64encode(os.urandom(15000)) + b"</t></si>") * 52


def post_file(client, url, name, content, headers=None):
    return client.post(url, data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", headers=headers)


def peak_of(send):
    """(response, peak of Python's memory while the request ran)."""
    tracemalloc.start()
    try:
        response = send()
        return response, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def claire_lead(client, accounts):
    lead = make_lead(owner=accounts.create("claire", "Commercial"))
    accounts.login(client, "claire")
    return lead


@pytest.fixture
def importer(app, client, accounts, tmp_path):
    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    return client


def nothing_stored(directory):
    return not os.path.isdir(directory) or os.listdir(directory) == []


@pytest.mark.parametrize("name, content, reason", [
    ("offre.odt", odt_bomb(), "bombe de décompression"),
    ("contrat.docx", crowded_zip(), "plus de 5000 éléments"),
    ("contrat.docx", zip_of(member("[Content_Types].xml", b"<Types/>"),
                            member("word/document.xml", times=20)), "plus de 100 fois"),
], ids=["1-gib-mimetype", "too-many-members", "ratio-over-100"])
def test_an_attachment_bomb_is_refused_before_it_inflates(app, client, accounts, claire_lead, name,
                                                          content, reason):
    response, peak = peak_of(lambda: post_file(client, f"/sheet/{claire_lead.id}/attach", name,
                                               content))
    assert response.status_code == 422 and reason in response.get_data(as_text=True)
    assert peak < PEAK_BYTES, peak
    api = post_file(client, f"/api/v1/sheet/{claire_lead.id}/attachments", name, content,
                    headers=accounts.token(client, "claire"))
    assert api.status_code == 422 and reason in str(api.get_json())
    assert db.session.query(Attachment).count() == 0
    assert nothing_stored(app.config["CRM_ATTACHMENT_DIR"])


@pytest.mark.parametrize("content, reason", [
    (xlsx_bomb(), "bombe de décompression"),
    (lying_xlsx(), "archive est corrompue"),
    (crowded_zip(), "plus de 5000 éléments"),
    (zip_of(*xlsx_parts(member("xl/sharedStrings.xml", SPARSE_STRINGS, 17))),
     "trop de textes ou de styles"),
    (zip_of(*xlsx_parts(member("xl/styles.xml", SPARSE_STRINGS, 5))),
     "trop de textes ou de styles"),
    (zip_of(*xlsx_parts((b"xl/styles.xml", b"\xff" * 100, 0, 1000, 1000))),
     "archive est corrompue"),
], ids=["huge-shared-strings", "lying-header", "too-many-members", "shared-strings-over-16-mb",
        "styles-over-4-mb", "corrupt-deflate"])
def test_an_import_bomb_is_refused_before_openpyxl_sees_it(app, importer, content, reason):
    response, peak = peak_of(lambda: post_file(importer, "/imports/", "salon.xlsx", content))
    assert response.status_code == 422 and reason in response.get_data(as_text=True)
    assert peak < PEAK_BYTES, peak
    assert db.session.query(ImportBatch).count() == 0
    assert nothing_stored(app.config["CRM_IMPORT_DIR"])


def test_a_spend_import_bomb_is_refused(client, accounts):
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    response, peak = peak_of(lambda: post_file(client, "/spend/", "depenses.xlsx", xlsx_bomb()))
    assert response.status_code == 422 and "bombe de décompression" in response.get_data(as_text=True)
    assert peak < PEAK_BYTES, peak
    assert db.session.query(CampaignSpend).count() == 0


def test_a_real_workbook_still_imports(importer):
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for row, values in enumerate([["Nom", "E-mail"], ["Martin", "martin@exemple.fr"]]):
        sheet.write_row(row, 0, values)
    workbook.close()
    response = post_file(importer, "/imports/", "salon.xlsx", out.getvalue())
    assert response.status_code == 302 and "/settings" in response.location
    batch = db.session.query(ImportBatch).one()
    assert "Martin" in importer.get(f"/imports/{batch.id}/settings").get_data(as_text=True)


def test_an_attachment_with_a_corrupt_stream_is_refused(app, client, claire_lead):
    odt = zip_of((b"mimetype", b"\xff" * 50, 0, 39, 39),
                 member("content.xml", b"<office:document-content/>"))
    response = post_file(client, f"/sheet/{claire_lead.id}/attach", "offre.odt", odt)
    assert response.status_code == 400
    assert "ne correspond pas à son extension" in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0
