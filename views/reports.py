"""Custom reports (menu Pilotage): build, save, share with roles, run again, export, and have
them e-mailed weekly as PDF. A report always runs with the row-level rule of whoever runs it."""
import io
import json

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import CRM_ROLES, REPORTS
from app.services.errors import DomainError
from app.services.lead_exports import FORMATS
from app.services.reports import (DIMENSIONS, MEASURES, check_definition, column_kinds, loads,
                                  run)
from app.services.table_files import write_csv, write_pdf, write_xlsx
from app.timezones import crm_zone
from models import SavedReport
from views.base import PageView
from views.scoping import current_user, current_viewer


def today():
    import datetime as dt

    return dt.datetime.now(crm_zone()).date()


def columns_of(definition, titles):
    return list(zip(titles, column_kinds(definition)))


def visible(report, user):
    """The owner's reports, and those shared with one of the user's roles."""
    roles = {role.name for role in user.roles}
    return report.owner_id == user.id or bool(roles & set(loads(report)[1]))


def run_for(definition):
    return run(db.session, definition, today(), current_viewer())


class ReportView(PageView):
    route_base = "/reports"
    class_permission_name = REPORTS
    method_permission_name = {"index": "list", "show": "list", "export": "list",
                              "delete": "list"}

    def _definition_from_form(self):
        form = request.form
        return check_definition({"dimensions": form.getlist("dimensions"),
                                 "measures": form.getlist("measures"), "days": form.get("days"),
                                 "source": form.get("source"), "campaign": form.get("campaign")})

    def _page(self, status=200, **context):
        user = current_user()
        reports = [r for r in db.session.query(SavedReport).order_by(SavedReport.name)
                   if visible(r, user)]
        return self.render_template("reports/index.html", title=_("Rapports"), reports=reports,
                                    dimensions=DIMENSIONS, measures=MEASURES, roles=CRM_ROLES,
                                    loads=loads, **context), status

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self):
        if request.method == "GET":
            return self._page()
        try:
            definition = self._definition_from_form()
        except DomainError as exc:
            flash(exc.message, "danger")
            return self._page(400, form=request.form)
        if request.form.get("action") != "save":
            titles, rows = run_for(definition)
            return self._page(form=request.form, titles=titles, rows=rows,
                              columns=columns_of(definition, titles))
        name = " ".join((request.form.get("name") or "").split())[:120]
        if not name:
            flash(_("Donnez un nom au rapport."), "danger")
            return self._page(400, form=request.form)
        shared = [r for r in request.form.getlist("roles") if r in CRM_ROLES]
        report = SavedReport(name=name, owner_id=current_user().id, definition=json.dumps(definition),
                             shared_roles=json.dumps(shared),
                             weekly_email=bool(request.form.get("weekly")))
        db.session.add(report)
        db.session.commit()
        flash(_("Rapport enregistré."), "success")
        return redirect(url_for("ReportView.show", report_id=report.id))

    def _report(self, report_id):
        report = db.session.get(SavedReport, report_id)
        if report is None or not visible(report, current_user()):
            abort(404)
        return report

    @expose("/<int:report_id>")
    @has_access
    def show(self, report_id):
        report = self._report(report_id)
        definition, _shared = loads(report)
        titles, rows = run_for(definition)
        return self._page(report=report, titles=titles, rows=rows,
                          columns=columns_of(definition, titles))

    @expose("/<int:report_id>/export")
    @has_access
    def export(self, report_id):
        report = self._report(report_id)
        file_format = request.args.get("format", "xlsx")
        if file_format not in FORMATS:
            abort(400, description=_("Format d'export inconnu : %(value)s", value=file_format[:20]))
        definition, _shared = loads(report)
        titles, rows = run_for(definition)
        columns = columns_of(definition, titles)
        if file_format.startswith("csv"):
            text = io.StringIO(newline="")
            write_csv(columns, rows, text, ";" if file_format == "csv-fr" else ",")
            data = io.BytesIO(text.getvalue().encode("utf-8"))
        else:
            data = io.BytesIO()
            (write_xlsx if file_format == "xlsx" else write_pdf)(columns, rows, data, report.name)
            data.seek(0)
        return send_file(data, mimetype=FORMATS[file_format][0], as_attachment=True,
                         download_name=f"rapport-{report.id}.{FORMATS[file_format][1]}", max_age=0)

    @expose("/<int:report_id>/delete", methods=["POST"])
    @has_access
    def delete(self, report_id):
        report = self._report(report_id)
        if report.owner_id != current_user().id:
            abort(403)
        db.session.delete(report)
        db.session.commit()
        flash(_("Rapport supprimé."), "success")
        return redirect(url_for("ReportView.index"))
