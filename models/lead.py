"""The lead (prospect): who they are, where they came from, where they stand."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    and_,
    false,
    or_,
    text,
    true,
)
from sqlalchemy.orm import relationship

from models.base import TimestampMixin, utcnow

STATUS_NEW = "new"
STATUS_IN_PROGRESS = "in_progress"
STATUS_CONVERTED = "converted"
STATUS_ABANDONED = "abandoned"
FIELD_LABELS = {
    "first_name": _l("Prénom"),
    "last_name": _l("Nom"),
    "email": _l("E-mail"),
    "phone": _l("Téléphone"),
    "company": _l("Société"),
    "source": _l("Source"),
    "campaign": _l("Campagne"),
    "status": _l("Statut"),
    "note": _l("Note"),
    "owner": _l("Commercial"),
    "created_at": _l("Créé le"),
}
STATUSES = {
    STATUS_NEW: _l("Nouveau"),
    STATUS_IN_PROGRESS: _l("En cours"),
    STATUS_CONVERTED: _l("Converti"),
    STATUS_ABANDONED: _l("Abandonné"),
}


def live_or_flagged(condition):
    """`condition` on the e-mail or phone, split so that each half implies one of the partial
    indexes of that column (live leads, flagged duplicates): an index search, not a scan."""
    return or_(and_(Lead.possible_duplicate == false(), condition),
               and_(Lead.possible_duplicate == true(), condition))


def _contact_indexes(column):
    """The live leads' unique index and the flagged duplicates' index on `column`."""
    ops = {"postgresql_ops": {column: "varchar_pattern_ops"}}
    return (
        Index(f"uq_lead_{column}_live", column, unique=True,
              sqlite_where=text(f"possible_duplicate = 0 AND {column} IS NOT NULL"),
              postgresql_where=text(f"possible_duplicate = false AND {column} IS NOT NULL"), **ops),
        Index(f"ix_lead_{column}_flagged", column,
              sqlite_where=text(f"possible_duplicate = 1 AND {column} IS NOT NULL"),
              postgresql_where=text(f"possible_duplicate = true AND {column} IS NOT NULL"), **ops),
    )


class Lead(TimestampMixin, Model):
    __tablename__ = "lead"
    id = Column(Integer, primary_key=True)
    first_name = Column(String(100))
    last_name = Column(String(100), nullable=False)
    # Lower-case, accent-free copy of "last first" for prefix search through an index.
    name_key = Column(String(201), nullable=False, default="")
    email = Column(String(254))
    phone = Column(String(20))  # E.164
    company = Column(String(200))
    status = Column(String(20), nullable=False, default=STATUS_NEW)
    note = Column(Text)
    abandon_reason = Column(String(500))
    source_id = Column(Integer, ForeignKey("source.id"))
    source = relationship("Source", lazy="joined", innerjoin=False)
    campaign_id = Column(Integer, ForeignKey("campaign.id"))
    campaign = relationship("Campaign", lazy="joined", innerjoin=False)
    owner_id = Column(Integer, ForeignKey("ab_user.id"))
    owner = relationship(User, lazy="joined", foreign_keys=[owner_id])
    first_contacted_at = Column(DateTime)
    converted_at = Column(DateTime)
    # A lead knowingly created although it matches another (import policy "create and flag").
    possible_duplicate = Column(Boolean, nullable=False, default=False)
    # Consent (GDPR)
    # Summary of the consent records (app.services.privacy.consent keeps it): any channel
    # currently given, and when the latest of those was given.
    consent_contact = Column(Boolean, nullable=False, default=False)
    consent_at = Column(DateTime)
    # Professional (B2B) or consumer: None lets the company field decide (CRM_COMPANY_IS_B2B).
    professional = Column(Boolean)
    # The last contact as the CNIL counts it (a reply, a booking, an inbound interaction, a
    # form sent again): retention runs from it.
    last_contact_at = Column(DateTime, default=utcnow)
    # Set when the person was erased: the row stays, anonymised, for the figures.
    anonymised_at = Column(DateTime)
    # Attribution
    utm_source = Column(String(200))
    utm_medium = Column(String(200))
    utm_campaign = Column(String(200))
    utm_term = Column(String(200))
    utm_content = Column(String(200))
    gclid = Column(String(200))
    fbclid = Column(String(200))
    external_id = Column(String(100))
    form_id = Column(String(100))
    # Answers to an ad form's own questions, as JSON {question: answer}.
    form_answers = Column(Text)
    # Ad platforms' test leads: accepted, flagged, left out of statistics.
    is_test = Column(Boolean, nullable=False, default=False, server_default=text("false"))
    # What the customer is worth, entered when converted (campaign reports add it up).
    value = Column(Numeric(12, 2))
    # The import that created the lead, and its row in the file: re-running a batch after a
    # crash finds the rows it already wrote (unique together).
    import_batch_id = Column(Integer, ForeignKey("import_batch.id", ondelete="SET NULL",
                                                 name="fk_lead_import_batch"))
    import_row = Column(Integer)

    interactions = relationship(
        "Interaction", back_populates="lead", cascade="all, delete-orphan", lazy="select"
    )
    appointments = relationship(
        "Appointment", back_populates="lead", cascade="all, delete-orphan", lazy="select"
    )

    __table_args__ = (
        # What the lead list filters and sorts on; created_at/id breaks ties for stable paging.
        Index("ix_lead_created", "created_at", "id"),
        Index("ix_lead_status_created", "status", "created_at", "id"),
        Index("ix_lead_source_created", "source_id", "created_at", "id"),
        Index("ix_lead_campaign_created", "campaign_id", "created_at", "id"),
        Index("ix_lead_owner_created", "owner_id", "created_at", "id"),
        Index("ix_lead_owner_status_created", "owner_id", "status", "created_at", "id"),
        Index("ix_lead_status_source_created", "status", "source_id", "created_at", "id"),
        Index("ix_lead_name", "last_name", "id"),
        Index("uq_lead_import_row", "import_batch_id", "import_row", unique=True),
        # The API's cursor sync (updated_at, id) and its lookups by the ids ad platforms give.
        Index("ix_lead_updated", "updated_at", "id"),
        Index("ix_lead_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_lead_gclid", "gclid"),
        Index("ix_lead_fbclid", "fbclid"),
        Index("ix_lead_external_id", "external_id"),
        Index("ix_lead_last_contact", "last_contact_at", "id"),
        # Prefix search (LIKE 'x%' on PostgreSQL needs the pattern operator class).
        Index("ix_lead_name_key", "name_key", postgresql_ops={"name_key": "varchar_pattern_ops"}),
        # E-mail and phone: one live lead per value (flagged duplicates exempt), so a race
        # between two requests cannot double a lead. With the small indexes of the flagged
        # leads they also serve lookups and prefix search: search both (see live_or_flagged).
        *(index for column in ("email", "phone") for index in _contact_indexes(column)),
    )

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def status_label(self):
        return str(STATUSES.get(self.status, self.status))

    def __repr__(self):
        return self.full_name or f"#{self.id}"
