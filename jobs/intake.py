"""The one intake path after a delivery is stored: parse its stored body -> record the outcome
-> commit -> tell the rep. Webhooks, the journal's replay and the Meta fetch job all call
take_delivery, so a delivery is handled the same way whoever processes it."""
import json

from flask import current_app

from app.extensions import db
from app.services.errors import DomainError, RemoteError
from app.services.intake import load_json, parse_google_ads, parse_web_form, process_delivery
from app.services.meta import fetch_lead, parse_graph_lead
from jobs.notifications import notify_new_lead
from jobs.queue import enqueue


def _meta(delivery):
    """A Meta notification only names its lead: read it from the Graph API."""
    config = current_app.config
    page_token = delivery.source.meta_page_token if delivery.source else None
    return parse_graph_lead(fetch_lead(config["META_GRAPH_URL"], delivery.external_id,
                                       page_token, config["META_GRAPH_TIMEOUT"]))


def _web_form(delivery):
    source = delivery.source
    mapping = json.loads(source.field_mapping) if source and source.field_mapping else None
    return parse_web_form(load_json(delivery.body), mapping)


PARSERS = {
    "meta": _meta,
    "google_ads": lambda delivery: parse_google_ads(load_json(delivery.body)),
    "web_form": _web_form,
}


def take_delivery(delivery):
    """Process a stored delivery and commit its outcome; once committed, notify a new lead's
    rep. Returns (lead, created). A failure is recorded and committed, then raised again:
    DomainError (the delivery is refused), RemoteError (worth retrying)."""
    try:
        lead, created = process_delivery(db.session, delivery,
                                         lambda: PARSERS[delivery.channel](delivery),
                                         current_app.config["CRM_PHONE_REGION"])
    except (DomainError, RemoteError):
        db.session.commit()
        raise
    db.session.commit()
    if created:
        enqueue(notify_new_lead, lead.id)
    return lead, created
