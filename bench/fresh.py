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


BENCH_PASSWORD = "Bench-Password-12"  # meets the password policy the CRM enforces


def seed_team(lead_count):
    """A manager "bench", the demo reps and `lead_count` demo leads (inside an app context)."""
    from app.services.accounts import ensure_user
    from app.services.demo import REPS, refresh_statistics, seed_leads
    from flask import current_app

    sm = current_app.appbuilder.sm
    ensure_user(sm, "bench", "bench@example.com", "Bench", "Manager", "Responsable", BENCH_PASSWORD)
    owners = [ensure_user(sm, u, f"{u}@exemple.fr", f, last, "Commercial", BENCH_PASSWORD)[0].id
              for u, f, last in REPS]
    seed_leads(db.session, lead_count, owners, batch=50_000)
    db.session.commit()
    refresh_statistics(db.engine)
