"""Running counts of leads per local day, source, campaign, rep and status, kept by
app/services/lead_stats.py at every write: dashboards and reports add up a few thousand of
these rows instead of re-reading a period's leads. Ids are 0 where the lead has none (a key
column cannot be NULL in a primary key). Test leads are not counted."""
from flask_appbuilder import Model
from sqlalchemy import Column, Date, Integer, Numeric, String

KEY_COLUMNS = ("day", "source_id", "campaign_id", "owner_id", "status")


def _key():
    return [Column("day", Date, primary_key=True),
            Column("source_id", Integer, primary_key=True, autoincrement=False),
            Column("campaign_id", Integer, primary_key=True, autoincrement=False),
            Column("owner_id", Integer, primary_key=True, autoincrement=False),
            Column("status", String(20), primary_key=True)]


class LeadDayStat(Model):
    __tablename__ = "lead_day_stat"
    __table_args__ = {"sqlite_with_rowid": False}
    day, source_id, campaign_id, owner_id, status = _key()
    leads = Column(Integer, nullable=False)
    # Never contacted (no first contact recorded).
    untouched = Column(Integer, nullable=False)
    # Leads with a value entered, and the sum of their values.
    valued = Column(Integer, nullable=False)
    value = Column(Numeric(14, 2), nullable=False)


class LeadContactStat(Model):
    """How many leads of a key were first contacted after so many whole minutes: the median
    time to first contact is read from this histogram."""
    __tablename__ = "lead_contact_stat"
    __table_args__ = {"sqlite_with_rowid": False}
    day, source_id, campaign_id, owner_id, status = _key()
    minutes = Column(Integer, primary_key=True, autoincrement=False)
    leads = Column(Integer, nullable=False)
