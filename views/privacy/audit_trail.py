"""What views call to write the audit log: the service's `record`, with the request's user and
address (ProxyFix has already applied CRM_TRUSTED_PROXIES to remote_addr). A write's entry is
part of the view's transaction (`audit`); a read commits its own (`audit_read`, `audit_reads`)."""
from flask import request

from app.extensions import db
from app.services.privacy.audit import record, record_many
from views.scoping import current_user


def _actor():
    user = current_user()
    return (user.id if user is not None else None), request.remote_addr


def audit(action, lead_id=None, **detail):
    record(db.session, action, *_actor(), lead_id, **detail)


def audit_read(action, lead_id=None, **detail):
    """A read changes nothing else: its entry is committed at once."""
    audit(action, lead_id, **detail)
    db.session.commit()


def audit_reads(action, lead_ids, **detail):
    """One entry per lead read (a list page: one INSERT for all), committed."""
    record_many(db.session, action, *_actor(), lead_ids, **detail)
    db.session.commit()
