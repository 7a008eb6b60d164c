"""The French PDF summary of a right-of-access report (app/services/privacy/access.py), laid
out like the CRM's other PDFs (xhtml2pdf; Helvetica carries every French accent)."""
from flask import current_app, render_template

from models import APPOINTMENT_STATUSES, KINDS, REQUEST_STATUSES, STATUSES
from models.base import utcnow
from models.consent import CHANNELS, METHODS, STATES
from models.interaction import DIRECTIONS

# The report carries codes; the screen and the PDF show these labels.
LABELS = {"statuses": STATUSES, "channels": CHANNELS, "states": STATES, "methods": METHODS,
          "kinds": KINDS, "directions": DIRECTIONS, "appointment_statuses": APPOINTMENT_STATUSES,
          "request_statuses": REQUEST_STATUSES}


def write_person_pdf(data, handle):
    from xhtml2pdf import pisa

    html = render_template(
        "privacy/person_pdf.html", data=data, labels=LABELS,
        company=current_app.config.get("CRM_COMPANY_NAME") or current_app.config["APP_NAME"],
        generated=utcnow())
    if pisa.CreatePDF(html, dest=handle, encoding="utf-8").err:
        raise RuntimeError("PDF generation failed")
