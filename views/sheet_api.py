"""The lead sheet through the REST API: timeline, notes and messages, reminders, files.
Same row-level rule as the screens (another rep's lead answers 404)."""
from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

from app.body_limits import FORM_OVERHEAD, body_limit
from app.extensions import db
from app.security import LEAD_SHEET_API
from app.services.errors import DomainError
from app.services.reminders import complete
from app.services.timeline import timeline
from app.timezones import format_rfc3339, parse_datetime
from models import Attachment, LeadNote, Reminder
from models.audit import API_READ
from views.idempotency import idempotent
from views.privacy.audit_trail import audit_read
from views.scoping import current_user
from views.sheet_actions import (attach_upload, attachment_response, own_reminder, scoped_lead,
                                 set_reminder, write_note)


def _user(user):
    return {"id": user.id, "name": user.get_full_name()} if user else None


class LeadSheetApi(BaseApi):
    resource_name = "sheet"
    class_permission_name = LEAD_SHEET_API
    allow_browser_login = True
    base_permissions = ["can_get", "can_note", "can_remind", "can_attach"]
    method_permission_name = {
        "get_timeline": "get", "get_notes": "get", "get_reminders": "get",
        "get_attachments": "get", "download": "get", "post_note": "note",
        "post_reminder": "remind", "reminder_done": "remind", "post_attachment": "attach",
    }

    def _write(self, action):
        """Run a write and commit; a refused one answers 422 with its reason, nothing kept."""
        try:
            result, after = action()
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return self.response_422(message=exc.as_api_message())
        if after:
            after()
        return self.response(201, id=result.id)

    @staticmethod
    def _read(pk, part):
        """The lead if the caller may see it (404 otherwise), its reading audited."""
        lead = scoped_lead(pk)
        audit_read(API_READ, lead.id, via=part)
        return lead

    @expose("/<int:pk>/timeline", methods=["GET"])
    @protect()
    def get_timeline(self, pk):
        """Le fil du prospect : événements, interactions, notes, fichiers, du plus récent au plus ancien.
        ---
        get:
          summary: "Le fil du prospect : événements, interactions, notes, fichiers, du plus récent au plus ancien."
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          responses:
            200:
              description: OK
              content:
                application/json:
                  schema: {type: object, required: [result], properties: {result: {type: array, items: {type: object, properties: {at: {type: string, format: date-time, nullable: true}, kind: {type: string}, title: {type: string}, user: {type: object, nullable: true, properties: {id: {type: integer}, name: {type: string}}}, text: {type: string, nullable: true}, meta: {nullable: true}}}}}}
        """
        lead = self._read(pk, "timeline")
        return self.response(200, result=[
            {"at": format_rfc3339(e.at), "kind": e.kind, "title": e.title, "user": _user(e.user),
             "text": e.text, "meta": e.meta} for e in timeline(db.session, lead)])

    @expose("/<int:pk>/notes", methods=["GET"])
    @protect()
    def get_notes(self, pk):
        """Les notes et messages du prospect.
        ---
        get:
          summary: "Les notes et messages du prospect."
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          responses:
            200:
              description: OK
              content:
                application/json:
                  schema: {type: object, required: [result], properties: {result: {type: array, items: {type: object, properties: {id: {type: integer}, kind: {type: string, enum: [note, message]}, body: {type: string}, author: {type: object, nullable: true, properties: {id: {type: integer}, name: {type: string}}}, created_at: {type: string, format: date-time, nullable: true}, mentions: {type: array, items: {type: integer}}}}}}}
        """
        lead = self._read(pk, "notes")
        notes = db.session.query(LeadNote).filter_by(lead_id=lead.id).order_by(LeadNote.created_at)
        return self.response(200, result=[
            {"id": n.id, "kind": n.kind, "body": n.body, "author": _user(n.author),
             "created_at": format_rfc3339(n.created_at),
             "mentions": [m.user_id for m in n.mentions]}
            for n in notes])

    @expose("/<int:pk>/notes", methods=["POST"])
    @protect()
    @idempotent
    def post_note(self, pk):
        """Ajoute une note (ou un message : les @mentions sont notifiées).
        ---
        post:
          summary: "Ajoute une note (ou un message : les @mentions sont notifiées)."
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {type: object, required: [body], additionalProperties: false, properties: {body: {type: string, minLength: 1, maxLength: 10000}, kind: {type: string, enum: [note, message], default: note}}}
          responses:
            201:
              description: OK
              content:
                application/json:
                  schema: {type: object, required: [id], properties: {id: {type: integer}}}
        """
        lead = scoped_lead(pk)
        data = request.get_json(silent=True) or {}
        return self._write(lambda: write_note(lead, data.get("body"), data.get("kind", "note")))

    @expose("/<int:pk>/reminders", methods=["GET"])
    @protect()
    def get_reminders(self, pk):
        """Les rappels du prospect.
        ---
        get:
          summary: "Les rappels du prospect."
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          responses:
            200:
              description: OK
              content:
                application/json:
                  schema: {type: object, required: [result], properties: {result: {type: array, items: {type: object, properties: {id: {type: integer}, due_at: {type: string, format: date-time, nullable: true}, what: {type: string, nullable: true}, user: {type: object, nullable: true, properties: {id: {type: integer}, name: {type: string}}}, done_at: {type: string, format: date-time, nullable: true}}}}}}
        """
        lead = self._read(pk, "reminders")
        items = db.session.query(Reminder).filter_by(lead_id=lead.id).order_by(Reminder.due_at)
        return self.response(200, result=[
            {"id": r.id, "due_at": format_rfc3339(r.due_at), "what": r.what, "user": _user(r.user),
             "done_at": format_rfc3339(r.done_at)} for r in items])

    @expose("/<int:pk>/reminders", methods=["POST"])
    @protect()
    @idempotent
    def post_reminder(self, pk):
        """Programme un rappel.
        ---
        post:
          summary: "Programme un rappel."
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {type: object, required: [due_at, what], additionalProperties: false, properties: {due_at: {type: string, format: date-time}, what: {type: string, minLength: 1, maxLength: 500}}}
          responses:
            201:
              description: OK
              content:
                application/json:
                  schema: {type: object, required: [id], properties: {id: {type: integer}}}
        """
        lead = scoped_lead(pk)
        data = request.get_json(silent=True) or {}
        return self._write(lambda: set_reminder(lead, parse_datetime(data.get("due_at"), "due_at"),
                                                data.get("what")))

    @expose("/reminder/<int:reminder_id>/done", methods=["POST"])
    @protect()
    @idempotent
    def reminder_done(self, reminder_id):
        """Marque un de vos rappels comme fait.
        ---
        post:
          summary: "Marque un de vos rappels comme fait."
          parameters:
          - {in: path, name: reminder_id, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          responses:
            200:
              description: OK
              content:
                application/json:
                  schema: {type: object, properties: {id: {type: integer}, done_at: {type: string, format: date-time, nullable: true}}}
        """
        reminder = own_reminder(reminder_id)
        complete(db.session, reminder, current_user().id)
        db.session.commit()
        return self.response(200, id=reminder.id, done_at=format_rfc3339(reminder.done_at))

    @expose("/<int:pk>/attachments", methods=["GET"])
    @protect()
    def get_attachments(self, pk):
        """Les pièces jointes du prospect.
        ---
        get:
          summary: "Les pièces jointes du prospect."
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          responses:
            200:
              description: OK
              content:
                application/json:
                  schema: {type: object, required: [result], properties: {result: {type: array, items: {type: object, properties: {id: {type: integer}, filename: {type: string}, content_type: {type: string}, size: {type: integer}, uploaded_by: {type: object, nullable: true, properties: {id: {type: integer}, name: {type: string}}}, created_at: {type: string, format: date-time, nullable: true}}}}}}
        """
        lead = self._read(pk, "attachments")
        items = db.session.query(Attachment).filter_by(lead_id=lead.id).order_by(Attachment.id)
        return self.response(200, result=[
            {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
             "uploaded_by": _user(a.uploaded_by), "created_at": format_rfc3339(a.created_at)}
            for a in items])

    @expose("/<int:pk>/attachments", methods=["POST"])
    @body_limit("CRM_ATTACHMENT_MAX_BYTES", FORM_OVERHEAD)
    @protect()
    @idempotent
    def post_attachment(self, pk):
        """Joint un fichier (PDF, image, document bureautique) au prospect.
        ---
        post:
          summary: "Joint un fichier (PDF, image, document bureautique) au prospect."
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema: {type: object, required: [file], properties: {file: {type: string, format: binary}}}
          responses:
            201:
              description: OK
              content:
                application/json:
                  schema: {type: object, required: [id], properties: {id: {type: integer}}}
        """
        lead = scoped_lead(pk)
        return self._write(lambda: (attach_upload(lead), None))

    @expose("/attachment/<int:attachment_id>", methods=["GET"])
    @protect()
    def download(self, attachment_id):
        """Télécharge une pièce jointe.
        ---
        get:
          summary: "Télécharge une pièce jointe."
          parameters:
          - {in: path, name: attachment_id, required: true, schema: {type: integer, minimum: 1, maximum: 2147483647}}
          responses:
            200:
              description: "Le fichier, avec le type reconnu à l'envoi (PDF, image, document bureautique)."
              content:
                "*/*":
                  schema: {type: string, format: binary}
        """
        return attachment_response(attachment_id)
