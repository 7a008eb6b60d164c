"""Advertising campaigns that leads are attributed to."""
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from models.base import TimestampMixin

PLATFORMS = {
    "google_ads": _l("Google Ads"),
    "meta": _l("Meta"),
    "linkedin": _l("LinkedIn"),
    "email": _l("E-mailing"),
    "event": _l("Salon / événement"),
    "other": _l("Autre"),
}


class Campaign(TimestampMixin, Model):
    __tablename__ = "campaign"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_campaign_external"),)
    id = Column(Integer, primary_key=True)
    name = Column(String(200), unique=True, nullable=False)
    platform = Column(String(20), nullable=False, default="other")
    # Other names files give it, one a line ("Facebook Ads" for "Meta Lead Ads"): imports match
    # them like the name, without case or accents.
    aliases = Column(Text)
    external_id = Column(String(64))
    utm_campaign = Column(String(200), index=True)
    source_id = Column(Integer, ForeignKey("source.id"), index=True)
    source = relationship("Source")
    start_date = Column(Date)
    end_date = Column(Date)
    budget = Column(Numeric(12, 2))
    spend = Column(Numeric(12, 2))
    # Who follows the campaign (marketing or a manager): told of each lead it brings in.
    manager_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL",
                                            name="fk_campaign_manager"))
    manager = relationship(User, foreign_keys=[manager_id])

    def platform_label(self):
        return str(PLATFORMS.get(self.platform, self.platform))

    def __repr__(self):
        return self.name
