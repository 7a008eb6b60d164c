"""What the lead sheet shows of consent: the current state of every channel (a channel never
recorded says so) and the whole history with its proof, newest first."""
import json

from app.services.privacy.consent import current, history, is_professional
from models import User
from models.consent import CHANNELS, METHODS, STATES


def _platform_fields(text):
    """The platform's consent fields as "key: value" lines (the stored JSON, made readable)."""
    try:
        items = json.loads(text)
    except ValueError:
        return [text]
    items = items if isinstance(items, list) else [items]
    return [", ".join(f"{k}: {v}" for k, v in item.items()) if isinstance(item, dict)
            else str(item) for item in items]


def consent_panel(session, lead, company_is_b2b=True):
    """{"channels": [(channel, record or None)], "history": [(record, who, platform lines)],
    "professional": bool, "deduced": whether the company decided it, "labels"}."""
    latest = current(session, lead.id)
    records = history(session, lead.id)
    user_ids = {r.user_id for r in records if r.user_id}
    names = {u.id: u.get_full_name() for u in session.query(User).filter(User.id.in_(user_ids))} \
        if user_ids else {}
    return {
        "channels": [(channel, latest.get(channel)) for channel in CHANNELS],
        "history": [(r, names.get(r.user_id),
                     _platform_fields(r.platform_fields) if r.platform_fields else [])
                    for r in records],
        "professional": is_professional(lead, company_is_b2b),
        "deduced": lead.professional is None,
        "labels": {"channels": CHANNELS, "states": STATES, "methods": METHODS},
    }
