"""What the lead sheet's screen and its API both do: each function checks the row-level rule
through `scoped_lead`, calls the services and returns what to run after the commit."""
import os
import tempfile

from flask import abort, current_app, request, send_file, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.services.attachments import store_attachment, stored_path
from app.services.errors import DomainError
from app.services.notes import add_note
from app.services.notifications import notify
from app.services.reminders import add_reminder
from app.services.viewer import scope, user_sees_lead
from jobs.followup import schedule_reminder
from jobs.notifications import dispatch
from models import Attachment, Lead, Reminder
from models.audit import ATTACHMENT_DOWNLOAD
from views.privacy.audit_trail import audit_read
from views.scoping import current_user, current_viewer, scope_leads

INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")


def scoped_lead(pk):
    """The lead if the current user may see it; 404 otherwise (whether it exists or not)."""
    lead = scope_leads(db.session.query(Lead)).filter(Lead.id == pk).first()
    if lead is None:
        abort(404)
    return lead


def user_may_see(user, lead):
    """The row-level rule for a user other than the current one (who may be mentioned)."""
    return user_sees_lead(db.session, user.id, lead.id)


def write_note(lead, body, kind):
    """A note or message by the current user; mentioned colleagues are notified."""
    author = current_user()
    note, mentioned = add_note(db.session, lead, author, body, kind, user_may_see)
    db.session.flush()
    notifications = [notify(db.session, user.id, "mentioned",
                            lambda: _("%(author)s vous a mentionné sur %(lead)s",
                                      author=author.get_full_name(), lead=lead.full_name),
                            url=url_for("LeadView.show", pk=lead.id) + f"#note-{note.id}",
                            lead_id=lead.id)
                     for user in mentioned]
    return note, lambda: dispatch(notifications)


def set_reminder(lead, due_at, what):
    reminder = add_reminder(db.session, lead, current_user().id, due_at, what)
    return reminder, lambda: schedule_reminder(reminder)


def own_reminder(reminder_id):
    """A reminder the current user may close: one on a lead they own or oversee."""
    return scope(db.session.query(Reminder), Reminder, current_viewer()).filter(
        Reminder.id == reminder_id).first() or abort(404)


def attach_upload(lead):
    """The request's uploaded `file`, checked and stored; DomainError if refused."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError(_("Choisissez un fichier."), field="file")
    directory = current_app.config["CRM_ATTACHMENT_DIR"]
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".up-")
    os.close(handle)
    try:
        upload.save(temporary)
        return store_attachment(db.session, lead, current_user(), temporary, upload.filename,
                                directory, current_app.config["CRM_ATTACHMENT_MAX_BYTES"])
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def attachment_response(attachment_id):
    """The file, if the current user may see its lead; sent so a browser never runs it."""
    item = db.session.get(Attachment, attachment_id) or abort(404)
    scoped_lead(item.lead_id)
    path = stored_path(current_app.config["CRM_ATTACHMENT_DIR"], item)
    if not os.path.exists(path):
        abort(404)
    inline = item.content_type in INLINE_TYPES and request.args.get("inline") == "1"
    audit_read(ATTACHMENT_DOWNLOAD, item.lead_id, attachment_id=item.id, filename=item.filename)
    response = send_file(path, mimetype=item.content_type, as_attachment=not inline,
                         download_name=item.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
