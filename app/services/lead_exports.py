"""Lead list exports: CSV (UTF-8 with BOM; "," or ";" for French Excel), Excel (typed columns,
real dates, a styled header) and PDF (xhtml2pdf). Rows are streamed from the query, every text
cell goes through safe_cell, and dates are shown in Paris time."""
import csv
import datetime as dt

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.services.contact import format_phone
from app.services.exports import safe_cell
from app.timezones import crm_zone
from models import STATUSES, Campaign, Lead, Source, User

FORMATS = {"csv": ("text/csv", "csv"), "csv-fr": ("text/csv", "csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
           "pdf": ("application/pdf", "pdf")}

# (label, kind): kind "date" is written as a real date in Excel.
COLUMNS = [
    (_l("Créé le"), "date"), (_l("Nom"), "text"), (_l("Prénom"), "text"),
    (_l("Société"), "text"), (_l("E-mail"), "text"), (_l("Téléphone"), "text"),
    (_l("Statut"), "text"), (_l("Source"), "text"), (_l("Campagne"), "text"),
    (_l("Commercial"), "text"), (_l("Premier contact"), "date"), (_l("Converti le"), "date"),
]


class Rows:
    """Each lead as the values of COLUMNS: dates in Paris time (naive), labels translated once
    per export rather than once per row."""

    def __init__(self):
        self.zone = crm_zone()
        self.statuses = {code: str(label) for code, label in STATUSES.items()}
        self.region = current_app.config.get("CRM_PHONE_REGION", "FR")

    def local(self, value):
        return value.replace(tzinfo=dt.timezone.utc).astimezone(self.zone).replace(tzinfo=None) \
            if value else None

    def values(self, row):
        owner = " ".join(part for part in (row.owner_first, row.owner_last) if part) or None
        return [self.local(row.created_at), row.last_name, row.first_name, row.company,
                row.email, format_phone(row.phone, self.region) if row.phone else None,
                self.statuses.get(row.status, row.status), row.source, row.campaign, owner,
                self.local(row.first_contacted_at), self.local(row.converted_at)]

    def texts(self, lead):
        """The values as text: dates as 31/12/2026 23:59, every other cell made harmless."""
        return [(value.strftime("%d/%m/%Y %H:%M") if value else "") if kind == "date"
                else safe_cell(value)
                for value, (_label, kind) in zip(self.values(lead), COLUMNS)]


def leads_in(query, chunk=5000):
    """The rows of a (scoped, filtered, ordered) lead query: the exported columns only, joined
    in SQL and read in chunks (no ORM objects: a third of the time on 100,000 leads)."""
    source, campaign, owner = aliased(Source), aliased(Campaign), aliased(User)
    return (query.outerjoin(source, Lead.source_id == source.id)
            .outerjoin(campaign, Lead.campaign_id == campaign.id)
            .outerjoin(owner, Lead.owner_id == owner.id)
            .with_entities(Lead.created_at, Lead.last_name, Lead.first_name, Lead.company,
                           Lead.email, Lead.phone, Lead.status, source.name.label("source"),
                           campaign.name.label("campaign"), owner.first_name.label("owner_first"),
                           owner.last_name.label("owner_last"), Lead.first_contacted_at,
                           Lead.converted_at)
            .yield_per(chunk))


def write_csv(leads, handle, delimiter=","):
    """UTF-8 with a BOM (so that Excel reads the accents); `handle` is a text file opened
    with newline=""."""
    handle.write("\ufeff")
    writer = csv.writer(handle, delimiter=delimiter)
    writer.writerow([str(label) for label, _kind in COLUMNS])
    rows, count = Rows(), 0
    for lead in leads:
        writer.writerow(rows.texts(lead))
        count += 1
    return count


def write_xlsx(leads, target, title):
    """A workbook streamed row by row (XlsxWriter's constant-memory mode: about 3 times faster
    than openpyxl, memory flat); `target` is a path or a binary file."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False,
                                            "strings_to_formulas": False,
                                            "strings_to_urls": False})
    sheet = workbook.add_worksheet(str(title)[:31])
    header = workbook.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#2F6FAB",
                                  "valign": "vcenter"})
    date = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for index, (label, kind) in enumerate(COLUMNS):
        sheet.set_column(index, index, 18 if kind == "date" else 24)
        sheet.write_string(0, index, str(label), header)
    sheet.freeze_panes(1, 0)
    rows, count = Rows(), 0
    kinds = [kind for _label, kind in COLUMNS]
    for count, lead in enumerate(leads, start=1):
        for index, value in enumerate(rows.values(lead)):
            if value is None:
                continue
            if kinds[index] == "date":
                sheet.write_datetime(count, index, value, date)
            else:
                sheet.write_string(count, index, safe_cell(value))
    workbook.close()
    return count


def write_pdf(leads, handle, title, filters_text=""):
    """An A4 landscape table with the company's name, the date and page numbers."""
    from xhtml2pdf import pisa

    builder = Rows()
    rows = [builder.texts(lead) for lead in leads]
    html = render_template("exports/leads.html", title=title, rows=rows, filters_text=filters_text,
                           columns=[str(label) for label, _kind in COLUMNS],
                           company=current_app.config.get("CRM_COMPANY_NAME") or
                           current_app.config["APP_NAME"],
                           logo=current_app.config.get("CRM_COMPANY_LOGO"),
                           generated=builder.local(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
    result = pisa.CreatePDF(html, dest=handle, encoding="utf-8")
    if result.err:
        raise RuntimeError("PDF generation failed")
    return len(rows)
