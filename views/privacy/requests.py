"""Demandes RGPD: find a person across every lead (the DPO is not scoped to their own leads),
show and download everything held about them (JSON, PDF), and track their requests to the
one-month deadline. Every route needs the DPO permission."""
import io
import json
import os

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import DPO, LEAD_ERASURE, PERM_ERASE
from app.services.attachments import stored_path
from app.services.errors import DomainError
from app.services.privacy.access import person_data
from app.services.privacy.access_pdf import LABELS, write_person_pdf
from app.services.privacy.requests import all_requests, close_request, days_left, open_request
from app.timezones import format_local, parse_day, to_utc_naive
from models import REQUEST_KINDS, REQUEST_STATUSES, Attachment, PrivacyRequest
from models.audit import ATTACHMENT_DOWNLOAD, PRIVACY_REQUEST
from models.base import utcnow
from views.privacy.audit_trail import audit, audit_read, audit_reads
from views.scoping import current_user


def _audit_lookup(data, step):
    """Who looked a person up or downloaded their data: one entry per lead found (never the
    e-mail or phone searched, which an erasure could not reach in the log)."""
    ids = [lead["id"] for lead in data["leads"]]
    if ids:
        audit_reads(PRIVACY_REQUEST, ids, step=step)
    else:
        audit_read(PRIVACY_REQUEST, step=step, found=0)


def _region():
    return current_app.config.get("CRM_PHONE_REGION", "FR")


def _person():
    """(e-mail, phone) as typed in the search form (normalised by the service)."""
    return request.args.get("email", "")[:254], request.args.get("phone", "")[:40]


def _file_stem():
    return f"rgpd-acces-{utcnow():%Y%m%d-%H%M}"


class PrivacyRequestsView(BaseView):
    route_base = "/privacy"
    class_permission_name = DPO
    base_permissions = ["can_access"]
    method_permission_name = {name: "access" for name in (
        "index", "person", "person_json", "person_pdf", "attachment", "create", "close")}
    default_view = "index"

    def _index(self, status=200, email="", phone=""):
        return self.render_template(
            "privacy/requests.html", requests=all_requests(db.session), days_left=days_left,
            now=utcnow(), kinds=REQUEST_KINDS, statuses=REQUEST_STATUSES, email=email,
            phone=phone), status

    @expose("/")
    @has_access
    def index(self):
        return self._index()

    def _data_or_400(self, step):
        try:
            data = person_data(db.session, *_person(), region=_region())
        except DomainError as exc:
            abort(400, description=exc.message)
        _audit_lookup(data, step)
        return data

    @expose("/person")
    @has_access
    def person(self):
        try:
            data = person_data(db.session, *_person(), region=_region())
        except DomainError as exc:
            flash(exc.message, "danger")
            return self._index(400, *_person())
        _audit_lookup(data, "search")
        return self.render_template("privacy/person.html", data=data, kinds=REQUEST_KINDS,
                                    labels=LABELS, args=request.args,
                                    can_erase=self.appbuilder.sm.has_access(PERM_ERASE,
                                                                            LEAD_ERASURE))

    @expose("/person.json")
    @has_access
    def person_json(self):
        body = json.dumps(self._data_or_400("export_json"), ensure_ascii=False, indent=2)
        return send_file(io.BytesIO(body.encode("utf-8")), mimetype="application/json",
                         as_attachment=True, download_name=_file_stem() + ".json", max_age=0)

    @expose("/person.pdf")
    @has_access
    def person_pdf(self):
        handle = io.BytesIO()
        write_person_pdf(self._data_or_400("export_pdf"), handle)
        handle.seek(0)
        return send_file(handle, mimetype="application/pdf", as_attachment=True,
                         download_name=_file_stem() + ".pdf", max_age=0)

    @expose("/attachment/<int:attachment_id>")
    @has_access
    def attachment(self, attachment_id):
        item = db.session.get(Attachment, attachment_id) or abort(404)
        path = stored_path(current_app.config["CRM_ATTACHMENT_DIR"], item)
        if not os.path.exists(path):
            abort(404)
        audit_read(ATTACHMENT_DOWNLOAD, item.lead_id, attachment_id=item.id, via="privacy")
        response = send_file(path, mimetype=item.content_type, as_attachment=True,
                             download_name=item.filename, max_age=0)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @expose("/requests", methods=["POST"])
    @has_access
    def create(self):
        form = request.form
        received = form.get("received_on", "").strip()
        received_at = to_utc_naive(parse_day(received)) if received else None
        try:
            if received and received_at is None:
                raise DomainError(_("Date de réception invalide : %(value)s", value=received[:20]))
            item = open_request(db.session, form.get("kind", ""), form.get("email", "")[:254],
                                form.get("phone", "")[:40], current_user().id, received_at,
                                region=_region())
            audit(PRIVACY_REQUEST, step="open", request_id=item.id, kind=item.kind)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return self._index(400, form.get("email", ""), form.get("phone", ""))
        flash(_("Demande n° %(id)s enregistrée : réponse attendue avant le %(date)s.",
                id=item.id, date=format_local(item.due_at, "%d/%m/%Y")), "success")
        return redirect(url_for("PrivacyRequestsView.index"))

    @expose("/requests/<int:request_id>/close", methods=["POST"])
    @has_access
    def close(self, request_id):
        if db.session.get(PrivacyRequest, request_id) is None:
            abort(404)
        try:
            close_request(db.session, request_id, request.form.get("status", ""),
                          request.form.get("note", ""), current_user().id)
            audit(PRIVACY_REQUEST, step="close", request_id=request_id,
                  status=request.form.get("status", ""))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return self._index(400)
        flash(_("Demande n° %(id)s close.", id=request_id), "success")
        return redirect(url_for("PrivacyRequestsView.index"))
