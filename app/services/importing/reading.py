"""Reading a CSV or XLSX file as rows of text, whatever its encoding and delimiter."""
import codecs
import csv
import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from app.services.archives import check_spreadsheet
from app.services.errors import DomainError

ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")
DELIMITERS = (",", ";", "\t")
SAMPLE_BYTES = 64 * 1024


@dataclass
class FileSettings:
    kind: str  # "csv" or "xlsx"
    encoding: str = "utf-8"
    delimiter: str = ","
    header_row: int = 0  # index of the header among the file's rows


def file_kind(path):
    with open(path, "rb") as handle:
        start = handle.read(4)
    if start.startswith(b"PK\x03\x04"):
        return "xlsx"
    return "csv"


def detect_encoding(sample):
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still UTF-8.
        if exc.start >= len(sample) - 3:
            return "utf-8"
    return "cp1252"  # what French Excel writes as "CSV (séparateur : point-virgule)"


def detect_delimiter(text):
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    scores = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
    best = max(scores, key=scores.get)
    return best if scores[best] else ","


def sniff(path, encoding="auto", delimiter="auto"):
    """Settings detected from the file; the header row is found later, from the rows."""
    kind = file_kind(path)
    if kind == "xlsx":
        return FileSettings(kind="xlsx", encoding=None, delimiter=None)
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if encoding == "auto":
        encoding = detect_encoding(sample)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DomainError(_("Encodage inconnu : %(name)s", name=encoding))
    text = sample.decode(encoding, errors="replace")
    if delimiter == "auto":
        delimiter = detect_delimiter(text)
    elif delimiter in ("tab", "\\t"):
        delimiter = "\t"
    if len(delimiter) != 1:
        raise DomainError(_("Séparateur invalide : %(value)s", value=delimiter))
    return FileSettings(kind="csv", encoding=encoding, delimiter=delimiter)


def cell_text(value):
    """Excel cells as the text a person sees: 645127801.0 -> "645127801", dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def iter_rows(path, settings):
    """Every row of the file (header area included), as lists of stripped strings."""
    if settings.kind == "xlsx":
        yield from _xlsx_rows(path)
        return
    with open(path, encoding=settings.encoding, errors="strict", newline="") as handle:
        try:
            for row in csv.reader(handle, delimiter=settings.delimiter):
                yield list(map(str.strip, row))
        except UnicodeDecodeError:
            raise DomainError(_("Le fichier n'est pas encodé en %(encoding)s : choisissez un autre "
                                "encodage.", encoding=settings.encoding))
        except csv.Error as exc:
            raise DomainError(_("Fichier CSV illisible : %(error)s", error=str(exc)))


def count_rows(path, settings):
    """Rows of the file, header area included, as iter_rows gives them (CSV: without
    stripping cells, twice as fast on a file of a million rows)."""
    if settings.kind == "xlsx":
        return sum(1 for _ in _xlsx_rows(path))
    if settings.encoding in ENCODINGS:  # ASCII-compatible: b'"', b"\r", b"\n" are characters
        lines = _unquoted_lines(path)
        if lines is not None:
            return lines
    with open(path, encoding=settings.encoding, errors="replace", newline="") as handle:
        try:
            return sum(1 for _ in csv.reader(handle, delimiter=settings.delimiter))
        except csv.Error as exc:
            raise DomainError(_("Fichier CSV illisible : %(error)s", error=str(exc)))


def _unquoted_lines(path):
    """Rows of a CSV file that has no quote and no lone carriage return, counted on the bytes:
    each line is then one row (an empty line too, as for the csv module). None otherwise (a
    quoted cell may hold line breaks), or when a block ends inside a CRLF."""
    lines = returns = line_ends = 0
    last = b"\n"
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if b'"' in block:
                return None
            lines += block.count(b"\n")
            returns += block.count(b"\r")
            line_ends += block.count(b"\r\n")
            last = block[-1:]
    if returns != line_ends:
        return None
    return lines + (last != b"\n")


def _xlsx_rows(path):
    from openpyxl import load_workbook
    from zipfile import BadZipFile

    check_spreadsheet(path)  # openpyxl is only given a file that cannot blow up
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        raise DomainError(_("Fichier Excel illisible."))
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    finally:
        workbook.close()


def is_blank(row):
    return not any(cell for cell in row)
