"""A file import: who, when, which file, how it was read and mapped, what it gave."""
import json

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from models.base import TimestampMixin

POLICIES = {
    "skip": _l("Ignorer les doublons"),
    "update": _l("Mettre à jour le prospect existant"),
    "create": _l("Créer et signaler comme doublon possible"),
}
BATCH_STATUSES = {
    "pending": _l("En attente"),
    "running": _l("En cours"),
    "done": _l("Terminé"),
    "failed": _l("Échec"),
    "undone": _l("Annulé"),
}


def _json_dict(column):
    """A dict kept as JSON text in `column`."""
    return property(lambda self: json.loads(getattr(self, column) or "{}"),
                    lambda self, value: setattr(self, column, json.dumps(value, sort_keys=True)))


class ImportBatch(TimestampMixin, Model):
    __tablename__ = "import_batch"
    id = Column(Integer, primary_key=True)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))
    created_by = relationship(User, foreign_keys=[created_by_id])
    file_name = Column(String(255), nullable=False)
    # None once the file was purged (CRM_PURGE_IMPORT_DAYS); it is always set before that.
    stored_path = Column(String(500))
    encoding = Column(String(20))
    delimiter = Column(String(5))
    header_row = Column(Integer, nullable=False, default=0)
    mapping_json = Column(Text, nullable=False, default="{}")
    source_id = Column(Integer, ForeignKey("source.id"))
    source = relationship("Source")
    campaign_id = Column(Integer, ForeignKey("campaign.id"))
    campaign = relationship("Campaign")
    owner_id = Column(Integer, ForeignKey("ab_user.id"))
    owner = relationship(User, foreign_keys=[owner_id])
    policy = Column(String(10), nullable=False, default="skip")
    status = Column(String(10), nullable=False, default="pending")
    total_rows = Column(Integer, nullable=False, default=0)
    processed_rows = Column(Integer, nullable=False, default=0)
    created = Column(Integer, nullable=False, default=0)
    updated = Column(Integer, nullable=False, default=0)
    skipped = Column(Integer, nullable=False, default=0)
    rejected = Column(Integer, nullable=False, default=0)
    blank = Column(Integer, nullable=False, default=0)
    # Leads created with a warning (not in `created`: the counts add up to the file's rows).
    warned = Column(Integer, nullable=False, default=0, server_default="0")
    rejected_path = Column(String(500))
    warnings_path = Column(String(500))
    # When the rejected-row and warnings files were deleted (CRM_PURGE_EXPORT_DAYS), their
    # paths nulled: a None path alone would also mean "not run yet".
    reports_purged_at = Column(DateTime)
    # What the admin chose for the file's values: {"status": {key: code}, "source": {key: id},
    # "campaign": {key: id}} (keys as importing.mapping.header_key gives them).
    value_map_json = Column(Text)
    # Sources and campaigns this import created, {"source": [id...], "campaign": [id...]}:
    # undo removes those nothing else uses.
    created_names_json = Column(Text)
    error = Column(Text)
    finished_at = Column(DateTime)
    undone_at = Column(DateTime)

    mapping = _json_dict("mapping_json")  # {column index (str): lead field}
    value_map = _json_dict("value_map_json")
    created_names = _json_dict("created_names_json")

    def status_label(self):
        return str(BATCH_STATUSES.get(self.status, self.status))

    def policy_label(self):
        return str(POLICIES.get(self.policy, self.policy))

    def __repr__(self):
        return self.file_name
