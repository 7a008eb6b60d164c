"""The erased people's rows in the import files the CRM keeps: the stored file (CSV or XLSX),
its rejected rows and its rows with warnings (CSV). A row is theirs when it is the row their
lead came from, or when one of its cells is their e-mail or phone (a duplicate that was
skipped, a rejected row). In the stored file the row is blanked, not removed, so that the row
numbers the leads and the reports refer to stay right; in the rejects and warnings it goes."""
import csv
import os
import re
import tempfile

from sqlalchemy import select

from app.services.archives import check_spreadsheet
from app.services.importing.reading import cell_text, sniff
from models import ImportBatch

_NOT_DIGIT = re.compile(r"\D")


def _phone_digits(e164, region):
    """The digits a file may write the phone with: international, and national for the
    CRM's region (+33 6 12... is 06 12... in a French file)."""
    import phonenumbers

    digits = {e164.lstrip("+")}
    try:
        national = phonenumbers.format_number(phonenumbers.parse(e164, region),
                                              phonenumbers.PhoneNumberFormat.NATIONAL)
        digits.add(_NOT_DIGIT.sub("", national))
    except phonenumbers.NumberParseException:
        pass
    return digits


class PersonMatcher:
    """Tells whether a row or a text names one of the people (by e-mail or phone)."""

    def __init__(self, people, region="FR"):
        self.emails = {p.email.lower() for p in people if p.email}
        self.phones = set()
        for person in people:
            if person.phone:
                self.phones |= _phone_digits(person.phone, region)
        self.rows = {(p.import_batch_id, p.import_row) for p in people if p.import_batch_id}

    def needles(self):
        """Strings whose presence in a stored text shows the person."""
        return self.emails | {"+" + d for d in self.phones if not d.startswith("0")} | {
            d for d in self.phones if d.startswith("0")}

    def row_matches(self, cells):
        for cell in cells:
            text = cell.strip().lower()
            if not text:
                continue
            if text in self.emails:
                return True
            digits = _NOT_DIGIT.sub("", text)
            if len(digits) >= 8 and digits in self.phones:
                return True
        return False


def purge_import_files(session, matcher, people):
    """Rewrite every import's files without the people's rows; returns how many rows went."""
    if not matcher.emails and not matcher.phones and not matcher.rows:
        return 0
    count = 0
    for batch in session.scalars(select(ImportBatch)):
        own_rows = {row for batch_id, row in matcher.rows if batch_id == batch.id}
        if batch.stored_path and os.path.exists(batch.stored_path):
            count += _blank_stored_rows(batch, matcher, own_rows)
        for path in (batch.rejected_path, batch.warnings_path):
            if path and os.path.exists(path):
                count += _drop_csv_rows(path, matcher)
    return count


def _replace(path, write):
    """Write a new version next to the file, then swap it in: never a half-written file."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".erasure-")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        os.remove(temporary)
        raise


def _blank_stored_rows(batch, matcher, own_rows):
    settings = sniff(batch.stored_path, batch.encoding or "auto", batch.delimiter or "auto")
    if settings.kind == "xlsx":
        return _blank_xlsx_rows(batch.stored_path, batch.header_row, matcher, own_rows)
    with open(batch.stored_path, encoding=settings.encoding, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=settings.delimiter))
    blanked = 0
    for index, row in enumerate(rows):
        if index > batch.header_row and (index + 1 in own_rows or matcher.row_matches(row)):
            rows[index] = [""] * len(row)
            blanked += 1
    if blanked:
        def write(path):
            with open(path, "w", encoding=settings.encoding, newline="") as out:
                csv.writer(out, delimiter=settings.delimiter).writerows(rows)
        _replace(batch.stored_path, write)
    return blanked


def _blank_xlsx_rows(path, header_row, matcher, own_rows):
    from openpyxl import load_workbook

    check_spreadsheet(path)
    workbook = load_workbook(path)
    blanked = 0
    try:
        sheet = workbook.worksheets[0]
        for index, cells in enumerate(sheet.iter_rows()):
            texts = [cell_text(cell.value) for cell in cells]
            if index > header_row and (index + 1 in own_rows or matcher.row_matches(texts)):
                for cell in cells:
                    cell.value = None
                blanked += 1
        if blanked:
            _replace(path, workbook.save)
    finally:
        workbook.close()
    return blanked


def _drop_csv_rows(path, matcher):
    """Rejects and warnings files: written by the import in UTF-8 with ';', header first."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    kept = rows[:1] + [row for row in rows[1:] if not matcher.row_matches(row)]
    if len(kept) == len(rows):
        return 0

    def write(temporary):
        with open(temporary, "w", encoding="utf-8-sig", newline="") as out:
            csv.writer(out, delimiter=";").writerows(kept)
    _replace(path, write)
    return len(rows) - len(kept)
