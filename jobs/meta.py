"""Reading a Meta lead from the Graph API, with retries: the notification only names it."""
import json

from app.extensions import db
from jobs.intake import take_delivery
from models import IntakeDelivery


def fetch_meta_lead(delivery_id):
    """Raises what take_delivery raises: rq retries a GraphError per META_RETRY_INTERVALS, and
    the journal shows the last error."""
    delivery = db.session.get(IntakeDelivery, delivery_id)
    if delivery is None or delivery.settled:
        return None  # delivered twice: already done
    take_delivery(delivery)
    return delivery.lead_id


def notification_body(change):
    return json.dumps({"leadgen": change}, ensure_ascii=False)
