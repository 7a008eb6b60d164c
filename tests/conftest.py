"""Fixtures: a real database (SQLite file, or PostgreSQL through DATABASE_URL), migrated once
per session; each test gets a fresh app and a database emptied of everything but the roles.
CRM_TEST_NOW (ISO date-times with their offset) runs the tests marked `clock` at each instant."""
import datetime as dt
import logging
import os
import tempfile

import pytest
import time_machine
from flask_migrate import upgrade
from sqlalchemy import text

import models
from app import create_app
from app.extensions import db
from app.services.roles import sync_roles
from config import TestConfig

logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)

# Tables kept between tests: the schema of permissions and roles (synced once).
KEPT_TABLES = {"alembic_version", "ab_permission", "ab_view_menu", "ab_permission_view",
               "ab_role", "ab_permission_view_role"}
PASSWORD = "MotDePasse-1234"  # passes the production password policy


def travel_instants():
    """The instants CRM_TEST_NOW names (ISO date-times with their offset, separated by spaces)."""
    values = os.environ.get("CRM_TEST_NOW", "").split()
    instants = [dt.datetime.fromisoformat(value) for value in values]
    if any(instant.tzinfo is None for instant in instants):
        raise pytest.UsageError(f"CRM_TEST_NOW needs offsets: {' '.join(values)}")
    return instants


def pytest_generate_tests(metafunc):
    """Under CRM_TEST_NOW, a test marked `clock` runs once at each instant, named in its id."""
    instants = travel_instants()
    if instants and metafunc.definition.get_closest_marker("clock"):
        metafunc.fixturenames.append("clock_instant")
        metafunc.parametrize("clock_instant", instants, ids=[i.isoformat() for i in instants])


@pytest.fixture(autouse=True)
def _clock(request):
    """Travels to the test's instant, the clock ticking from there. Started before the app, so
    that tokens, cookies and rows are all made at the travelled time. In UTC: an aware zone would
    make time-machine change the process's TZ as well."""
    callspec = getattr(request.node, "callspec", None)
    instant = callspec.params.get("clock_instant") if callspec else None
    if instant is None:
        yield
        return
    with time_machine.travel(instant.astimezone(dt.timezone.utc), tick=True):
        yield


# pytest-xdist runs the suite in several processes: each gets a database and a Redis db of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _database_url(tmp_dir):
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(tmp_dir, "test.db")
    return _worker_database(url) if WORKER and url.startswith("postgresql") else url


def _worker_database(url):
    """`<database>_<worker>` on the same PostgreSQL server, created when missing."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{WORKER}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                            {"name": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_schema(url):
    """PostgreSQL keeps tables between runs: start each session from an empty schema."""
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url():
    with tempfile.TemporaryDirectory() as tmp_dir:
        url = _database_url(tmp_dir)
        _reset_schema(url)
        app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            sync_roles(app.appbuilder, db.session)
            db.session.remove()
            db.engine.dispose()
        yield url


def make_app(database_url, **overrides):
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None}
    config.update(overrides)
    app = create_app(TestConfig, config)
    # Tests keep one app context open, so `g` would outlive each request: forget the user
    # Flask-Login cached and the permissions of the previous request, as a real server does.
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_previous_request)
    return app


def _forget_previous_request():
    from flask import g

    for name in ("_login_user", "user", "_crm_permissions"):
        g.pop(name, None)
    # The JWT verified by a previous request must not vouch for this one.
    for name in [n for n in g if n.startswith("_jwt_extended")]:
        g.pop(name)
    db.session.expire_all()  # what other processes (a worker) wrote must be read afresh


def empty_database():
    tables = [t for t in reversed(models.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, CRM_ATTACHMENT_DIR=str(tmp_path / "attachments"))
    with app.app_context():
        empty_database()
        yield app
        db.session.remove()
        # Each test's app has its own engine: close its pooled connections now rather than
        # whenever the collector frees the app (PostgreSQL counts them against max_connections).
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Accounts:
    """Creates users of a role and logs them in (session cookie or JWT)."""

    def __init__(self, app):
        self.app = app

    def create(self, username, role, first_name=None, last_name="Test", email=None):
        sm = self.app.appbuilder.sm
        user = sm.add_user(username, first_name or username.capitalize(), last_name,
                           email or f"{username}@example.com", sm.find_role(role),
                           password=PASSWORD)
        assert user, f"could not create {username}"
        return user

    def login(self, client, username):
        client.get("/logout/")  # FAB's login page ignores a login while someone is logged in
        response = client.post("/login/", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    def token(self, client, username):
        response = client.post("/api/v1/security/login", json={
            "username": username, "password": PASSWORD, "provider": "db"})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": "Bearer " + response.get_json()["access_token"]}


@pytest.fixture
def accounts(app):
    return Accounts(app)


REDIS_URL = os.environ.get(
    "TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - int(WORKER[2:] or 0)}")  # gw0: 15, gw1: 14


@pytest.fixture
def redis_url():
    """A real Redis: required in CI, skipped on a machine without one."""
    from redis import Redis

    try:
        Redis.from_url(REDIS_URL).ping()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no Redis here"
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip("no Redis on this machine")
    return REDIS_URL
