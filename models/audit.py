"""The audit log: who did what to which lead, when and from where. Append-only: no screen or
API edits or deletes an entry; only the retention purge (CRM_AUDIT_MONTHS) removes old ones."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Text

from models.base import utcnow

# Actions, with their label on the screen. Others' modules record theirs through
# app/services/privacy/audit.record with these names.
SHEET_OPEN = "sheet_open"
API_READ = "api_read"
EXPORT = "export"
EXPORT_DOWNLOAD = "export_download"
FIELD_CHANGE = "field_change"
MERGE = "merge"
REASSIGN = "reassign"
DELETE = "delete"
ERASE = "erase"
ATTACHMENT_DOWNLOAD = "attachment_download"
PRIVACY_REQUEST = "privacy_request"
AUDIT_EXPORT = "audit_export"
ACTIONS = {
    SHEET_OPEN: _l("Fiche consultée"),
    API_READ: _l("Lecture par l'API"),
    EXPORT: _l("Export de prospects"),
    EXPORT_DOWNLOAD: _l("Téléchargement d'un export"),
    FIELD_CHANGE: _l("Modification de champs"),
    MERGE: _l("Fusion de doublons"),
    REASSIGN: _l("Changement de commercial"),
    DELETE: _l("Suppression"),
    ERASE: _l("Effacement (RGPD)"),
    ATTACHMENT_DOWNLOAD: _l("Téléchargement de pièce jointe"),
    PRIVACY_REQUEST: _l("Demande RGPD"),
    AUDIT_EXPORT: _l("Export du journal d'audit"),
}


class AuditEntry(Model):
    """One audited action. No foreign keys: the log outlives the accounts (the username is
    kept) and the leads (an erased or deleted lead's id stays)."""

    __tablename__ = "audit_entry"
    # 64-bit on PostgreSQL (the log grows by millions); SQLite's INTEGER is already 64-bit and
    # must stay the rowid alias.
    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)  # UTC
    user_id = Column(Integer)
    username = Column(String(256))
    ip_address = Column(String(45))
    action = Column(String(30), nullable=False)
    lead_id = Column(Integer)
    detail = Column(Text)  # JSON

    # What the screen filters on, each ending with (at, id): its keyset order.
    __table_args__ = (
        Index("ix_audit_entry_at", "at", "id"),
        Index("ix_audit_entry_lead", "lead_id", "at", "id"),
        Index("ix_audit_entry_user", "user_id", "at", "id"),
        Index("ix_audit_entry_action", "action", "at", "id"),
    )
