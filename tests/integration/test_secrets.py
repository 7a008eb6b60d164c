"""Third-party credentials at rest: sealed in the database, write-only in forms, absent from the
API, readable after `flask crm rotate-key` once the old key is gone."""
import contextlib
import json

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.services.secrets_box import unseal
from config import TestConfig
from models import CalendarAccount, Source
from tests.integration.test_meta import (APP_SECRET, PAGE_TOKEN, meta_source,  # noqa: F401
                                         post, signed)


def stored(table, column):
    """The values as written in the database, not opened."""
    return [value for (value,) in db.session.execute(text(f"SELECT {column} FROM {table}"))]


def test_the_database_holds_no_clear_credential(meta_source, accounts):
    user = accounts.create("claire", "Commercial")
    db.session.add(CalendarAccount(user_id=user.id, server_url="https://cal.example/",
                                   username="claire", password_secret="caldav-pass-93b1",
                                   calendar_url="https://cal.example/c/"))
    db.session.commit()
    raw = stored("source", "meta_app_secret") + stored("source", "meta_page_token") + stored(
        "calendar_account", "password_secret")
    assert len(raw) == 3 and not {APP_SECRET, PAGE_TOKEN, "caldav-pass-93b1"} & set(raw)
    assert not any(secret in value for value in raw
                   for secret in (APP_SECRET, PAGE_TOKEN, "caldav-pass-93b1"))
    db.session.expire_all()
    assert db.session.get(Source, meta_source.id).meta_app_secret == APP_SECRET


@pytest.mark.parametrize("role", ["Admin", "Responsable", "Marketing"])
def test_no_page_or_api_sends_a_credential_back(client, accounts, meta_source, role):
    accounts.create("u", role)
    accounts.login(client, "u")
    edit = client.get(f"/sources/edit/{meta_source.id}").get_data(as_text=True)
    assert "Défini — laisser vide pour garder." in edit and "Effacer la valeur enregistrée" in edit
    pages = [edit] + [client.get(url).get_data(as_text=True) for url in (
        f"/sources/show/{meta_source.id}", "/sources/list/", "/sources/add",
        f"/api/v1/source/{meta_source.id}", "/api/v1/source/", "/api/v1/source/_info",
        "/api/v1/campaign/_info")]
    headers = accounts.token(client, "u")
    pages += [client.get(url, headers=headers).get_data(as_text=True) for url in (
        f"/api/v1/source/{meta_source.id}?q=(columns:!(meta_app_secret,meta_page_token))",
        "/api/v1/source/?q=(columns:!(meta_app_secret,meta_page_token))")]
    for page in pages:
        assert APP_SECRET not in page and PAGE_TOKEN not in page


def _edit(client, source, **fields):
    data = {"name": source.name, "kind": "meta", "active": "y", "thank_you_url": "",
            "field_mapping": "", "meta_app_secret": "", "meta_page_token": "", **fields}
    response = client.post(f"/sources/edit/{source.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    return db.session.get(Source, source.id)


def test_an_empty_field_keeps_the_value_a_new_one_replaces_it_the_box_clears_it(
        client, accounts, meta_source):
    accounts.create("admin", "Admin")
    accounts.login(client, "admin")
    source = _edit(client, meta_source, name="Meta renommée")
    assert (source.name, source.meta_app_secret, source.meta_page_token) == (
        "Meta renommée", APP_SECRET, PAGE_TOKEN)
    source = _edit(client, source, meta_app_secret="new-secret")
    assert (source.meta_app_secret, source.meta_page_token) == ("new-secret", PAGE_TOKEN)
    source = _edit(client, source, meta_page_token_clear="y")
    assert (source.meta_app_secret, source.meta_page_token) == ("new-secret", None)
    assert "Défini" not in client.get(f"/sources/edit/{source.id}").get_data(as_text=True).split(
        "meta_page_token")[-1].split("</div>")[0]


def test_a_source_added_through_the_form_is_sealed_and_verifies_meta(client, accounts):
    accounts.create("admin", "Admin")
    accounts.login(client, "admin")
    response = client.post("/sources/add", data={"name": "Meta", "kind": "meta", "active": "y",
                                                 "meta_app_secret": APP_SECRET,
                                                 "meta_page_token": PAGE_TOKEN})
    assert response.status_code == 302
    assert APP_SECRET not in stored("source", "meta_app_secret")[0]
    response = post(client, *signed(json.dumps({"object": "page", "entry": []}).encode()))
    assert response.status_code == 200, response.get_json()


def test_rotate_key_then_the_old_key_removed_still_opens_everything(app, accounts, meta_source):
    runner = app.test_cli_runner()
    user = accounts.create("claire", "Commercial")
    db.session.add(CalendarAccount(user_id=user.id, server_url="https://cal.example/",
                                   username="claire", password_secret="caldav-pass",
                                   calendar_url="https://cal.example/c/"))
    db.session.commit()  # sealed with the SECRET_KEY-derived key: no keys configured yet
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()

    app.config["CRM_ENCRYPTION_KEYS"] = first
    result = runner.invoke(args=["crm", "rotate-key"])
    assert result.exit_code == 0 and "newest key: 3; already: 0; unreadable" in result.output
    app.config["CRM_ENCRYPTION_KEYS"] = f"{second}, {first}"
    assert "newest key: 3; already: 0" in runner.invoke(args=["crm", "rotate-key"]).output
    assert "newest key: 0; already: 3" in runner.invoke(args=["crm", "rotate-key"]).output

    app.config.update(CRM_ENCRYPTION_KEYS=second, SECRET_KEY="another-secret-key-" + "x" * 20)
    db.session.expire_all()
    source = db.session.get(Source, meta_source.id)
    assert (source.meta_app_secret, source.meta_page_token) == (APP_SECRET, PAGE_TOKEN)
    assert db.session.get(CalendarAccount, user.id).password_secret == "caldav-pass"

    app.config["CRM_ENCRYPTION_KEYS"] = first  # a key that never sealed them: unreadable
    db.session.expire_all()
    assert db.session.get(Source, meta_source.id).meta_app_secret is None
    assert "unreadable (no key opens them): 3" in runner.invoke(args=["crm", "rotate-key"]).output


def test_a_malformed_key_stops_the_start(database_url):
    with pytest.raises(ValueError, match="CRM_ENCRYPTION_KEYS: key 2"):
        create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url,
                                "CRM_ENCRYPTION_KEYS": Fernet.generate_key().decode() + ",abc"})


@contextlib.contextmanager
def database_at(tmp_path, revision):
    """A fresh SQLite database migrated up to `revision`, inside its app's context."""
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "m.db")})
    with app.app_context():
        upgrade(revision=revision)
        yield
        db.session.remove()
        db.engine.dispose()


def test_the_migration_seals_the_clear_values_already_stored(tmp_path):
    with database_at(tmp_path, "254a8031279a"):
        db.session.execute(text(
            "INSERT INTO source (name, kind, active, intake_token, meta_app_secret, "
            "meta_page_token, created_at, updated_at) VALUES ('Meta', 'meta', 1, 'tok', "
            f"'{APP_SECRET}', '{PAGE_TOKEN}', '2026-01-01', '2026-01-01')"))
        db.session.commit()
        upgrade(revision="5e41c0a7d2b9")
        raw = stored("source", "meta_app_secret") + stored("source", "meta_page_token")
        assert APP_SECRET not in raw and PAGE_TOKEN not in raw
        assert [unseal(token) for token in raw] == [APP_SECRET, PAGE_TOKEN]
