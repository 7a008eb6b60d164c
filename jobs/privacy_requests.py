"""The scheduled check of RGPD requests: each one past its deadline notifies the DPO users once."""
from flask_babel import gettext as _

from app.extensions import db
from app.services.notifications import notify
from app.services.privacy.requests import claim_overdue, dpo_user_ids
from app.timezones import format_local
from jobs.notifications import dispatch


def notify_overdue_requests(now=None):
    """Returns the number of requests found overdue by this run."""
    overdue = claim_overdue(db.session, now)
    users = dpo_user_ids(db.session) if overdue else []
    items = [notify(db.session, user_id, "privacy_overdue",
                    lambda item=item: _("Demande RGPD n° %(id)s (%(kind)s) en retard : échéance "
                                        "le %(date)s", id=item.id, kind=item.kind_label(),
                                        date=format_local(item.due_at, "%d/%m/%Y")),
                    url="/privacy/")
             for item in overdue for user_id in users]
    db.session.commit()
    dispatch([item for item in items if item is not None])
    return len(overdue)
