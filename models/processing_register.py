"""Who answers for the CRM's processing of personal data: the controller and its DPO, as the
admin enters them for the register of processing (Art. 30 RGPD). One row."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from models.base import utcnow

REGISTER_ROW_ID = 1


class ProcessingRegister(Model):
    __tablename__ = "processing_register"
    id = Column(Integer, primary_key=True)
    controller_name = Column(String(200))
    controller_address = Column(String(500))
    controller_email = Column(String(254))
    controller_phone = Column(String(40))
    dpo_name = Column(String(200))
    dpo_email = Column(String(254))
    dpo_phone = Column(String(40))
    updated_at = Column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
    updated_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
