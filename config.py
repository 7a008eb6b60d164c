"""Configuration classes. Every secret and URL comes from the environment."""
import os

from flask_appbuilder.const import AUTH_DB

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me-in-production"


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    ENV_NAME = "development"
    APP_NAME = os.environ.get("APP_NAME", "CRM Prospects")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(BASE_DIR, "instance", "crm.db")
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RQ_QUEUE_NAME = os.environ.get("RQ_QUEUE_NAME", "leadcrm")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "crm@localhost")
    # Without a mail server configured, development prints mails instead of failing jobs.
    MAIL_SUPPRESS_SEND = _env_bool("MAIL_SUPPRESS_SEND")
    CRM_BASE_URL = os.environ.get("CRM_BASE_URL", "http://127.0.0.1:5000")

    # Flask-AppBuilder
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    FAB_SECURITY_MANAGER_CLASS = "app.security.CRMSecurityManager"
    FAB_CREATE_DB = False  # the schema comes from migrations
    FAB_UPDATE_PERMS = False  # permissions are synced by `flask crm init` / `sync-roles`
    FAB_ADD_SECURITY_API = False  # user/role CRUD APIs; the JWT login API is always on
    FAB_API_SWAGGER_UI = _env_bool("FAB_API_SWAGGER_UI")
    FAB_ADD_OPENAPI_VIEWS = False  # views/openapi.py serves a corrected document instead
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_BASE_TEMPLATE = "crm_base.html"
    FAB_INDEX_VIEW = "views.home.HomeView"
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = {
        "fr": {"flag": "fr", "name": "Français"},
        "en": {"flag": "gb", "name": "English"},
    }
    CRM_TIMEZONE = "Europe/Paris"
    CRM_PHONE_REGION = "FR"
    CRM_LIST_PAGE_SIZE = 25
    CRM_MAX_PAGE_SIZE = 100
    CRM_IMPORT_DIR = os.environ.get("CRM_IMPORT_DIR", os.path.join(BASE_DIR, "instance", "imports"))
    CRM_IMPORT_MAX_BYTES = int(os.environ.get("CRM_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
    CRM_EXPORT_DIR = os.environ.get("CRM_EXPORT_DIR", os.path.join(BASE_DIR, "instance", "exports"))
    CRM_EXPORT_INLINE_ROWS = 10_000  # larger exports run as a job
    # Days stored files are kept (RGPD): imported files and the raw payloads of intake
    # deliveries; rejected-row and warnings files of imports, and exports prepared by a job.
    CRM_PURGE_IMPORT_DAYS = int(os.environ.get("CRM_PURGE_IMPORT_DAYS", "90"))
    CRM_PURGE_EXPORT_DAYS = int(os.environ.get("CRM_PURGE_EXPORT_DAYS", "30"))
    CRM_COMPANY_NAME = os.environ.get("CRM_COMPANY_NAME")
    CRM_COMPANY_LOGO = os.environ.get("CRM_COMPANY_LOGO")  # a PNG/JPEG file path, for PDFs
    CRM_ATTACHMENT_DIR = os.environ.get("CRM_ATTACHMENT_DIR",
                                        os.path.join(BASE_DIR, "instance", "attachments"))
    CRM_ATTACHMENT_MAX_BYTES = int(os.environ.get("CRM_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
    # Request bodies, counted while they are read (chunked ones too): 413 beyond. Every route
    # gets MAX_CONTENT_LENGTH; file uploads their file limit, public addresses less (see
    # app/body_limits.py).
    MAX_CONTENT_LENGTH = int(os.environ.get("CRM_MAX_BODY_BYTES", 1024 * 1024))
    CRM_SPEND_IMPORT_MAX_BYTES = int(os.environ.get("CRM_SPEND_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
    CRM_WEBHOOK_MAX_BYTES = 64 * 1024
    CRM_BOOKING_MAX_BYTES = 16 * 1024
    # A follow-up rule fires for leads that crossed its line within this many hours (not for
    # every old lead the day the rule is created).
    CRM_FOLLOWUP_LOOKBACK_HOURS = 72
    # Outgoing requests to addresses users type (CalDAV) reach only public addresses, and these
    # hosts, addresses or networks (comma separated), e.g. a Nextcloud on the LAN.
    CRM_OUTBOUND_ALLOWED_HOSTS = os.environ.get("CRM_OUTBOUND_ALLOWED_HOSTS", "")
    # Fernet keys sealing third-party credentials, newest first (`flask crm rotate-key`);
    # without them, a key derived from SECRET_KEY.
    CRM_ENCRYPTION_KEYS = os.environ.get("CRM_ENCRYPTION_KEYS", "")
    # Minutes between two reads of each user's CalDAV calendar (by the tick).
    CRM_CALDAV_SYNC_MINUTES = int(os.environ.get("CRM_CALDAV_SYNC_MINUTES", "5"))
    # SMS: "console" (logged) or "twilio" (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM).
    CRM_SMS_BACKEND = os.environ.get("CRM_SMS_BACKEND", "console")
    CRM_SMS_API_URL = os.environ.get("CRM_SMS_API_URL")
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    TWILIO_FROM = os.environ.get("TWILIO_FROM")
    META_GRAPH_URL = os.environ.get("META_GRAPH_URL", "https://graph.facebook.com/v21.0")
    META_GRAPH_TIMEOUT = 10
    # Seconds between attempts to fetch a Meta lead (rq Retry); the last one gives up.
    META_RETRY_INTERVALS = [10, 60, 300, 900, 3600]
    CRM_BOOKING_RATE_LIMIT = os.environ.get("CRM_BOOKING_RATE_LIMIT", "30 per minute")
    CRM_WEBHOOK_RATE_LIMIT = os.environ.get("CRM_WEBHOOK_RATE_LIMIT", "120 per minute")
    # Unsubscribe links: mail providers post one-click unsubscribes from their own servers, so
    # one address may carry many people's clicks (a higher limit than the booking page's).
    CRM_UNSUBSCRIBE_RATE_LIMIT = os.environ.get("CRM_UNSUBSCRIBE_RATE_LIMIT", "60 per minute")
    CRM_UNSUBSCRIBE_MAX_BYTES = 4 * 1024
    # How long an unsubscribe link keeps working (people unsubscribe from old e-mails too).
    CRM_UNSUBSCRIBE_TOKEN_DAYS = int(os.environ.get("CRM_UNSUBSCRIBE_TOKEN_DAYS", "730"))
    # A mailbox for RFC 2369 mailto unsubscribes ("desinscription@example.fr" becomes
    # desinscription+TOKEN@example.fr); unset, List-Unsubscribe holds the https link only.
    CRM_UNSUBSCRIBE_MAILTO = os.environ.get("CRM_UNSUBSCRIBE_MAILTO") or None
    # A lead with a company name counts as a professional (B2B prospecting: allowed unless they
    # object) unless marked otherwise; off for a business whose customers are consumers.
    CRM_COMPANY_IS_B2B = _env_bool("CRM_COMPANY_IS_B2B", default=True)
    # A list counts its rows only as far as its pager needs to look ahead.
    CRM_COUNT_LOOKAHEAD = 10_000
    # The API's cursor sync serves rows written at least this long ago: a transaction still
    # running may commit a row stamped before the last one served (docs/api.md).
    CRM_SYNC_SETTLE_SECONDS = int(os.environ.get("CRM_SYNC_SETTLE_SECONDS", "5"))
    # How long tombstones of deleted leads stay readable by the sync.
    CRM_TOMBSTONE_DAYS = int(os.environ.get("CRM_TOMBSTONE_DAYS", "90"))
    # Retention (RGPD): a lead with no contact for this many years is anonymised (customers,
    # status "converted", are kept longer), its rep and their manager told this many days before.
    CRM_RETENTION_YEARS = int(os.environ.get("CRM_RETENTION_YEARS", "3"))
    CRM_RETENTION_CUSTOMER_YEARS = int(os.environ.get("CRM_RETENTION_CUSTOMER_YEARS", "5"))
    CRM_RETENTION_NOTICE_DAYS = int(os.environ.get("CRM_RETENTION_NOTICE_DAYS", "30"))
    # Audit log entries older than this many months are purged by the scheduled work.
    CRM_AUDIT_MONTHS = int(os.environ.get("CRM_AUDIT_MONTHS", "12"))

    # Login rate limiting (Flask-Limiter through FAB); counters in Redis when configured.
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
    RATELIMIT_ENABLED = True  # storage: Redis when REDIS_URL is set (see create_app)
    RATELIMIT_HEADERS_ENABLED = True
    # Reverse proxies in front of the CRM whose X-Forwarded-For/-Proto are believed (0: none,
    # the client address is the TCP peer's).
    CRM_TRUSTED_PROXIES = int(os.environ.get("CRM_TRUSTED_PROXIES") or 0)

    # Origins (e.g. "https://www.example.fr") whose pages may embed the public booking page in
    # a frame; every other page may be framed by no one.
    CRM_BOOKING_FRAME_ANCESTORS = os.environ.get("CRM_BOOKING_FRAME_ANCESTORS", "").split()
    CRM_HSTS_SECONDS = 0  # production: a year (the site must be served over HTTPS only)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_ENABLED = True
    PROPAGATE_EXCEPTIONS = False


class DevelopmentConfig(Config):
    DEBUG = False  # keep Werkzeug's interactive debugger off even in development
    MAIL_SUPPRESS_SEND = _env_bool("MAIL_SUPPRESS_SEND", default=True)


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")
    RATELIMIT_ENABLED = False
    MAIL_SUPPRESS_SEND = False
    FAB_PASSWORD_COMPLEXITY_ENABLED = False
    # A test reads back at once what it wrote (the settling delay has its own test).
    CRM_SYNC_SETTLE_SECONDS = 0


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False
    TESTING = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    FAB_API_SWAGGER_UI = False
    PREFERRED_URL_SCHEME = "https"
    CRM_HSTS_SECONDS = int(os.environ.get("CRM_HSTS_SECONDS", 365 * 24 * 3600))
    # Hosts that redirects (next=...) and the Host header may name.
    TRUSTED_HOSTS = [h for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h] or None
    FAB_SAFE_REDIRECT_HOSTS = TRUSTED_HOSTS or []


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
