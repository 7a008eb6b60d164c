"""RGPD requests: recorded with the leads they concern, answered within one calendar month of
receipt (Art. 12.3), closed with a note; the DPO users are told once when one runs late."""
from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _
from flask_appbuilder.security.sqla.models import (Permission, PermissionView, ViewMenu,
                                                   assoc_permissionview_role, assoc_user_role)
from sqlalchemy import case, true, update

from app.security import DPO, PERM_DPO
from app.services.errors import DomainError
from app.services.privacy.access import find_lead_ids, person_key
from models import REQUEST_KINDS, PrivacyRequest, User
from models.base import utcnow

CLOSING_STATUSES = ("done", "refused")


def due_date(received_at):
    """One calendar month after receipt (31 January gives 28 or 29 February)."""
    return received_at + relativedelta(months=1)


def open_request(session, kind, email=None, phone=None, user_id=None, received_at=None,
                 region="FR"):
    """Record a person's request with the leads found for them now."""
    if kind not in REQUEST_KINDS:
        raise DomainError(_("Type de demande inconnu : %(value)s", value=str(kind)[:20]),
                          field="kind")
    email, phone = person_key(email, phone, region)
    received_at = received_at or utcnow()
    if received_at > utcnow():
        raise DomainError(_("La date de réception ne peut pas être dans le futur."),
                          field="received_at")
    item = PrivacyRequest(kind=kind, email=email, phone=phone, received_at=received_at,
                          due_at=due_date(received_at), status="open", created_by_id=user_id)
    item.lead_ids = find_lead_ids(session, email, phone)
    session.add(item)
    session.flush()
    return item


def close_request(session, request_id, status, note, user_id):
    """Mark an open request done or refused; the note says what was done (or why not)."""
    item = session.get(PrivacyRequest, request_id)
    if item is None:
        raise DomainError(_("Demande introuvable."))
    if item.status != "open":
        raise DomainError(_("Cette demande est déjà close."))
    if status not in CLOSING_STATUSES:
        raise DomainError(_("Choisissez « traitée » ou « refusée »."), field="status")
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Indiquez ce qui a été fait (ou le motif du refus)."), field="note")
    item.status, item.note, item.handled_by_id = status, note[:5000], user_id
    item.closed_at = utcnow()
    return item


def all_requests(session, limit=500):
    """Open requests first, the most urgent on top; then the closed ones, latest first."""
    is_open = case((PrivacyRequest.status == "open", 0), else_=1)
    return session.query(PrivacyRequest).order_by(
        is_open, case((PrivacyRequest.status == "open", PrivacyRequest.due_at)),
        PrivacyRequest.closed_at.desc(), PrivacyRequest.id.desc()).limit(limit).all()


def days_left(item, now=None):
    """Whole days until the deadline (negative once overdue), for an open request."""
    return (item.due_at.date() - (now or utcnow()).date()).days


def claim_overdue(session, now=None):
    """The open requests past their deadline that nobody was told of yet, marked as told (an
    UPDATE per request that only one of two concurrent ticks wins)."""
    now = now or utcnow()
    claimed = []
    candidates = session.query(PrivacyRequest.id).filter(
        PrivacyRequest.status == "open", PrivacyRequest.due_at < now,
        PrivacyRequest.overdue_notified_at.is_(None)).all()
    for (request_id,) in candidates:
        won = session.execute(update(PrivacyRequest).where(
            PrivacyRequest.id == request_id, PrivacyRequest.overdue_notified_at.is_(None))
            .values(overdue_notified_at=now)).rowcount
        if won:
            claimed.append(session.get(PrivacyRequest, request_id))
    return claimed


def dpo_user_ids(session):
    """Active users whose roles hold the DPO permission (the DPO role, Admin)."""
    rows = (session.query(User.id).join(assoc_user_role, assoc_user_role.c.user_id == User.id)
            .join(assoc_permissionview_role,
                  assoc_permissionview_role.c.role_id == assoc_user_role.c.role_id)
            .join(PermissionView,
                  PermissionView.id == assoc_permissionview_role.c.permission_view_id)
            .join(Permission, Permission.id == PermissionView.permission_id)
            .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
            .filter(Permission.name == PERM_DPO, ViewMenu.name == DPO, User.active == true())
            .distinct())
    return sorted(i for (i,) in rows)
