"""Tables written as files people open: CSV (UTF-8 with BOM, "," or ";"), Excel (typed columns,
real dates and numbers, a styled header; streamed), PDF (xhtml2pdf, A4 landscape, page
numbers, the company's name and logo). Every text cell goes through safe_cell.

A column is (title, kind): "text", "date" (naive local datetime, or a word in its place), "number", "percent" or
"money" (euros)."""
import csv
import datetime as dt

from flask import current_app, render_template

from app.services.exports import safe_cell
from app.timezones import crm_zone


def euros(value):
    """1234.5 -> "1 234,50 €" (French grouping and decimal comma)."""
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def text_of(value, kind):
    if value is None:
        return ""
    if kind == "money":
        return euros(value)
    if kind == "date" and isinstance(value, dt.date):  # else a word in its place: "date inconnue"
        return value.strftime("%d/%m/%Y %H:%M")
    if kind == "percent":
        return f"{value * 100:.1f} %".replace(".", ",")
    if kind == "number":
        return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "\u202f").replace(".", ",") \
            if isinstance(value, float) else f"{value:,}".replace(",", "\u202f")
    return safe_cell(value)


def write_csv(columns, rows, handle, delimiter=","):
    """`handle`: a text file opened with newline=""; returns the number of rows."""
    handle.write("\ufeff")  # so that Excel reads the accents
    writer = csv.writer(handle, delimiter=delimiter)
    writer.writerow([str(title) for title, _kind in columns])
    count = 0
    for row in rows:
        writer.writerow([text_of(value, kind) if kind not in ("number", "money") or value is None
                         else str(value).replace(".", "," if delimiter == ";" else ".")
                         for value, (_title, kind) in zip(row, columns)])
        count += 1
    return count


def write_xlsx(columns, rows, target, title):
    """Streamed in XlsxWriter's constant-memory mode (about 3 times faster than openpyxl,
    memory flat); `target` is a path or a binary file."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False,
                                            "strings_to_formulas": False,
                                            "strings_to_urls": False})
    sheet = workbook.add_worksheet(str(title)[:31])
    header = workbook.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#2F6FAB",
                                  "valign": "vcenter"})
    formats = {"date": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
               "percent": workbook.add_format({"num_format": "0.0%"}),
               "money": workbook.add_format({"num_format": '#,##0.00 "€"'}), "number": None}
    kinds = [kind for _title, kind in columns]
    for index, (title_text, kind) in enumerate(columns):
        sheet.set_column(index, index, 18 if kind != "text" else 24)
        sheet.write_string(0, index, str(title_text), header)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            kind = kinds[index]
            if value is None:
                continue
            if kind == "date" and isinstance(value, dt.date):
                sheet.write_datetime(count, index, value, formats["date"])
            elif kind in ("number", "percent", "money"):
                sheet.write_number(count, index, float(value), formats[kind])
            else:
                sheet.write_string(count, index, safe_cell(value))
    workbook.close()
    return count


def write_pdf(columns, rows, handle, title, subtitle=""):
    from xhtml2pdf import pisa

    texts = [[text_of(value, kind) for value, (_t, kind) in zip(row, columns)] for row in rows]
    now = dt.datetime.now(dt.timezone.utc).astimezone(crm_zone()).replace(tzinfo=None)
    html = render_template("exports/table.html", title=title, rows=texts, subtitle=subtitle,
                           columns=[str(t) for t, _kind in columns],
                           company=current_app.config.get("CRM_COMPANY_NAME") or
                           current_app.config["APP_NAME"],
                           logo=current_app.config.get("CRM_COMPANY_LOGO"), generated=now)
    if pisa.CreatePDF(html, dest=handle, encoding="utf-8").err:
        raise RuntimeError("PDF generation failed")
    return len(texts)
