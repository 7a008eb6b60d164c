"""An empty, migrated CRM database for a benchmark run (SQLite file or PostgreSQL schema)."""
import logging
import os

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.services.roles import sync_roles
from config import BASE_DIR, DevelopmentConfig


def fresh_app(url, sqlite_name, **config):
    """The app on `url` (default: instance/<sqlite_name>), its database emptied and migrated.
    Call inside nothing; returns the app (push its context to use it)."""
    url = url or "sqlite:///" + os.path.join(BASE_DIR, "instance", sqlite_name)
    if url.startswith("sqlite:///") and os.path.exists(url[10:]):
        os.remove(url[10:])
    app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None,
                                         "RATELIMIT_ENABLED": False, **config})
    logging.disable(logging.WARNING)
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        sync_roles(app.appbuilder, db.session)
    return app
