"""What a duplicate merge keeps of the lead it deletes: its name, e-mail and phone, pointing at
the lead that took its history, so that a right-of-access search still finds the person."""
from sqlalchemy import or_, update

from models import LeadMerge


def remember_merge(session, keep, other, user_id=None):
    """Record `other` as merged into `keep`; earlier merges into `other` follow it to `keep`."""
    session.execute(update(LeadMerge).where(LeadMerge.kept_lead_id == other.id)
                    .values(kept_lead_id=keep.id))
    session.add(LeadMerge(kept_lead_id=keep.id, merged_lead_id=other.id,
                          first_name=other.first_name, last_name=other.last_name,
                          email=other.email, phone=other.phone, user_id=user_id))


def merges_of(session, email=None, phone=None):
    """The merges of leads that held this (normalised) e-mail or phone, oldest first."""
    conditions = [column == value for column, value in
                  ((LeadMerge.email, email), (LeadMerge.phone, phone)) if value]
    if not conditions:
        return []
    return session.query(LeadMerge).filter(or_(*conditions)).order_by(LeadMerge.id).all()
