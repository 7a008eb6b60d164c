"""What the lead sheet shows, gathered once for the page (and for a refused action's 400)."""
from flask import current_app, request

from app.extensions import db
from app.security import (LEAD_ERASURE, LEAD_RIGHTS, LEAD_SHEET, PERM_ASSIGN, PERM_CONSENT,
                          PERM_ERASE, PERM_SET_STATUS)
from app.services.privacy.consent_panel import consent_panel
from app.services.lead_mail import render
from app.services.privacy.sending import refusal, refused_leads
from app.services.timeline import timeline
from models.base import utcnow
from models import STATUSES, Appointment, Attachment, EmailTemplate, Reminder, User
from views.scoping import current_user, scope_assignable_users


def sheet_context(lead, neighbours=(None, None)):
    sm = current_app.appbuilder.sm
    can = {name: sm.has_access(f"can_{name}", LEAD_SHEET)
           for name in ("log", "note", "remind", "attach", "download", "email")}
    can["status"] = sm.has_access(PERM_SET_STATUS, LEAD_RIGHTS) and sm.has_access("can_status", LEAD_SHEET)
    can["reassign"] = sm.has_access(PERM_ASSIGN, LEAD_RIGHTS) and sm.has_access("can_reassign", LEAD_SHEET)
    can["edit"] = sm.has_access("can_edit", "Lead")
    can["consent"] = sm.has_access(PERM_CONSENT, LEAD_SHEET)
    can["erase"] = sm.has_access(PERM_ERASE, LEAD_ERASURE)
    user = current_user()
    templates = []
    if can["email"] and lead.email:
        for template in db.session.query(EmailTemplate).filter_by(active=True).order_by(EmailTemplate.name):
            templates.append({"id": template.id, "name": template.name,
                              "subject": render(db.session, template.subject, lead, user),
                              "body": render(db.session, template.body, lead, user)})
    reps = []
    if can["reassign"]:
        reps = scope_assignable_users(db.session.query(User)).order_by(
            User.first_name, User.last_name).limit(500).all()
    b2b = current_app.config["CRM_COMPANY_IS_B2B"]
    return {
        "lead": lead,
        # The phone link asks for a confirmation, the e-mail form says it will be refused.
        "call_warning": bool(lead.phone and refused_leads(db.session, [lead.id], "phone", b2b)),
        "email_refusal": refusal(db.session, lead, "email", b2b) if lead.email else None,
        "entries": timeline(db.session, lead),
        "reminders": db.session.query(Reminder).filter(
            Reminder.lead_id == lead.id, Reminder.done_at.is_(None)).order_by(Reminder.due_at).all(),
        "upcoming": db.session.query(Appointment).filter(
            Appointment.lead_id == lead.id, Appointment.starts_at >= utcnow(),
            Appointment.status.in_(("planned", "confirmed"))).order_by(Appointment.starts_at).all(),
        "attachments": db.session.query(Attachment).filter_by(lead_id=lead.id)
        .order_by(Attachment.created_at.desc()).all(),
        "templates": templates, "reps": reps, "can": can, "statuses": STATUSES,
        "previous_url": neighbours[0], "next_url": neighbours[1],
        "back_query": request.args.get("back", ""),
        "title": lead.full_name, "now_utc": utcnow(),
        "consent": consent_panel(db.session, lead, current_app.config["CRM_COMPANY_IS_B2B"]),
    }

