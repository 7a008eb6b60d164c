"""Application factory."""
import logging
import os

from flask import Flask
from flask_appbuilder import AppBuilder

from app.extensions import csrf, db, mail, migrate, tune_sqlite
from app.services.secrets_box import keyring
from config import CONFIGS, DEFAULT_SECRET_KEY

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def create_app(config=None, overrides=None):
    """Build the CRM. `config` is a class or a name ('development', 'test', 'production')."""
    app = Flask(__name__, instance_path=os.path.join(os.path.dirname(MIGRATIONS_DIR), "instance"))
    config = config or os.environ.get("CRM_ENV", "development")
    app.config.from_object(CONFIGS[config] if isinstance(config, str) else config)
    app.config.update(overrides or {})
    # Login attempt counters are shared by every gunicorn worker when Redis is there.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    _check_production(app)
    keyring(app.config)  # a malformed CRM_ENCRYPTION_KEYS stops the start, not a webhook later
    os.makedirs(app.instance_path, exist_ok=True)
    logging.basicConfig(level=logging.INFO)

    db.init_app(app)
    # render_as_batch: SQLite alters tables by copying them.
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    mail.init_app(app)
    csrf.init_app(app)

    from app import api_errors, authentication, errors, input_limits, security_headers, templating
    from app.services import events  # noqa: F401 - registers the timeline's flush listener
    from app.services import lead_stats  # noqa: F401 - registers the figures' flush listener
    from app.services import lead_deletions  # noqa: F401 - registers the tombstones' listeners
    from app.services.privacy import last_contact  # noqa: F401 - registers the contact clock
    from app.services.privacy import audit_changes  # noqa: F401 - registers the audit listener
    from jobs import appointment_moves  # noqa: F401 - registers what follows a reassignment
    from app.cli import crm_cli, report_fab_password_errors
    from views.registry import register_views

    input_limits.install(app)
    with app.app_context():
        tune_sqlite(db.engine)
        # A new AppBuilder per app: a shared one keeps the first app's views (404s elsewhere).
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)
    input_limits.register(app)
    app.before_request(_remember_actor)
    app.teardown_request(authentication.stop_auditing)
    authentication.register(app)
    errors.register(app)
    api_errors.register(app)
    security_headers.register(app)
    templating.register(app)
    app.cli.add_command(crm_cli)
    report_fab_password_errors()
    return app


def _remember_actor():
    """Who acts in this request, for what the session records (status changes, the audit
    log's field changes). A JWT is only read by the API's @protect: see load_user_jwt."""
    from app.authentication import remember_actor
    from views.scoping import current_user

    remember_actor(current_user())


def _check_production(app):
    if app.config.get("ENV_NAME") == "production":
        if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY or len(app.config["SECRET_KEY"]) < 32:
            raise RuntimeError("Production needs SECRET_KEY set to a random value of 32+ characters.")
