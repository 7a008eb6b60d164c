"""Saved reports e-mailed every week as PDF to their owner (from the tick)."""
import datetime as dt
import io

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Message

from app.extensions import db, mail
from app.services.notifications import default_locale, profile_of
from app.services.reports import column_kinds, loads, run
from app.services.table_files import write_pdf
from app.services.viewer import Viewer
from app.timezones import crm_zone
from models import SavedReport
from models.base import utcnow

WEEK = dt.timedelta(days=7)


def send_weekly_reports(now=None):
    """Each weekly report not sent for a week: run with its owner's row-level rule, sent."""
    now = now or utcnow()
    sent = 0
    for report in db.session.query(SavedReport).filter(SavedReport.weekly_email.is_(True)):
        if report.last_sent_at and report.last_sent_at > now - WEEK:
            continue
        owner = report.owner
        if not owner.active or not owner.email:
            continue
        definition, _shared = loads(report)
        with force_locale(profile_of(db.session, owner.id).locale or default_locale()):
            titles, rows = run(db.session, definition,
                               now.replace(tzinfo=dt.timezone.utc).astimezone(crm_zone()).date(),
                               Viewer.for_user(db.session, owner.id))
            pdf = io.BytesIO()
            write_pdf(list(zip(titles, column_kinds(definition))), rows, pdf, report.name)
            message = Message(subject=_("Rapport de la semaine : %(name)s", name=report.name),
                              recipients=[owner.email],
                              body=_("Votre rapport « %(name)s » est joint.", name=report.name))
        message.attach(f"rapport-{report.id}.pdf", "application/pdf", pdf.getvalue())
        mail.send(message)
        report.last_sent_at = now
        db.session.commit()
        sent += 1
    return sent
