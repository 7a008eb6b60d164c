"""Security headers on every response, and the per-request nonce of the few inline scripts.

Written here rather than with flask-talisman: the booking page needs its own framing rule
from a setting, and FAB's templates already ask for a `csp_nonce()` Jinja global; both take
a few lines, a library would take a dependency and per-view decorators on FAB's views.
"""
import secrets

from flask import request

BOOKING_PREFIX = "/rdv/"
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb"))


def csp_nonce():
    """This request's nonce (FAB's templates put it on their inline scripts)."""
    return request.environ.setdefault("crm.csp_nonce", secrets.token_urlsafe(16))


def content_security_policy(nonce, frame_ancestors):
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        # FAB's widgets and Bootstrap set style attributes.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ))


def add_security_headers(response, config):
    headers = response.headers
    embedders = config.get("CRM_BOOKING_FRAME_ANCESTORS") or []
    embeddable = request.path.startswith(BOOKING_PREFIX) and embedders
    # A response that set its own policy (attachments: a sandbox) keeps it.
    headers.setdefault("Content-Security-Policy", content_security_policy(
        csp_nonce(), " ".join(embedders) if embeddable else "'none'"))
    if not embeddable:
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if config.get("CRM_HSTS_SECONDS"):
        headers.setdefault("Strict-Transport-Security",
                           f"max-age={config['CRM_HSTS_SECONDS']}; includeSubDomains")
    return response


def register(app):
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(lambda response: add_security_headers(response, app.config))
