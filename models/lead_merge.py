"""The contact data of a lead merged into another: a merge deletes the other lead, and a person
who asks what is held about them must still be found by the e-mail or phone they gave then."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String

from models.base import utcnow


class LeadMerge(Model):
    __tablename__ = "lead_merge"
    id = Column(Integer, primary_key=True)
    # No foreign keys: the merged lead is gone, and a later merge moves kept_lead_id on.
    kept_lead_id = Column(Integer, nullable=False, index=True)
    merged_lead_id = Column(Integer, nullable=False)
    first_name = Column(String(100))
    last_name = Column(String(100))
    email = Column(String(254))
    phone = Column(String(20))
    user_id = Column(Integer)
    merged_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_lead_merge_email", "email"), Index("ix_lead_merge_phone", "phone"))
