"""Lead list exports: CSV (UTF-8 with BOM; "," or ";" for French Excel), Excel (typed columns,
real dates, a styled header) and PDF (xhtml2pdf). Rows are streamed from the query, every text
cell goes through safe_cell, and dates are shown in Paris time."""
import csv
import datetime as dt

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.services.contact import format_phone
from app.services.exports import safe_cell
from app.timezones import to_local
from models import STATUSES, Lead

FORMATS = {"csv": ("text/csv", "csv"), "csv-fr": ("text/csv", "csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
           "pdf": ("application/pdf", "pdf")}

# (label, value of a lead, kind): kind "date" is written as a real date in Excel.
COLUMNS = [
    (_l("Créé le"), lambda lead: lead.created_at, "date"),
    (_l("Nom"), lambda lead: lead.last_name, "text"),
    (_l("Prénom"), lambda lead: lead.first_name, "text"),
    (_l("Société"), lambda lead: lead.company, "text"),
    (_l("E-mail"), lambda lead: lead.email, "text"),
    (_l("Téléphone"), lambda lead: format_phone(lead.phone) if lead.phone else None, "text"),
    (_l("Statut"), lambda lead: str(STATUSES.get(lead.status, lead.status)), "text"),
    (_l("Source"), lambda lead: lead.source.name if lead.source else None, "text"),
    (_l("Campagne"), lambda lead: lead.campaign.name if lead.campaign else None, "text"),
    (_l("Commercial"), lambda lead: lead.owner.get_full_name() if lead.owner else None, "text"),
    (_l("Premier contact"), lambda lead: lead.first_contacted_at, "date"),
    (_l("Converti le"), lambda lead: lead.converted_at, "date"),
]


def leads_in(query, chunk=2000):
    """The leads of a (scoped, filtered, ordered) query, read in chunks with their relations."""
    return query.options(joinedload(Lead.source), joinedload(Lead.campaign),
                         joinedload(Lead.owner)).yield_per(chunk)


def _local(value):
    return to_local(value).replace(tzinfo=None) if value else None


def _text_row(lead):
    row = []
    for _label, value_of, kind in COLUMNS:
        value = value_of(lead)
        if kind == "date":
            row.append(_local(value).strftime("%d/%m/%Y %H:%M") if value else "")
        else:
            row.append(safe_cell(value))
    return row


def write_csv(leads, handle, delimiter=","):
    """UTF-8 with a BOM (so that Excel reads the accents); `handle` is a text file opened
    with newline=""."""
    handle.write("\ufeff")
    writer = csv.writer(handle, delimiter=delimiter)
    writer.writerow([str(label) for label, _v, _k in COLUMNS])
    count = 0
    for lead in leads:
        writer.writerow(_text_row(lead))
        count += 1
    return count


def write_xlsx(leads, path, title):
    """A workbook written row by row (write-only mode: memory stays flat)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    sheet.freeze_panes = "A2"
    for index, (_label, _value_of, kind) in enumerate(COLUMNS):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = 18 if kind == "date" else 24
    header = []
    for label, _v, _k in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2F6FAB")
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    count = 0
    for lead in leads:
        row = []
        for _label, value_of, kind in COLUMNS:
            value = value_of(lead)
            if kind == "date":
                cell = WriteOnlyCell(sheet, value=_local(value))
                cell.number_format = "DD/MM/YYYY HH:MM"
            else:
                # openpyxl stores strings as text (never formulas) except those starting
                # with "=": safe_cell makes every such value harmless for other tools too.
                cell = WriteOnlyCell(sheet, value=safe_cell(value) if value is not None else None)
            row.append(cell)
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


def write_pdf(leads, handle, title, filters_text=""):
    """An A4 landscape table with the company's name, the date and page numbers."""
    from xhtml2pdf import pisa

    rows = [_text_row(lead) for lead in leads]
    html = render_template("exports/leads.html", title=title, rows=rows, filters_text=filters_text,
                           columns=[str(label) for label, _v, _k in COLUMNS],
                           company=current_app.config.get("CRM_COMPANY_NAME") or
                           current_app.config["APP_NAME"],
                           logo=current_app.config.get("CRM_COMPANY_LOGO"),
                           generated=_local(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
    result = pisa.CreatePDF(html, dest=handle, encoding="utf-8")
    if result.err:
        raise RuntimeError("PDF generation failed")
    return len(rows)
