"""Spend per campaign and day, imported from the ad platforms' exports."""
from flask_appbuilder import Model
from sqlalchemy import Column, Date, ForeignKey, Integer, Numeric



class CampaignSpend(Model):
    __tablename__ = "campaign_spend"
    campaign_id = Column(Integer, ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    day = Column(Date, primary_key=True)
    amount = Column(Numeric(12, 2), nullable=False)
