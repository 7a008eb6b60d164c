"""Every delivery from an ad platform or a web form, stored raw before it is processed."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import relationship

from models.base import utcnow

CHANNELS = {
    "google_ads": _l("Google Ads"),
    "meta": _l("Meta"),
    "web_form": _l("Formulaire web"),
}
DELIVERY_STATUSES = {
    "received": _l("Reçue"),
    "created": _l("Prospect créé"),
    "duplicate": _l("Doublon d'un prospect existant"),
    "ignored": _l("Ignorée"),
    "failed": _l("Échec"),
}
SETTLED = ("created", "duplicate", "ignored")  # nothing left to do with the delivery


class IntakeDelivery(Model):
    __tablename__ = "intake_delivery"
    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    source_id = Column(Integer, ForeignKey("source.id", ondelete="SET NULL"))
    source = relationship("Source")
    received_at = Column(DateTime, nullable=False, default=utcnow)
    remote_addr = Column(String(64))
    content_type = Column(String(100))
    # None once the payload was purged (CRM_PURGE_IMPORT_DAYS); "" or more until then.
    body = Column(Text, default="")
    external_id = Column(String(100))  # Google lead_id, Meta leadgen_id
    status = Column(String(20), nullable=False, default="received")
    message = Column(Text)
    lead_id = Column(Integer, ForeignKey("lead.id", ondelete="SET NULL"))
    lead = relationship("Lead")
    processed_at = Column(DateTime)
    attempts = Column(Integer, nullable=False, default=0)
    # The platform delivered the same lead again (same external id): counted, not stored again.
    replay_count = Column(Integer, nullable=False, default=0, server_default="0")
    last_seen_at = Column(DateTime)

    __table_args__ = (
        Index("ix_intake_received", "received_at"),
        Index("ix_intake_external", "channel", "external_id", unique=True),
        # The purge's look-up: deliveries still holding their payload, oldest first.
        Index("ix_intake_payload_kept", "received_at", sqlite_where=text("body IS NOT NULL"),
              postgresql_where=text("body IS NOT NULL")),
    )

    @property
    def settled(self):
        return self.status in SETTLED

    def channel_label(self):
        return str(CHANNELS.get(self.channel, self.channel))

    def status_label(self):
        return str(DELIVERY_STATUSES.get(self.status, self.status))
