"""RGPD benchmark: erasure of one heavy lead, and the retention step over a large database.

    python bench/rgpd.py                                  # 1,000,000 leads, 100,000 due, SQLite
    python bench/rgpd.py --leads 100000 --due 10000
    python bench/rgpd.py --database-url postgresql://postgres@127.0.0.1:5432/bench_rgpd

1. Erasure (`flask crm erase`'s path) of a lead with 500 timeline entries (interactions, notes,
   events) and 10 attachments on disk. Target: under 1 s.
2. Retention (the tick's step): the leads are seeded once (bulk inserts, in a process of their
   own so that its memory does not count), `--due` of them get a last contact older than the
   retention period and a notice older than its delay; then the step runs: the notices it
   finds to send, and the anonymisation by batches of 1,000. Target: under 60 s, peak memory
   under 300 MB (the process's peak resident size, read with resource.getrusage).
3. The audit log (write cost, the sheet with 10 million entries): bench/rgpd_audit.py.
Prints figures; asserts nothing.
"""
import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import delete, func, insert, text, update  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.accounts import ensure_user  # noqa: E402
from app.services.demo import REPS, refresh_statistics, seed_leads  # noqa: E402
from app.services.privacy.retention import NOTICE_KIND, Policy  # noqa: E402
from app.services.roles import sync_roles  # noqa: E402
from bench.fresh import BENCH_PASSWORD  # noqa: E402
from config import BASE_DIR, DevelopmentConfig  # noqa: E402
from models import Attachment, Interaction, Lead, LeadEvent, LeadNote  # noqa: E402
from models.base import utcnow  # noqa: E402


def build_app(url, attachment_dir):
    return create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None,
                                          "CRM_ATTACHMENT_DIR": attachment_dir})


def owners(app):
    sm = app.appbuilder.sm
    return [ensure_user(sm, u, f"{u}@exemple.fr", f, last, "Commercial", BENCH_PASSWORD)[0].id
            for u, f, last in REPS]


def seed(app, count):
    """Migrate and bring the database to `count` leads (kept for later runs)."""
    with app.app_context():
        upgrade()
        sync_roles(app.appbuilder, db.session)
        reps = owners(app)
        existing = db.session.query(func.count(Lead.id)).scalar()
        if existing < count:
            print(f"Seeding {count - existing:,} leads…", flush=True)
            started = time.monotonic()
            seed_leads(db.session, count - existing, reps, batch=50_000)
            db.session.commit()
            refresh_statistics(db.engine)
            print(f"Seeded in {time.monotonic() - started:.0f} s", flush=True)


def heavy_lead(reps, directory, entries=500, files=10):
    """A lead with `entries` timeline entries (a third each: interactions, notes, events) and
    `files` attachments on disk."""
    now = utcnow()
    lead = Lead(first_name="Jeanne", last_name="Lourde", name_key="lourde jeanne",
                email=f"lourde-{time.time_ns()}@exemple.fr", owner_id=reps[0], status="in_progress")
    db.session.add(lead)
    db.session.flush()
    third = entries // 3
    db.session.execute(insert(Interaction), [
        {"lead_id": lead.id, "kind": "call", "direction": "outbound", "occurred_at": now,
         "subject": f"Appel {i} à Jeanne Lourde", "summary": "Rappeler Mme Lourde",
         "created_at": now, "updated_at": now} for i in range(third)])
    db.session.execute(insert(LeadNote), [
        {"lead_id": lead.id, "kind": "note", "body": f"Note {i} sur Mme Lourde", "created_at": now}
        for i in range(third)])
    db.session.execute(insert(LeadEvent), [
        {"lead_id": lead.id, "kind": "followup", "at": now, "detail": f"Relance {i} Lourde"}
        for i in range(entries - 2 * third)])
    os.makedirs(directory, exist_ok=True)
    for i in range(files):
        name = f"{time.time_ns()}-{i}.pdf"
        with open(os.path.join(directory, name), "wb") as handle:
            handle.write(b"%PDF-1.4\n" + os.urandom(200_000))
        db.session.add(Attachment(lead_id=lead.id, filename=f"devis-{i}.pdf", stored_name=name,
                                  content_type="application/pdf", size=200_009))
    db.session.commit()
    return lead.id


def bench_erasure(app, directory):
    from jobs.erasure import erase_and_commit

    with app.app_context():
        timings = []
        for _run in range(3):  # the first one also compiles the SQL statements (once a process)
            lead_id = heavy_lead(owners(app), directory)
            started = time.perf_counter()
            summary = erase_and_commit([lead_id], reason="request")
            timings.append(time.perf_counter() - started)
    print(f"Erasure of a lead with 500 timeline entries and 10 attachments: "
          f"{timings[0] * 1000:.0f} ms the first time in the process, then "
          f"{', '.join(f'{t * 1000:.0f}' for t in timings[1:])} ms (target < 1000 ms); "
          f"{summary['interactions']} interactions, {summary['notes']} notes, "
          f"{summary['events']} events blanked, {summary['attachments']} files deleted", flush=True)


def make_due(app, due):
    """`due` leads (spread over the table) past their period, noticed 31 days ago; the others
    recent. Earlier runs' notices and anonymisations are undone first."""
    with app.app_context():
        policy = Policy.from_config(app.config)
        now = utcnow()
        total = db.session.query(func.max(Lead.id)).scalar()
        step = max(total // due, 1)
        old = now - dt.timedelta(days=365 * (policy.customer_years + 1))
        db.session.execute(delete(LeadEvent).where(LeadEvent.kind.in_((NOTICE_KIND, "erased"))))
        db.session.execute(update(Lead).values(last_contact_at=now, anonymised_at=None))
        db.session.execute(update(Lead).where(text(f"lead.id % {step} = 0")).values(
            last_contact_at=old))
        db.session.execute(text(
            "INSERT INTO lead_event (lead_id, kind, at) SELECT id, :kind, :at FROM lead "
            "WHERE last_contact_at = :old"), {"kind": NOTICE_KIND, "at": now - dt.timedelta(days=31),
                                              "old": old})
        count = db.session.query(func.count(Lead.id)).filter(Lead.last_contact_at == old).scalar()
        db.session.commit()
        refresh_statistics(db.engine)
        return count


def bench_retention(app):
    from jobs.retention import run_retention

    with app.app_context():
        total = db.session.query(func.count(Lead.id)).scalar()
        started = time.perf_counter()
        result = run_retention()
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Retention over {total:,} leads: {result['erased']:,} anonymised, "
          f"{result['notices']} notices, in {elapsed:.1f} s (target < 60 s); "
          f"peak resident memory of the process {peak:.0f} MB (target < 300 MB)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.database_url or "sqlite:///" + os.path.join(BASE_DIR, "instance",
                                                           f"bench-rgpd-{args.leads}.db")
    directory = tempfile.mkdtemp(prefix="bench-rgpd-")
    app = build_app(url, directory)
    if args.seed_only:
        seed(app, args.leads)
        return
    # Seeding in a process of its own: its memory must not count in the retention's peak.
    subprocess.run([sys.executable, __file__, "--seed-only", "--leads", str(args.leads),
                    *(["--database-url", args.database_url] if args.database_url else [])],
                   check=True)
    print(f"Database: {app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}", flush=True)
    bench_erasure(app, directory)
    print(f"{make_due(app, args.due):,} leads due", flush=True)
    bench_retention(app)


if __name__ == "__main__":
    main()
