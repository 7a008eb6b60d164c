"""Consent per channel with its proof (append-only), and the suppression list of people who
withdrew or were erased (hashes only)."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text

from models.base import utcnow

CHANNELS = {
    "email": _l("E-mail"),
    "sms": _l("SMS"),
    "phone": _l("Appel téléphonique"),
    "post": _l("Courrier"),
}
STATES = {
    "given": _l("Donné"),
    "refused": _l("Refusé"),
    "withdrawn": _l("Retiré"),
}
# How the consent was collected: each method says which proof fields it carries.
METHODS = {
    "web_form": _l("Formulaire web"),
    "google_ads": _l("Formulaire Google Ads"),
    "meta": _l("Formulaire Meta"),
    "booking": _l("Page de prise de rendez-vous"),
    "import": _l("Fichier importé"),
    "api": _l("API"),
    "oral": _l("Consentement oral noté par un commercial"),
    "unsubscribe": _l("Lien de désinscription"),
    "legacy": _l("Case « Accepte d'être contacté » (avant le suivi par canal)"),
}


class ConsentRecord(Model):
    """One consent event for one channel of one lead. Never updated: the lead's consent on a
    channel is its latest record (highest id). An erasure blanks the proof fields only."""

    __tablename__ = "consent_record"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False)
    channel = Column(String(10), nullable=False)
    state = Column(String(10), nullable=False)
    # When the person gave/refused/withdrew it (the proof's date; None when a file had none).
    stated_at = Column(DateTime)
    method = Column(String(20), nullable=False)
    # Proof: the page and the wording shown (with its version), the platform's consent fields
    # (JSON), the import row, the user who recorded an oral consent and their note.
    page_url = Column(String(2000))
    wording = Column(Text)
    wording_version = Column(String(50))
    platform_fields = Column(Text)
    import_batch_id = Column(Integer)  # no foreign key: the proof outlives the batch
    import_row = Column(Integer)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    note = Column(Text)
    ip_address = Column(String(45))
    user_agent = Column(String(500))
    recorded_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_consent_record_lead", "lead_id", "channel", "id"),)


class Suppression(Model):
    """A normalised e-mail or phone of a person who withdrew or was erased, as its SHA-256 hex
    digest: intake checks it so that no automated entrance revives their marketing consent."""

    __tablename__ = "suppression"
    id = Column(Integer, primary_key=True)
    kind = Column(String(10), nullable=False)  # "email" or "phone"
    digest = Column(String(64), nullable=False, unique=True)
    reason = Column(String(20), nullable=False)  # "withdrawn" or "erased"
    created_at = Column(DateTime, nullable=False, default=utcnow)
