"""Production configuration: refuses the default secret, and is locked down."""
import pytest

from app import create_app
from config import DEFAULT_SECRET_KEY, ProductionConfig


def production(database_url, **overrides):
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x" * 40,
              "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://"}
    config.update(overrides)
    return create_app(ProductionConfig, config)


def test_production_refuses_the_default_or_a_short_secret(database_url):
    for secret in (DEFAULT_SECRET_KEY, "short"):
        with pytest.raises(RuntimeError):
            production(database_url, SECRET_KEY=secret)


def test_production_settings(database_url):
    app = production(database_url)
    c = app.config
    assert c["SESSION_COOKIE_SECURE"] and c["SESSION_COOKIE_HTTPONLY"]
    assert c["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert c["REMEMBER_COOKIE_SECURE"]
    assert not c["FAB_API_SWAGGER_UI"] and not c.get("DEBUG") and not c["PROPAGATE_EXCEPTIONS"]
    assert c["FAB_PASSWORD_COMPLEXITY_ENABLED"] and not c["AUTH_USER_REGISTRATION"]
    assert c["AUTH_RATE_LIMITED"] and c["RATELIMIT_ENABLED"]
    assert c["WTF_CSRF_ENABLED"]
    client = app.test_client()
    assert client.get("/swagger/v1").status_code == 404
    assert client.get("/register/form").status_code == 404


def test_login_is_rate_limited(database_url):
    app = production(database_url, AUTH_RATE_LIMIT="3 per minute", WTF_CSRF_ENABLED=False)
    client = app.test_client()
    codes = [client.post("/login/", data={"username": "x", "password": "y"}).status_code
             for _ in range(5)]
    assert codes[:3] != [429] * 3 and codes[-1] == 429


def test_rate_limit_counters_live_in_redis_when_configured(database_url, redis_url):
    from redis import Redis

    REDIS_URL = redis_url
    redis = Redis.from_url(REDIS_URL)
    before = set(redis.keys("LIMITS*"))
    app = create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": database_url,
                                        "SECRET_KEY": "x" * 40, "REDIS_URL": REDIS_URL,
                                        "WTF_CSRF_ENABLED": False})
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    app.test_client().post("/login/", data={"username": "x", "password": "y"})
    created = set(redis.keys("LIMITS*")) - before
    assert created, "no rate-limit counter was written to Redis"
    redis.delete(*created)


def test_redirects_to_other_hosts_are_refused(database_url):
    app = production(database_url, WTF_CSRF_ENABLED=False, FAB_SAFE_REDIRECT_HOSTS=["crm.example.com"])
    with app.app_context():
        from tests.conftest import Accounts, empty_database

        empty_database()
        Accounts(app).create("someone", "Commercial")
    client = app.test_client()
    response = client.post("/login/?next=https://evil.example.org/", data={
        "username": "someone", "password": "MotDePasse-1234"})
    assert response.status_code == 302
    assert "evil.example.org" not in response.headers["Location"]


def test_password_complexity_is_enforced(database_url):
    app = production(database_url)
    with app.app_context():
        from flask_appbuilder.validators import PasswordComplexityValidator
        from wtforms.validators import ValidationError

        validator = PasswordComplexityValidator()
        with pytest.raises(ValidationError):
            validator(None, type("F", (), {"data": "simple"})())


def test_stack_traces_are_never_shown(app, client, accounts, monkeypatch):
    accounts.create("manon", "Responsable")
    accounts.login(client, "manon")
    import views.leads

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")
    monkeypatch.setattr(views.leads.LeadView, "_filter_labels", staticmethod(boom))
    response = client.get("/leads/list/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "Une erreur inattendue" in body
