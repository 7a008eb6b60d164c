"""Public intake endpoints for ad platforms and web forms.

Deliberately public (no @has_access): each request is authenticated by its source's secret.
CSRF-exempt (other sites post here), rate limited per address, and every delivery is stored
raw before it is processed, so nothing is lost when processing fails.
"""
import json

from flask import current_app, jsonify, redirect, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from rq import Retry

from app.body_limits import body_limit
from app.extensions import db
from app.services.errors import DomainError
from app.services.intake import load_json, record_delivery
from app.services.meta import leadgen_changes, signing_source
from jobs.intake import take_delivery
from jobs.meta import fetch_meta_lead, notification_body
from jobs.queue import enqueue
from models import Source

HONEYPOT = "crm_website"  # hidden field of our form snippet: people leave it empty, bots do not


def _webhook_limit():
    return current_app.config.get("CRM_WEBHOOK_RATE_LIMIT", "120 per minute")


def _source_by_token(token, kind=None):
    if not token or len(token) > 64:
        return None
    query = db.session.query(Source).filter(Source.intake_token == token, Source.active.is_(True))
    if kind:
        query = query.filter(Source.kind == kind)
    return query.first()


def _visitor_proof(data):
    """The consent proof a visitor's browser gives when it posts the form here itself: its
    address (through the trusted proxies), user agent and page. A site that relays its form
    posts its visitor's own (ip, user_agent, page_url): then nothing of the relay is taken."""
    if data.keys() & {"ip", "ip_address"}:
        return {}
    proof = {"ip": request.remote_addr, "user_agent": request.headers.get("User-Agent", "")}
    if not data.keys() & {"page_url", "referer", "referrer"}:
        proof["page_url"] = request.headers.get("Referer", "")
    return {k: v for k, v in proof.items() if v}


def _error(status, message):
    return jsonify(message=message), status


class WebhookView(BaseView):
    route_base = "/webhooks"
    limits = [Limit(limit_value=_webhook_limit, key_func=get_remote_address)]

    @expose("/google-ads", methods=["POST"])
    @body_limit("CRM_WEBHOOK_MAX_BYTES")
    def google_ads(self):
        try:
            payload = load_json(request.get_data()) if request.is_json else None
        except DomainError:
            payload = None
        if not isinstance(payload, dict):
            return _error(400, _("Corps de requête JSON attendu."))
        source = _source_by_token(str(payload.get("google_key") or ""), kind="google_ads")
        if source is None:
            return _error(403, _("Clé Google Ads inconnue."))
        body = request.get_data(as_text=True)
        delivery = record_delivery(db.session, "google_ads", source, body, request.content_type,
                                   request.remote_addr, payload.get("lead_id"))
        db.session.commit()  # stored before anything can fail
        if delivery.settled:  # a replay, counted on the delivery that made the lead
            return jsonify(status=delivery.status, delivery=delivery.id), 200
        return self._process(delivery)

    @expose("/form/<token>", methods=["POST"])
    @body_limit("CRM_WEBHOOK_MAX_BYTES")
    def web_form(self, token):
        source = _source_by_token(token)
        if source is None:
            return _error(403, _("Formulaire inconnu."))
        if request.is_json:
            try:
                data = load_json(request.get_data())
            except DomainError as exc:
                return _error(400, exc.message)
            if not isinstance(data, dict):
                return _error(400, _("Corps de requête JSON invalide."))
        else:
            data = request.form.to_dict()
        data = {**{k: v for k, v in request.args.items() if k.startswith(("utm_", "gclid", "fbclid"))},
                **{str(k): v for k, v in data.items() if isinstance(v, (str, int, float))}}
        data.update(_visitor_proof(data))
        delivery = record_delivery(db.session, "web_form", source,
                                   json.dumps(data, ensure_ascii=False), request.content_type,
                                   request.remote_addr)
        if data.pop(HONEYPOT, ""):
            delivery.status, delivery.message = "ignored", _("Champ piège rempli : robot probable.")
            db.session.commit()
            return self._thanks(source)
        db.session.commit()
        response = self._process(delivery)
        return self._thanks(source) if response[1] == 200 else response

    @expose("/meta", methods=["GET"])
    def meta_verify(self):
        """Meta's subscription check: echo hub.challenge if the verify token is a source's."""
        if request.args.get("hub.mode") != "subscribe":
            return _error(400, _("Requête de vérification Meta invalide."))
        if _source_by_token(request.args.get("hub.verify_token", ""), kind="meta") is None:
            return _error(403, _("Jeton de vérification inconnu."))
        return request.args.get("hub.challenge", ""), 200, {"Content-Type": "text/plain"}

    @expose("/meta", methods=["POST"])
    @body_limit("CRM_WEBHOOK_MAX_BYTES")
    def meta(self):
        body = request.get_data()
        source = signing_source(db.session, body, request.headers.get("X-Hub-Signature-256"))
        if source is None:
            return _error(403, _("Signature Meta invalide."))
        try:
            changes = leadgen_changes(load_json(body))
        except DomainError as exc:
            return _error(400, exc.message)
        deliveries = [record_delivery(db.session, "meta", source, notification_body(change),
                                      request.content_type, request.remote_addr,
                                      change["leadgen_id"]) for change in changes]
        db.session.commit()
        retry = Retry(max=len(current_app.config["META_RETRY_INTERVALS"]),
                      interval=current_app.config["META_RETRY_INTERVALS"])
        for delivery in (d for d in deliveries if not d.settled):  # replays of done ones: counted
            enqueue(fetch_meta_lead, delivery.id, job_id=f"meta-{delivery.external_id}", retry=retry)
        return jsonify(received=len(deliveries)), 200

    @staticmethod
    def _process(delivery):
        try:
            take_delivery(delivery)
        except DomainError as exc:
            return _error(400, exc.message)
        return jsonify(status=delivery.status, delivery=delivery.id), 200

    @staticmethod
    def _thanks(source):
        if source.thank_you_url:
            return redirect(source.thank_you_url, code=303)
        return jsonify(message=_("Merci, votre demande a bien été reçue.")), 200
