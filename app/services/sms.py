"""Sending SMS through the provider chosen in configuration (CRM_SMS_BACKEND).

- "console": the message is written to the log (default: development, tests of other parts);
- "twilio": Twilio's Programmable Messaging REST API (POST {base}/2010-04-01/Accounts/{sid}/
  Messages.json, HTTP basic auth with the account SID and auth token, form fields To, From,
  Body; 201 with the message's sid on success, a JSON error with code and message otherwise).
  CRM_SMS_API_URL points elsewhere for tests (a local server that checks requests as Twilio).
"""
import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from flask import current_app

log = logging.getLogger(__name__)


class SmsError(Exception):
    pass


def send_sms(to, body):
    """Send one SMS; returns the provider's message id. Raises SmsError with the reason."""
    backend = current_app.config.get("CRM_SMS_BACKEND", "console")
    if backend == "console":
        log.info("SMS to %s: %s", to, body)
        return "console"
    if backend == "twilio":
        return _twilio(to, body[:1600])
    raise SmsError(f"unknown SMS backend {backend!r}")


def _twilio(to, body):
    config = current_app.config
    sid, token = config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN")
    sender = config.get("TWILIO_FROM")
    if not (sid and token and sender):
        raise SmsError("TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM must be set")
    base = config.get("CRM_SMS_API_URL") or "https://api.twilio.com"
    url = f"{base.rstrip('/')}/2010-04-01/Accounts/{urllib.parse.quote(sid)}/Messages.json"
    data = urllib.parse.urlencode({"To": to, "From": sender, "Body": body}).encode()
    auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Authorization": f"Basic {auth}",
        "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode())["sid"]
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read().decode())
            reason = f"{detail.get('code')}: {detail.get('message')}"
        except (ValueError, AttributeError):
            reason = f"HTTP {exc.code}"
        raise SmsError(reason) from exc
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        raise SmsError(str(exc)) from exc
