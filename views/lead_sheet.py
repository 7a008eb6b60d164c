"""The lead sheet's own actions: quick call/e-mail logs, notes and messages, reminders, files,
status and rep changes, e-mails from templates. Each action loads the lead through the
row-level scope first: another rep's lead answers 404, whatever the permission."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.body_limits import FORM_OVERHEAD, body_limit
from app.extensions import db
from app.security import LEAD_RIGHTS, LEAD_SHEET, PERM_ASSIGN, PERM_CONSENT, PERM_SET_STATUS
from app.services.errors import DomainError
from app.services.interactions import check_interaction, record_first_contact
from app.services.lead_mail import queue_email
from app.services.leads import assign, set_status
from app.services.reminders import complete
from app.timezones import parse_datetime
from jobs.lead_mail import send_lead_email
from jobs.notifications import notify_assignment
from jobs.queue import enqueue
from models import Interaction, User
from models.base import utcnow
from views.scoping import current_user
from views.sheet_actions import (attach_upload, attachment_response, own_reminder, scoped_lead,
                                 set_reminder, write_note)
from views.privacy.consent_sheet import record_oral_consent
from views.sheet_context import sheet_context

def parse_minutes(text):
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 24 * 60:
        raise DomainError(_("Durée invalide."), field="duration_minutes")
    return int(text)


class LeadSheetView(BaseView):
    route_base = "/sheet"
    class_permission_name = LEAD_SHEET
    base_permissions = ["can_log", "can_note", "can_remind", "can_attach", "can_download",
                        "can_email", "can_status", "can_reassign", PERM_CONSENT]
    method_permission_name = {
        "log": "log", "note": "note", "remind": "remind", "reminder_done": "remind",
        "attach": "attach", "download": "download", "email": "email", "status": "status",
        "reassign": "reassign", "consent": "consent",
    }

    def _back(self, lead):
        return redirect(url_for("LeadView.show", pk=lead.id))

    def _refused(self, lead, error):
        """The sheet again, with the reason, as a 4xx (nothing was written)."""
        db.session.rollback()
        flash(error.message, "danger")
        return self.render_template("leads/sheet.html", **sheet_context(lead)), error.status

    def _run(self, lead, action, success):
        """Run an action and commit; `action` may return what to do after the commit
        (enqueue a job). A DomainError leaves nothing written."""
        try:
            after = action()
            db.session.commit()
        except DomainError as exc:
            return self._refused(lead, exc)
        flash(success, "success")
        if after:
            after()
        return self._back(lead)

    @expose("/<int:pk>/log", methods=["POST"])
    @has_access
    def log(self, pk):
        lead = scoped_lead(pk)
        form = request.form

        def action():
            when = form.get("occurred_at")
            item = Interaction(
                lead_id=lead.id, kind=form.get("kind", "call")[:20],
                direction=form.get("direction", "outbound")[:20], user_id=current_user().id,
                occurred_at=parse_datetime(when, "occurred_at") if when else utcnow(),
                subject=" ".join((form.get("subject") or "").split())[:200] or None,
                summary=(form.get("summary") or "").strip() or None,
                duration_minutes=parse_minutes(form.get("duration_minutes")))
            check_interaction(item)  # the same rules as the interaction form
            item.lead = lead
            db.session.add(item)
            record_first_contact(item)
        return self._run(lead, action, _("Interaction enregistrée."))

    @expose("/<int:pk>/note", methods=["POST"])
    @has_access
    def note(self, pk):
        lead = scoped_lead(pk)
        kind = request.form.get("kind", "note")
        message = _("Note ajoutée.") if kind == "note" else _("Message publié.")
        return self._run(lead, lambda: write_note(lead, request.form.get("body"), kind)[1], message)

    @expose("/<int:pk>/remind", methods=["POST"])
    @has_access
    def remind(self, pk):
        lead = scoped_lead(pk)

        def action():
            due = parse_datetime(request.form.get("due_at"), "due_at")
            return set_reminder(lead, due, request.form.get("what"))[1]
        return self._run(lead, action, _("Rappel enregistré."))

    @expose("/reminder/<int:reminder_id>/done", methods=["POST"])
    @has_access
    def reminder_done(self, reminder_id):
        reminder = own_reminder(reminder_id)
        return self._run(reminder.lead, lambda: complete(db.session, reminder, current_user().id),
                         _("Rappel fait."))

    @expose("/<int:pk>/attach", methods=["POST"])
    @body_limit("CRM_ATTACHMENT_MAX_BYTES", FORM_OVERHEAD)
    @has_access
    def attach(self, pk):
        lead = scoped_lead(pk)
        return self._run(lead, lambda: attach_upload(lead) and None, _("Fichier ajouté."))

    @expose("/file/<int:attachment_id>")
    @has_access
    def download(self, attachment_id):
        return attachment_response(attachment_id)

    @expose("/<int:pk>/email", methods=["POST"])
    @has_access
    def email(self, pk):
        lead = scoped_lead(pk)
        queued = []

        def action():
            queued.append(queue_email(db.session, lead, current_user(), request.form.get("subject"),
                                      request.form.get("body"),
                                      current_app.config["CRM_COMPANY_IS_B2B"]))
            return lambda: enqueue(send_lead_email, queued[0].id)
        return self._run(lead, action, _("E-mail en cours d'envoi."))

    @expose("/<int:pk>/status", methods=["POST"])
    @has_access
    def status(self, pk):
        lead = scoped_lead(pk)
        if not current_app.appbuilder.sm.has_access(PERM_SET_STATUS, LEAD_RIGHTS):
            abort(403)

        def action():
            set_status(db.session, [lead], request.form.get("status", ""),
                       request.form.get("abandon_reason"), current_app.config["CRM_PHONE_REGION"])
        return self._run(lead, action, _("Statut modifié."))

    @expose("/<int:pk>/reassign", methods=["POST"])
    @has_access
    def reassign(self, pk):
        lead = scoped_lead(pk)
        if not current_app.appbuilder.sm.has_access(PERM_ASSIGN, LEAD_RIGHTS):
            abort(403)
        owner_id = request.form.get("owner", "")
        owner = db.session.get(User, int(owner_id)) if owner_id.isdigit() else None

        def action():
            if owner is None or not owner.active:
                raise DomainError(_("Choisissez un commercial actif."), field="owner")
            changed = assign(db.session, [lead], owner, current_user().id)
            if changed and owner.id != current_user().id:
                return lambda: enqueue(notify_assignment, lead.id, owner.id)
        return self._run(lead, action, _("Prospect attribué."))

    @expose("/<int:pk>/consent", methods=["POST"])
    @has_access
    def consent(self, pk):
        """Append a consent the person gave or refused to a rep (never an edit)."""
        lead = scoped_lead(pk)
        return self._run(lead, lambda: record_oral_consent(lead, request.form),
                         _("Consentement enregistré."))
