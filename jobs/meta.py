"""Reading a Meta lead from the Graph API, with retries: the notification only names it."""
import json

from flask import current_app

from app.extensions import db
from app.services.errors import DomainError
from app.services.intake import process_delivery
from app.services.meta import GraphError, fetch_lead, parse_graph_lead
from jobs.notifications import notify_new_lead
from jobs.queue import enqueue
from models import IntakeDelivery


def fetch_meta_lead(delivery_id):
    delivery = db.session.get(IntakeDelivery, delivery_id)
    if delivery is None or delivery.settled:
        return None  # delivered twice: already done
    config = current_app.config
    try:
        graph_lead = fetch_lead(config["META_GRAPH_URL"], delivery.external_id,
                                delivery.source.meta_page_token if delivery.source else None,
                                config["META_GRAPH_TIMEOUT"])
        lead, created = process_delivery(db.session, delivery, parse_graph_lead(graph_lead),
                                         config["CRM_PHONE_REGION"])
    except (GraphError, DomainError) as exc:
        delivery.status = "failed"
        delivery.message = getattr(exc, "message", None) or str(exc)[:2000]
        delivery.attempts += 1
        db.session.commit()
        raise  # rq retries GraphError per META_RETRY_INTERVALS; the journal shows the last error
    db.session.commit()
    if created:
        enqueue(notify_new_lead, lead.id)
    return delivery.lead_id


def notification_body(change):
    return json.dumps({"leadgen": change}, ensure_ascii=False)
