"""The import wizard: upload, settings and mapping with a preview, progress, result, undo."""
import os
import tempfile

from flask import abort, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.body_limits import FORM_OVERHEAD, body_limit
from app.extensions import db
from app.security import IMPORT
from app.services.errors import DomainError
from app.services.importing.batches import (check_ready, configure, new_batch, store_file,
                                            warned_rows)
from app.services.importing.mapping import FIELDS
from app.services.importing.preview import preview, values_to_choose
from app.services.importing.reading import sniff
from app.services.importing.runner import undo_batch
from jobs.imports import run_import_job
from jobs.queue import enqueue
from models import POLICIES, STATUSES, Campaign, ImportBatch, Source, User
from app.services.viewer import scope
from views.scoping import current_user, current_viewer

ENCODINGS = [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("cp1252", "Windows-1252 (Excel)"),
             ("latin-1", "ISO-8859-1")]
DELIMITERS = [(";", _l("Point-virgule ( ; )")), (",", _l("Virgule ( , )")), ("tab", _l("Tabulation"))]
HISTORY = 20
WARNINGS_SHOWN = 200


def _int_or_none(value):
    return int(value) if value and value.isdigit() else None


class ImportView(BaseView):
    route_base = "/imports"
    class_permission_name = IMPORT
    default_view = "upload"
    method_permission_name = {"upload": "import", "settings": "import", "status": "import",
                              "progress": "import", "rejected": "import", "warnings": "import",
                              "undo": "undo"}

    def _batch(self, batch_id):
        """A batch the user may see: their own, or any for those who see every lead."""
        batch = scope(db.session.query(ImportBatch), ImportBatch, current_viewer()).filter(
            ImportBatch.id == batch_id).first()
        if batch is None:
            abort(404)
        return batch

    @expose("/", methods=["GET", "POST"])
    @body_limit("CRM_IMPORT_MAX_BYTES", FORM_OVERHEAD)
    @has_access
    def upload(self):
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash(_("Choisissez un fichier."), "warning")
                return redirect(url_for("ImportView.upload"))
            try:
                batch = self._new_batch(upload)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
                return self._upload_page(exc.status)
            db.session.commit()
            return redirect(url_for("ImportView.settings", batch_id=batch.id))
        return self._upload_page()

    def _upload_page(self, status=200):
        query = scope(db.session.query(ImportBatch), ImportBatch, current_viewer()).order_by(
            ImportBatch.id.desc())
        return self.render_template("imports/upload.html", batches=query.limit(HISTORY).all(),
                                    max_mb=current_app.config["CRM_IMPORT_MAX_BYTES"] // 2**20), status

    def _new_batch(self, upload):
        with tempfile.NamedTemporaryFile(suffix=os.path.splitext(upload.filename)[1]) as tmp:
            upload.save(tmp.name)
            stored = store_file(tmp.name, upload.filename, current_app.config["CRM_IMPORT_DIR"])
        try:
            return new_batch(db.session, stored, os.path.basename(upload.filename),
                             user_id=current_user().id, ready=False)
        except DomainError:
            os.remove(stored)  # a refused file is not kept
            raise

    @expose("/<int:batch_id>/settings", methods=["GET", "POST"])
    @has_access
    def settings(self, batch_id):
        batch = self._batch(batch_id)
        if batch.stored_path is None:
            flash(_("Fichier importé supprimé (conservation %(days)d jours).",
                    days=current_app.config["CRM_PURGE_IMPORT_DAYS"]), "warning")
        if batch.status != "pending" or batch.stored_path is None:
            return redirect(url_for("ImportView.status", batch_id=batch.id))
        if request.method == "POST":
            try:
                self._configure(batch, request.form)
                if request.form.get("action") == "run":
                    check_ready(batch)
                    db.session.commit()
                    enqueue(run_import_job, batch.id, job_id=f"import-{batch.id}",
                            job_timeout=3600)
                    return redirect(url_for("ImportView.status", batch_id=batch.id))
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
        return self._render_settings(self._batch(batch_id))

    @staticmethod
    def _configure(batch, form):
        mapping = {key[4:]: value for key, value in form.items()
                   if key.startswith("col-") and key[4:].isdigit() and value in FIELDS}
        value_map = {}  # "map-<kind>-<key>": what the admin chose for a value of the file
        for name, value in form.items():
            kind, _sep, key = name[4:].partition("-")
            if name.startswith("map-") and key:
                value_map.setdefault(kind, {})[key] = value
        header = form.get("header_row", "")
        configure(batch, session=db.session, value_map=value_map,
                  encoding=form.get("encoding") or "auto",
                  delimiter=form.get("delimiter") or "auto",
                  header_row=int(header) - 1 if header.isdigit() and int(header) > 0 else None,
                  mapping=mapping, source_id=_int_or_none(form.get("source")),
                  campaign_id=_int_or_none(form.get("campaign")),
                  owner_id=_int_or_none(form.get("owner")), policy=form.get("policy", "skip"))

    def _render_settings(self, batch):
        settings = sniff(batch.stored_path, batch.encoding or "auto", batch.delimiter or "auto")
        mapping = {int(k): v for k, v in batch.mapping.items()}
        header, lines = preview(db.session, batch.stored_path, settings, batch.header_row,
                                mapping, batch.policy, current_app.config["CRM_PHONE_REGION"],
                                value_map=batch.value_map)
        choices = values_to_choose(db.session, batch.stored_path, settings, batch.header_row,
                                   mapping, batch.value_map)
        samples = [[row[i] if i < len(row) else "" for _, row, _, _ in lines[:3]]
                   for i in range(len(header))]
        return self.render_template(
            "imports/settings.html", batch=batch, settings=settings, header=header, lines=lines,
            samples=samples, mapping=mapping, fields=FIELDS, policies=POLICIES,
            choices=choices, statuses=STATUSES,
            encodings=ENCODINGS, delimiters=DELIMITERS,
            labels={"source": db.session.get(Source, batch.source_id) if batch.source_id else None,
                    "campaign": db.session.get(Campaign, batch.campaign_id) if batch.campaign_id else None,
                    "owner": db.session.get(User, batch.owner_id) if batch.owner_id else None})

    @expose("/<int:batch_id>")
    @has_access
    def status(self, batch_id):
        batch = self._batch(batch_id)
        can_undo = self.appbuilder.sm.has_access("can_undo", IMPORT)
        return self.render_template("imports/status.html", batch=batch, can_undo=can_undo,
                                    warnings=warned_rows(batch, WARNINGS_SHOWN),
                                    warnings_shown=WARNINGS_SHOWN)

    @expose("/<int:batch_id>/progress")
    @has_access
    def progress(self, batch_id):
        b = self._batch(batch_id)
        return jsonify(status=b.status, processed=b.processed_rows, total=b.total_rows,
                       created=b.created, warned=b.warned, updated=b.updated,
                       skipped=b.skipped, rejected=b.rejected, blank=b.blank, error=b.error)

    @expose("/<int:batch_id>/rejected.csv")
    @has_access
    def rejected(self, batch_id):
        batch = self._batch(batch_id)
        return self._send_rows(batch, batch.rejected_path, "-rejets.csv")

    @expose("/<int:batch_id>/warnings.csv")
    @has_access
    def warnings(self, batch_id):
        batch = self._batch(batch_id)
        return self._send_rows(batch, batch.warnings_path, "-avertissements.csv")

    @staticmethod
    def _send_rows(batch, path, suffix):
        if batch.reports_purged_at is not None:
            abort(410, description=_("Fichier supprimé (conservation %(days)d jours).",
                                     days=current_app.config["CRM_PURGE_EXPORT_DAYS"]))
        if not path or not os.path.exists(path):
            abort(404)
        return send_file(path, mimetype="text/csv", as_attachment=True,
                         download_name=os.path.splitext(batch.file_name)[0] + suffix)

    @expose("/<int:batch_id>/undo", methods=["POST"])
    @has_access
    @permission_name("undo")
    def undo(self, batch_id):
        batch = self._batch(batch_id)
        if batch.status != "done":
            flash(_("Seul un import terminé peut être annulé."), "warning")
        else:
            removed = undo_batch(db.session, batch)
            db.session.commit()
            flash(_("Import annulé : %(count)d prospect(s) supprimé(s).", count=removed), "success")
        return redirect(url_for("ImportView.status", batch_id=batch.id))
