"""Authentication at the edges (issue 12, findings 3, 4, 5, 9 first part, 12): login throttling
per address and per account, the client address behind proxies, server-side revocation of
sessions and tokens, API writes without a bearer token, the password policy everywhere."""
import re

import pytest
from werkzeug.security import check_password_hash

from app.extensions import db
from models import Lead, User
from tests.conftest import PASSWORD, make_app

WEAK = "abc"
STRONG = "Nouveau-Mdp-2026"


def _api_login(client, username, password=PASSWORD, **kwargs):
    return client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": True}, **kwargs)


def _bearer(token):
    return {"Authorization": "Bearer " + token}


@pytest.fixture
def limited(database_url, redis_url, app):
    """Login throttling as in production (10 per minute), counters in the test's Redis."""
    def build(**overrides):
        settings = {"RATELIMIT_ENABLED": True, "REDIS_URL": redis_url,
                    "AUTH_RATE_LIMIT": "10 per minute", **overrides}
        limited_app = make_app(database_url, **settings)
        limited_app.appbuilder.sm.limiter.reset()
        return limited_app
    return build


# --- Finding 3: the JWT login and refresh are throttled like the form login ---------------------

def test_jwt_login_is_limited_per_address_and_a_right_password_is_refused_too(limited, accounts):
    accounts.create("alice", "Commercial")
    client = limited().test_client()
    codes = [_api_login(client, "alice", "wrong").status_code for _ in range(60)]
    assert 429 in codes and codes.index(429) < 59 and set(codes) == {401, 429}
    response = _api_login(client, "alice")
    assert response.status_code == 429
    assert response.get_json()["message"] == "Trop de tentatives : réessayez dans un moment."


