"""`flask crm ...` commands: thin calls into the services."""
import os
import time

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func

from app.extensions import db
from app.security import ROLE_ADMIN, ROLE_SALES
from app.services.accounts import ensure_user
from app.services.demo import REPS, refresh_statistics, seed_activity, seed_leads
from app.services.roles import sync_roles
from models import Lead

crm_cli = AppGroup("crm", help="CRM administration.")


def _sync_permissions():
    return sync_roles(current_app.appbuilder, db.session)


@crm_cli.command("init")
def init_command():
    """Migrate the database, sync permissions and roles, create the admin account."""
    upgrade()
    counts = _sync_permissions()
    click.echo("Roles: " + ", ".join(f"{k} ({v})" for k, v in counts.items()))
    username = os.environ.get("ADMIN_USERNAME", "admin")
    user, generated = ensure_user(
        current_app.appbuilder.sm, username, os.environ.get("ADMIN_EMAIL", "admin@example.com"),
        "Admin", "CRM", ROLE_ADMIN, os.environ.get("ADMIN_PASSWORD"))
    if generated:
        click.echo(f"Admin account created: {username} / {generated}  (shown once, keep it)")
    else:
        click.echo(f"Admin account: {username}")


@crm_cli.command("sync-roles")
def sync_roles_command():
    """Write the permissions of every view and the configured roles into the database."""
    for role, count in _sync_permissions().items():
        click.echo(f"{role}: {count} permissions")


@crm_cli.command("seed-demo")
@click.option("--leads", "lead_count", default=200, show_default=True, type=click.IntRange(0))
@click.option("--if-empty", is_flag=True, help="Do nothing when leads already exist.")
def seed_demo_command(lead_count, if_empty):
    """Demo reps, sources, campaigns, leads, interactions and appointments."""
    if if_empty and db.session.query(func.count(Lead.id)).scalar():
        click.echo("Leads already present: demo data left as it is.")
        return
    sm = current_app.appbuilder.sm
    owner_ids = []
    for username, first, last in REPS:
        user, password = ensure_user(sm, username, f"{username}@exemple.fr", first, last,
                                     ROLE_SALES, os.environ.get("DEMO_PASSWORD"))
        owner_ids.append(user.id)
        if password:
            click.echo(f"Demo rep: {username} / {password}")
    started = time.monotonic()
    step = max(lead_count // 10, 50_000)
    inserted = seed_leads(db.session, lead_count, owner_ids,
                          progress=lambda n: n % step == 0 and click.echo(f"  {n} leads…"))
    interactions, appointments = seed_activity(db.session, owner_ids)
    db.session.commit()
    refresh_statistics(db.engine)
    click.echo(f"{inserted} leads, {interactions} interactions, {appointments} appointments "
               f"in {time.monotonic() - started:.1f} s")


@crm_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst):
    """Run the rq worker (with its scheduler) on the project's queue."""
    from jobs.worker import run_worker

    run_worker(burst=burst)
