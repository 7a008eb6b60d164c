"""`flask crm ...` commands: thin calls into the services."""
import functools
import json
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
from app.services.demo import (REPS, refresh_statistics, seed_activity, seed_follow_up,
                               seed_leads)
from app.services.key_rotation import rotate_secrets
from app.services.roles import sync_roles
from models import Lead

crm_cli = AppGroup("crm", help="CRM administration.")


def report_fab_password_errors():
    """FAB's own `flask fab create-admin/create-user/reset-password` reach the security
    manager's password policy: show its refusal as a CLI error, not a traceback."""
    from flask_appbuilder.cli import create_admin, create_user, reset_password

    for command in (create_admin, create_user, reset_password):
        if not getattr(command, "_crm_reports_domain_errors", False):
            command.callback = _domain_errors_as_cli_errors(command.callback)
            command._crm_reports_domain_errors = True


def _domain_errors_as_cli_errors(callback):
    @functools.wraps(callback)
    def run(*args, **kwargs):
        from app.services.errors import DomainError

        try:
            return callback(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(exc.message)
    return run


def _sync_permissions():
    return sync_roles(current_app.appbuilder, db.session)


@crm_cli.command("init")
@_domain_errors_as_cli_errors
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
@_domain_errors_as_cli_errors
def seed_demo_command(lead_count, if_empty):
    """Demo reps, sources, campaigns, leads, interactions, appointments, a booking page, a
    follow-up rule and an e-mail template."""
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
    seed_follow_up(db.session, owner_ids)
    db.session.commit()
    refresh_statistics(db.engine)
    click.echo(f"{inserted} leads, {interactions} interactions, {appointments} appointments "
               f"in {time.monotonic() - started:.1f} s")


@crm_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", "source_name", help="Source of the leads (created if new).")
@click.option("--campaign", "campaign_name", help="Campaign of the leads (created if new).")
@click.option("--owner", "owner_username", help="Username of the rep who gets the leads.")
@click.option("--policy", type=click.Choice(["skip", "update", "create"]), default="skip",
              show_default=True, help="What to do with a lead that already exists.")
@click.option("--encoding", default="auto", show_default=True)
@click.option("--delimiter", default="auto", show_default=True, help="auto, ',', ';' or tab")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, for scripts.")
def import_command(path, source_name, campaign_name, owner_username, policy, encoding, delimiter,
                   as_json):
    """Import leads from a CSV or XLSX file (the same service as the import wizard)."""
    from app.services.importing.batches import new_batch, store_file
    from app.services.importing.runner import run_batch
    from jobs.imports import commit_progress
    from app.services.errors import DomainError

    try:
        defaults = _import_defaults(source_name, campaign_name, owner_username)
        stored = store_file(path, os.path.basename(path), current_app.config["CRM_IMPORT_DIR"])
        batch = new_batch(db.session, stored, os.path.basename(path), encoding=encoding,
                          delimiter=delimiter, policy=policy, **defaults)
        db.session.commit()
        counts = run_batch(db.session, batch, commit_progress, current_app.config["CRM_PHONE_REGION"])
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message)
    result = dict(counts, rejected_file=batch.rejected_path, warnings_file=batch.warnings_path,
                  batch=batch.id)
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(", ".join(f"{key}: {counts[key]}" for key in
                         ("created", "warned", "updated", "skipped", "rejected", "blank")))
    click.echo(f"Rejected rows: {batch.rejected_path}")
    click.echo(f"Rows created or updated with warnings: {batch.warnings_path}")


def _import_defaults(source_name, campaign_name, owner_username):
    from app.services.errors import DomainError
    from app.services.importing.names import NameResolver

    defaults = {
        "source_id": NameResolver(db.session, "source").id_for(source_name),
        "campaign_id": NameResolver(db.session, "campaign").id_for(campaign_name),
    }
    if owner_username:
        owner = current_app.appbuilder.sm.find_user(username=owner_username)
        if owner is None:
            raise DomainError(f"Unknown user: {owner_username}")
        defaults["owner_id"] = owner.id
    return defaults


@crm_cli.command("rotate-key")
def rotate_key_command():
    """Re-seal every stored credential with the newest key of CRM_ENCRYPTION_KEYS."""
    counts = rotate_secrets(db.session)
    db.session.commit()
    click.echo("Re-sealed with the newest key: {rotated}; already: {current}; "
               "unreadable (no key opens them): {unreadable}".format(**counts))


@crm_cli.command("tick")
def tick_command():
    """Due reminders, follow-up rules, files of deleted leads, expired API records (for cron
    when Redis is off)."""
    from jobs.followup import tick

    click.echo(json.dumps(tick()))


@crm_cli.command("rebuild-stats")
def rebuild_stats_command():
    """Recount the figures of dashboards and reports from the leads (after editing leads in
    the database by hand, or changing CRM_TIMEZONE)."""
    from app.services.lead_stats import rebuild
    from models import LeadDayStat

    rebuild(db.session)
    db.session.commit()
    click.echo(f"{db.session.query(LeadDayStat).count()} rows of daily figures")


@crm_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst):
    """Run the rq worker (with its scheduler) on the project's queue."""
    from jobs.worker import run_worker

    run_worker(burst=burst)


@crm_cli.command("erase")
@click.option("--lead", "lead_ids", type=int, multiple=True, help="Lead id (repeatable).")
@click.option("--email", "emails", multiple=True, help="Every lead with this e-mail (repeatable).")
@click.option("--reason", default="request", show_default=True,
              type=click.Choice(["request", "retention"]))
def erase_command(lead_ids, emails, reason):
    """Erase people (RGPD): their leads are anonymised in place, their files deleted."""
    from app.services.contact import normalise_email
    from app.services.errors import DomainError
    from jobs.erasure import erase_and_commit
    from models import live_or_flagged

    ids = set(lead_ids)
    try:
        for raw in emails:
            email = normalise_email(raw)
            found = [i for (i,) in db.session.query(Lead.id).filter(
                live_or_flagged(Lead.email == email))]
            if not found:
                raise click.ClickException(f"No lead with the e-mail {email}.")
            ids.update(found)
        if not ids:
            raise click.UsageError("Give --lead or --email.")
        summary = erase_and_commit(sorted(ids), reason=reason)
    except DomainError as exc:
        raise click.ClickException(exc.message)
    click.echo(json.dumps(summary, default=str))


@crm_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only print what would be erased, and when.")
def retention_command(dry_run):
    """Notices and anonymisation of the leads past their retention period (also run by tick)."""
    from app.services.privacy.retention import Policy, plan
    from jobs.retention import run_retention

    if not dry_run:
        click.echo(json.dumps(run_retention()))
        return
    rows = plan(db.session, Policy.from_config(current_app.config))
    for row, noticed_at, erased_on in rows:
        click.echo(f"lead #{row.id}\trep {row.owner_id or '-'}\tstatus {row.status}\t"
                   f"last contact {row.last_contact_at:%Y-%m-%d}\t"
                   f"notice {f'{noticed_at:%Y-%m-%d}' if noticed_at else 'not sent yet'}\t"
                   f"erased from {erased_on:%Y-%m-%d %H:%M} UTC")
    click.echo(f"{len(rows)} lead(s) within the notice period or past it.")