def test_jwt_login_is_limited_per_account_whatever_the_address(limited, accounts):
    accounts.create("alice", "Commercial")
    accounts.create("bruno", "Commercial")
    client = limited(CRM_TRUSTED_PROXIES=1).test_client()

    def attempt(username, n, password="wrong"):
        return _api_login(client, username, password,
                          headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
    codes = [attempt("alice", n) for n in range(1, 16)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429] * 5
    assert attempt("ALICE", 99, PASSWORD) == 429  # the same account, however it is spelled
    assert attempt("bruno", 100, PASSWORD) == 200  # another account from another address


def test_the_form_login_is_limited_per_account_too(limited, accounts):
    accounts.create("alice", "Commercial")
    client = limited(CRM_TRUSTED_PROXIES=1).test_client()
    responses = [client.post("/login/", data={"username": "alice", "password": "wrong"},
                             headers={"X-Forwarded-For": f"198.51.100.{n}"})
                 for n in range(1, 13)]
    assert [r.status_code for r in responses] == [302] * 10 + [429, 429]
    assert "Trop de tentatives : réessayez dans un moment." in responses[-1].get_data(as_text=True)
    assert _api_login(client, "alice", headers={"X-Forwarded-For": "198.51.100.50"}).status_code == 429


def test_refresh_is_limited(limited, accounts):
    accounts.create("alice", "Commercial")
    client = limited().test_client()
    refresh = _api_login(client, "alice").get_json()["refresh_token"]
    codes = [client.post("/api/v1/security/refresh", headers=_bearer(refresh)).status_code
             for _ in range(12)]
    assert codes[0] == 200 and codes[-1] == 429


def test_a_counter_per_address_without_trusted_proxies_whatever_x_forwarded_for_says(limited):
    client = limited(AUTH_RATE_LIMIT="3 per minute").test_client()
    codes = [_api_login(client, f"user{n}", "wrong",
                        headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
             for n in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_counter(limited):
    client = limited(AUTH_RATE_LIMIT="3 per minute", CRM_TRUSTED_PROXIES=1).test_client()
    codes = [_api_login(client, f"user{n}", "wrong",
                        headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
             for n in range(5)]
    assert codes == [401] * 5
    # Only the last hop is believed: a client prepending addresses does not escape its counter.
    spoofed = [_api_login(client, f"other{n}", "wrong",
                          headers={"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.200"}).status_code
               for n in range(5)]
    assert spoofed == [401, 401, 401, 429, 429]


# --- Finding 4: logout, new password, deactivation and role change revoke sessions ---------------

def _session_cookie(client):
    return client.get_cookie("session").value


def _replay(app, cookie):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/leads/list/")


def test_a_session_cookie_replayed_after_logout_is_refused_by_every_worker(
        database_url, app, client, accounts):
    other_worker = make_app(database_url)  # another process: nothing shared but the database
    accounts.create("alice", "Commercial")
    accounts.login(client, "alice")
    cookie = _session_cookie(client)
    assert _replay(app, cookie).status_code == 200
    assert _replay(other_worker, cookie).status_code == 200
    client.get("/logout/")
    for worker in (app, other_worker):
        response = _replay(worker, cookie)
        assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_logout_ends_the_users_tokens_but_not_other_users_sessions(app, client, accounts):
    accounts.create("alice", "Commercial")
    accounts.create("bruno", "Commercial")
    tokens = _api_login(app.test_client(), "alice").get_json()
    bruno = accounts.login(app.test_client(), "bruno")
    accounts.login(client, "alice")
    client.get("/logout/")
    assert app.test_client().get("/api/v1/lead/", headers=_bearer(tokens["access_token"])).status_code == 401
    assert bruno.get("/leads/list/").status_code == 200


def test_a_password_change_revokes_access_and_refresh_tokens_and_sessions(app, accounts):
    alice = accounts.create("alice", "Commercial")
    api = app.test_client()
    tokens = _api_login(api, "alice").get_json()
    assert api.get("/api/v1/lead/", headers=_bearer(tokens["access_token"])).status_code == 200
    browser = accounts.login(app.test_client(), "alice")
    app.appbuilder.sm.reset_password(alice.id, STRONG)  # what the admin's form and the CLI call
    response = api.get("/api/v1/lead/", headers=_bearer(tokens["access_token"]))
    assert response.status_code == 401
    assert response.get_json()["message"] == "Session terminée : reconnectez-vous."
    assert api.post("/api/v1/security/refresh", headers=_bearer(tokens["refresh_token"])).status_code == 401
    assert browser.get("/leads/list/").status_code == 302
    fresh = _api_login(api, "alice", STRONG).get_json()
    assert api.get("/api/v1/lead/", headers=_bearer(fresh["access_token"])).status_code == 200
    assert api.post("/api/v1/security/refresh", headers=_bearer(fresh["refresh_token"])).status_code == 200


def test_a_deactivated_users_session_and_tokens_are_dead(app, accounts):
    alice = accounts.create("alice", "Commercial")
    tokens = _api_login(app.test_client(), "alice").get_json()
    browser = accounts.login(app.test_client(), "alice")
    alice.active = False
    db.session.commit()
    assert browser.get("/leads/list/").status_code == 302
    api = app.test_client()
    assert api.post("/api/v1/security/refresh", headers=_bearer(tokens["refresh_token"])).status_code == 401


def test_a_role_change_by_the_admin_ends_the_users_sessions(app, client, accounts):
    accounts.create("admin", "Admin")
    alice = accounts.create("alice", "Responsable")
    tokens = _api_login(app.test_client(), "alice").get_json()
    browser = accounts.login(app.test_client(), "alice")
    accounts.login(client, "admin")
    sales = app.appbuilder.sm.find_role("Commercial")
    response = client.post(f"/users/edit/{alice.id}", data={
        "first_name": alice.first_name, "last_name": alice.last_name, "username": "alice",
        "email": alice.email, "active": "y", "roles": [str(sales.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert [r.name for r in db.session.get(User, alice.id).roles] == ["Commercial"]
    assert browser.get("/leads/list/").status_code == 302
    assert app.test_client().get("/api/v1/lead/", headers=_bearer(tokens["access_token"])).status_code == 401
    assert client.get("/users/list/").status_code == 200  # the admin's own session goes on


def test_a_change_of_a_groups_roles_ends_its_members_sessions(app, accounts):
    from flask_appbuilder.security.sqla.models import Group

    alice, bob = accounts.create("alice", "Responsable"), accounts.create("bob", "Responsable")
    group = Group(name="Équipe", users=[alice])
    db.session.add(group)
    db.session.commit()
    members, others = accounts.login(app.test_client(), "alice"), accounts.login(app.test_client(), "bob")
    group.roles = [app.appbuilder.sm.find_role("Commercial")]
    db.session.commit()
    assert members.get("/leads/list/").status_code == 302
    assert others.get("/leads/list/").status_code == 200
    group.users.append(bob)  # joining a group changes what one may do too
    db.session.commit()
    assert others.get("/leads/list/").status_code == 302


# --- Finding 5: API writes need a bearer token --------------------------------------------------

def test_api_writes_on_the_session_cookie_alone_are_refused(app, client, accounts):
    accounts.create("alice", "Commercial")
    accounts.login(client, "alice")
    assert client.get("/api/v1/lead/").status_code == 200  # reads stay open to the browser
    response = client.post("/api/v1/lead/", json={"last_name": "Cookie"})
    assert response.status_code == 401
    assert "jeton" in response.get_json()["message"]
    assert db.session.query(Lead).count() == 0
    headers = accounts.token(app.test_client(), "alice")
    assert client.post("/api/v1/lead/", json={"last_name": "Jeton"}, headers=headers).status_code == 201


# --- Finding 9 (first part): a form posted without its CSRF token -------------------------------

def test_a_logged_in_form_post_without_csrf_token_is_a_400_in_french(app, client, accounts):
    accounts.create("alice", "Commercial")
    accounts.login(client, "alice")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/leads/add", data={"last_name": "Sans jeton"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert db.session.query(Lead).count() == 0


# --- Finding 12: the password policy everywhere; the current password to change one's own -----

def enforce_policy(app):
    """Production's password policy, which TestConfig turns off."""
    app.config["FAB_PASSWORD_COMPLEXITY_ENABLED"] = True


def test_fab_create_user_and_reset_password_refuse_a_weak_password(app, accounts):
    from flask_appbuilder.cli import fab

    alice = accounts.create("alice", "Commercial")
    enforce_policy(app)
    runner = app.test_cli_runner()
    result = runner.invoke(fab, ["create-user", "--role", "Commercial", "--username", "zoe",
                                 "--firstname", "Zoé", "--lastname", "Roux",
                                 "--email", "zoe@example.com", "--password", WEAK])
    assert result.exit_code != 0 and "Error" in result.output
    assert db.session.query(User).filter_by(username="zoe").count() == 0
    result = runner.invoke(fab, ["reset-password", "--username", "alice", "--password", WEAK])
    assert result.exit_code != 0
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, alice.id).password, PASSWORD)


def test_crm_init_refuses_a_weak_admin_password_and_generates_a_strong_one(app, monkeypatch):
    enforce_policy(app)
    runner = app.test_cli_runner()
    monkeypatch.setenv("ADMIN_PASSWORD", WEAK)
    result = runner.invoke(args=["crm", "init"])
    assert result.exit_code != 0 and "Error" in result.output
    assert db.session.query(User).filter_by(username="admin").count() == 0
    monkeypatch.delenv("ADMIN_PASSWORD")
    result = runner.invoke(args=["crm", "init"])
    assert result.exit_code == 0, result.output
    generated = re.search(r"admin / (\S+)", result.output).group(1)
    assert app.test_client().post("/login/", data={
        "username": "admin", "password": generated}).headers["Location"] == "/"


def test_the_admins_user_forms_refuse_a_weak_password(app, client, accounts):
    accounts.create("admin", "Admin")
    alice = accounts.create("alice", "Commercial")
    enforce_policy(app)
    accounts.login(client, "admin")
    role = app.appbuilder.sm.find_role("Commercial")
    response = client.post("/users/add", data={
        "first_name": "Zoé", "last_name": "Roux", "username": "zoe", "email": "zoe@example.com",
        "active": "y", "roles": [str(role.id)], "password": WEAK, "conf_password": WEAK})
    assert response.status_code == 200
    assert db.session.query(User).filter_by(username="zoe").count() == 0
    client.post(f"/resetpassword/form?pk={alice.id}", data={"password": WEAK, "conf_password": WEAK})
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, alice.id).password, PASSWORD)


def _change_mine(client, current, new):
    return client.post("/resetmypassword/form", data={
        "current_password": current, "password": new, "conf_password": new})


def test_changing_ones_password_asks_for_the_current_one(app, client, accounts):
    alice = accounts.create("alice", "Commercial")
    enforce_policy(app)
    accounts.login(client, "alice")
    other_device = accounts.login(app.test_client(), "alice")
    assert "Mot de passe actuel" in client.get("/resetmypassword/form").get_data(as_text=True)
    for current, new in (("wrong", STRONG), (PASSWORD, WEAK), ("", STRONG)):
        response = _change_mine(client, current, new)
        assert response.status_code == 200
        db.session.expire_all()
        assert check_password_hash(db.session.get(User, alice.id).password, PASSWORD)
    assert "Le mot de passe actuel est incorrect." in _change_mine(
        client, "wrong", STRONG).get_data(as_text=True)
    assert _change_mine(client, PASSWORD, STRONG).status_code == 302
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, alice.id).password, STRONG)
    assert client.get("/leads/list/").status_code == 200  # this session goes on
    assert other_device.get("/leads/list/").status_code == 302  # the others are closed
