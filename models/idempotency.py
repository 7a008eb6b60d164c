"""API requests made idempotent by their `Idempotency-Key` header."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text

from models.base import utcnow


class IdempotencyKey(Model):
    """A key a user sent with a POST, what the request was (its fingerprint) and, once
    answered, the answer to replay. Unique per user: of two simultaneous requests with one key,
    only one can claim it."""

    __tablename__ = "idempotency_key"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE",
                                         name="fk_idempotency_key_user"), nullable=False)
    key = Column(String(255), nullable=False)
    fingerprint = Column(String(64), nullable=False)
    status_code = Column(Integer)  # None while the first request runs
    response_body = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("uq_idempotency_key_user_key", "user_id", "key", unique=True),
        Index("ix_idempotency_key_created", "created_at"),
    )
