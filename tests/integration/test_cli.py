"""`flask crm ...` and FAB's own user command with our roles."""
import re

from flask_migrate import upgrade
from sqlalchemy import func

from app.extensions import db
from app.services.roles import sync_roles
from models import Appointment, Interaction, Lead, User


def test_init_is_idempotent_and_prints_a_generated_password_once(runner, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    first = runner.invoke(args=["crm", "init"])
    assert first.exit_code == 0, first.output
    assert re.search(r"Admin account created: admin / \S{12,}", first.output)
    second = runner.invoke(args=["crm", "init"])
    assert second.exit_code == 0 and "created" not in second.output
    assert db.session.query(User).filter_by(username="admin").count() == 1


def test_init_uses_admin_username_and_password_from_the_environment(runner, monkeypatch, client):
    monkeypatch.setenv("ADMIN_USERNAME", "patron")
    monkeypatch.setenv("ADMIN_PASSWORD", "Un-mot-de-passe-1")
    result = runner.invoke(args=["crm", "init"])
    assert "Admin account created" not in result.output
    response = client.post("/login/", data={"username": "patron", "password": "Un-mot-de-passe-1"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/users/list/").status_code == 200


def test_sync_roles_gives_exact_permissions(app):
    counts = sync_roles(app.appbuilder, db.session)
    sm = app.appbuilder.sm
    sales = {(pv.permission.name, pv.view_menu.name) for pv in sm.find_role("Commercial").permissions}
    assert ("can_delete", "Lead") not in sales and ("can_list", "Lead") in sales
    assert not any(view.startswith("User") and perm != "can_userinfo" and "form" not in perm
                   and perm != "resetmypassword" for perm, view in sales)
    assert counts["Admin"] > counts["Responsable"] > counts["Commercial"]


def test_seed_demo(runner):
    result = runner.invoke(args=["crm", "seed-demo", "--leads", "300"])
    assert result.exit_code == 0, result.output
    assert db.session.query(func.count(Lead.id)).scalar() == 300
    assert db.session.query(Interaction).count() > 0 and db.session.query(Appointment).count() > 0
    statuses = {s for (s,) in db.session.query(Lead.status).distinct()}
    assert statuses == {"new", "in_progress", "converted", "abandoned"}
    assert db.session.query(Lead).filter(Lead.status == "abandoned", Lead.abandon_reason.is_(None)).count() == 0
    from models import BookingPage, EmailTemplate, FollowUpRule

    page = db.session.query(BookingPage).one()
    assert len(page.members) == 3 and db.session.query(FollowUpRule).count() == 1
    assert db.session.query(EmailTemplate).count() == 1
    assert runner.invoke(args=["crm", "seed-demo", "--leads", "0"]).exit_code == 0
    assert db.session.query(BookingPage).count() == 1  # set up once
    again = runner.invoke(args=["crm", "seed-demo", "--if-empty"])
    assert "left as it is" in again.output
    assert db.session.query(func.count(Lead.id)).scalar() == 300


def test_demo_booking_page_answers(client, runner):
    runner.invoke(args=["crm", "seed-demo", "--leads", "20"])
    assert client.get("/rdv/decouverte").status_code == 200


def test_fab_create_user_with_our_roles(runner, client):
    from flask_appbuilder.cli import fab

    result = runner.invoke(fab, ["create-user", "--role", "Commercial", "--username", "zoe",
                                 "--firstname", "Zoé", "--lastname", "Roux", "--email", "zoe@example.com",
                                 "--password", "Motdepasse-1234"])
    assert result.exit_code == 0, result.output
    client.post("/login/", data={"username": "zoe", "password": "Motdepasse-1234"})
    assert client.get("/leads/list/").status_code == 200
    assert client.get("/sources/list/").status_code == 403


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import models

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), models.metadata)
    assert diff == []


def test_upgrade_is_a_no_op_on_a_migrated_database(app):
    upgrade()  # already at head: must not fail nor change anything
