"""E-mail templates reps pick from on the lead sheet (edited by admins)."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Integer, String, Text

from models.base import TimestampMixin


class EmailTemplate(TimestampMixin, Model):
    __tablename__ = "email_template"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, unique=True)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    active = Column(Boolean, nullable=False, default=True)

    def __repr__(self):
        return self.name
