"""Authentication at the edges: who may try to log in how often, which client address counts
behind a proxy, which sessions and tokens are still valid, and what the API accepts a write on.

The rules themselves live in app/services/session_generations.py and passwords.py; this module
ties them to Flask-Login, Flask-JWT-Extended, Flask-Limiter and the request."""
from flask import abort, g, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import db
from app.services import session_generations
from app.services.privacy.audit_changes import act_as

# Where the user's session generation is kept: the session cookie and the JWT claims.
SESSION_KEY = "_crm_generation"
GENERATION_CLAIM = "crm_gen"
_WRITES = frozenset(("POST", "PUT", "PATCH", "DELETE"))
# Logging in through the API needs no token: it is how one gets it (and it is rate-limited).
_TOKENLESS_API_WRITES = frozenset(("SecurityApi.login",))


def register(app):
    """Wire what does not belong to the security manager: proxy addresses, the generation
    written into the session at login, the API's refusal of cookie-only writes."""
    proxies = int(app.config.get("CRM_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Only the last `proxies` hops of X-Forwarded-For/-Proto are believed: a client
        # cannot choose its address (and so its rate-limit counter) by sending the header.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    user_logged_in.connect(_remember_generation, app)
    app.before_request(refuse_cookie_only_api_writes)


def _remember_generation(_app, user):
    session[SESSION_KEY] = session_generations.current(db.session, user.id)


def remember_actor(user):
    """Who acts in this request, for what its session records at flush time: the timeline's
    status changes (actor_id) and the audit log's field changes, with the client's address as
    ProxyFix gives it. None (anonymous, or the request is over) records nobody."""
    user_id = user.id if user is not None else None
    db.session.info["actor_id"] = user_id
    act_as(db.session, user_id, request.remote_addr if user_id is not None else None)


def stop_auditing(_error=None):
    """At the end of a request: a session that outlives it (tests, a command in the same app
    context) must not audit later flushes in the name of this request's user."""
    act_as(db.session, None)


def session_user(user_id):
    """The user of this request's session cookie, if the cookie carries their current
    generation; else None."""
    user, generation = session_generations.user_with_generation(db.session, user_id)
    return user if user is not None and session.get(SESSION_KEY) == generation else None


def token_is_revoked(jwt_data):
    user_id = jwt_data.get("sub")
    if not str(user_id).isdigit():
        return True
    user, generation = session_generations.user_with_generation(db.session, int(user_id))
    # Held for the request, so that the JWT user loader finds it in the session's identity map
    # (which holds unchanged rows weakly) instead of reading it again; never read from here.
    g.crm_token_user = user
    return user is None or jwt_data.get(GENERATION_CLAIM) != generation


def token_claims(identity):
    return {GENERATION_CLAIM: session_generations.current(db.session, int(identity))}


def revoked_token_response(_jwt_header, _jwt_data):
    return jsonify(message=_("Session terminée : reconnectez-vous.")), 401


def refuse_cookie_only_api_writes():
    """A browser sends its session cookie with any cross-site form or fetch: an API write must
    come with a bearer token (a JWT from /api/v1/security/login), never on the cookie alone."""
    if (request.method in _WRITES and request.path.startswith("/api/")
            and request.endpoint not in _TOKENLESS_API_WRITES
            and not request.headers.get("Authorization", "").lower().startswith("bearer ")
            and current_user.is_authenticated):
        abort(401, description=_("L'API demande un jeton (Authorization: Bearer) pour écrire."))


def _login_username():
    """The account a login attempt names (form or JSON body), lower-cased."""
    data = request.form or request.get_json(silent=True)
    return str(data.get("username") or "").strip().lower() if hasattr(data, "get") else ""


def _account_key():
    return "account:" + _login_username()


def _too_many_attempts():
    return _("Trop de tentatives : réessayez dans un moment.")


def limit_logins(limiter, limit, form_login, api_login):
    """Login attempts are throttled per client address and per account, with one counter for
    both doors (the form and the JWT API, login and refresh), answering in French."""
    common = dict(methods=["POST"], error_message=_too_many_attempts)
    per_address = limiter.shared_limit(limit, "login-address", **common)
    per_account = limiter.shared_limit(limit, "login-account", key_func=_account_key,
                                       exempt_when=lambda: not _login_username(), **common)
    for blueprint in (form_login, api_login):
        per_address(blueprint)
        per_account(blueprint)
