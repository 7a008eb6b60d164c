"""Audit log benchmark: the cost of one audit write, and the lead sheet (which writes one) and
the audit screen over 10 million entries.

    python bench/rgpd_audit.py
    python bench/rgpd_audit.py --database postgresql://postgres@127.0.0.1:5432/bench_audit
    python bench/rgpd_audit.py --rows 1000000
    python bench/rgpd_audit.py --reuse      # measure again on the database seeded last time

Starts from an empty database (SQLite under instance/ by default); in-process requests. The
entries are made by one INSERT ... SELECT (generate_series on PostgreSQL, a recursive CTE on
SQLite), spread over the last 12 months, 10 users, 1,000 leads and every action.
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import current_app  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.extensions import db  # noqa: E402
from app.services.accounts import ensure_user  # noqa: E402
from app.services.privacy.audit import record  # noqa: E402
from app import create_app  # noqa: E402
from bench.fresh import BENCH_PASSWORD, fresh_app  # noqa: E402
from config import BASE_DIR, DevelopmentConfig  # noqa: E402
from bench.list_leads import StatementCounter, measure  # noqa: E402
from models import AuditEntry, Lead  # noqa: E402
from models.audit import ACTIONS  # noqa: E402
from models.base import utcnow  # noqa: E402

LEADS = 1_000
USERS = 10
SPAN_SECONDS = 365 * 24 * 3600


def seed_people():
    sm = current_app.appbuilder.sm
    ensure_user(sm, "admin", "admin@example.com", "Ada", "Admin", "Admin", BENCH_PASSWORD)
    rep = ensure_user(sm, "claire", "claire@example.com", "Claire", "Petit", "Commercial",
                      BENCH_PASSWORD)[0]
    db.session.execute(Lead.__table__.insert(), [
        {"last_name": f"Martin {i}", "name_key": f"martin {i}", "owner_id": rep.id,
         "status": "new", "created_at": utcnow(), "updated_at": utcnow()}
        for i in range(LEADS)])
    db.session.commit()
    return db.session.query(Lead.id).order_by(Lead.id).first()[0]


def seed_entries(rows):
    """`rows` entries, oldest first (as the log grows), in one statement; the indexes are
    built afterwards (sorting once is much faster than ten million random B-tree inserts)."""
    for index in AuditEntry.__table__.indexes:
        index.drop(db.engine)
    actions = list(ACTIONS)
    # A CASE over the row number picks the action: both databases, no helper table.
    action = "CASE " + " ".join(f"WHEN x % {len(actions)} = {i} THEN '{name}'"
                                for i, name in enumerate(actions)) + " END"
    step = SPAN_SECONDS / rows
    start = utcnow().timestamp() - SPAN_SECONDS
    if db.engine.dialect.name == "postgresql":
        source = "generate_series(1, :rows) AS s(x)"
        at = "to_timestamp(:start + x * :step) AT TIME ZONE 'UTC'"
        prefix = ""
    else:
        prefix = "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < :rows) "
        source = "s"
        # The text SQLAlchemy stores for a DateTime (microseconds, six digits).
        at = "strftime('%Y-%m-%d %H:%M:%S', :start + x * :step, 'unixepoch') || '.000000'"
    db.session.execute(text(
        prefix + "INSERT INTO audit_entry (at, user_id, username, ip_address, action, lead_id, "
        "detail) SELECT " + at + ", x % :users + 1, 'user' || (x % :users + 1), '192.0.2.1', "
        + action + ", x % :leads + 1, NULL FROM " + source),
        {"rows": rows, "start": start, "step": step, "users": USERS, "leads": LEADS})
    db.session.commit()
    for index in AuditEntry.__table__.indexes:
        index.create(db.engine)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE audit_entry"))
    else:
        db.session.execute(text("ANALYZE audit_entry"))
        db.session.commit()


def write_cost(repeat, lead_id, user_id):
    """Median ms of one record() in an open transaction, and of record() + commit."""
    alone, committed = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        record(db.session, "sheet_open", user_id, "192.0.2.1", lead_id)
        alone.append((time.perf_counter() - started) * 1000)
    db.session.commit()
    for _ in range(repeat):
        started = time.perf_counter()
        record(db.session, "field_change", user_id, "192.0.2.1", lead_id,
               fields={"status": ["new", "in_progress"]})
        db.session.commit()
        committed.append((time.perf_counter() - started) * 1000)
    return statistics.median(alone), statistics.median(committed)


def server_write_ms(repeat, lead_id, user_id):
    """PostgreSQL only: the INSERT's planning and execution time inside the server (what the
    machine's load does not add to), median, rolled back."""
    if db.engine.dialect.name != "postgresql":
        return None
    times = []
    for _ in range(repeat):
        plan = db.session.execute(text(
            "EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO audit_entry (at, user_id, username, "
            "ip_address, action, lead_id, detail) VALUES (now() AT TIME ZONE 'UTC', :user, "
            "(SELECT username FROM ab_user WHERE id = :user), '192.0.2.1', 'sheet_open', :lead, "
            "NULL)"), {"user": user_id, "lead": lead_id}).scalar()[0]
        times.append(plan["Planning Time"] + plan["Execution Time"])
    db.session.rollback()
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=None)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true",
                        help="skip seeding: the database of the previous run")
    args = parser.parse_args()
    if args.reuse:
        url = args.database or "sqlite:///" + os.path.join(BASE_DIR, "instance", "bench-audit.db")
        app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None,
                                             "RATELIMIT_ENABLED": False,
                                             "WTF_CSRF_ENABLED": False})
    else:
        app = fresh_app(args.database, "bench-audit.db", WTF_CSRF_ENABLED=False)
    with app.app_context():
        lead_id = db.session.query(Lead.id).order_by(Lead.id).first()[0] if args.reuse \
            else seed_people()
        admin_id = current_app.appbuilder.sm.find_user(username="admin").id
        url = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
        counter = StatementCounter(db.engine)
        empty_write = write_cost(200, lead_id, admin_id)
    client = app.test_client()
    client.post("/login/", data={"username": "claire", "password": BENCH_PASSWORD})
    sheet_before = measure(client, f"/leads/show/{lead_id}", counter, args.repeat)
    with app.app_context():
        started = time.perf_counter()
        if not args.reuse:
            seed_entries(args.rows)
        seeded = time.perf_counter() - started
        args.rows = db.session.query(AuditEntry.id).count()
        full_write = write_cost(200, lead_id, admin_id)
        server_write = server_write_ms(200, lead_id, admin_id)
    sheet_after = measure(client, f"/leads/show/{lead_id}", counter, args.repeat)
    admin = app.test_client()
    admin.post("/login/", data={"username": "admin", "password": BENCH_PASSWORD})
    with app.app_context():
        middle_at, middle_id = db.session.query(AuditEntry.at, AuditEntry.id).order_by(
            AuditEntry.at).offset(args.rows // 2).limit(1).one()
    month = f"since={middle_at:%Y-%m-%d}&until={middle_at + dt.timedelta(days=30):%Y-%m-%d}"
    screens = {
        "first page": "/audit/",
        "one lead": f"/audit/?lead={lead_id + 7}",
        "one user": "/audit/?user=3",
        "one action": "/audit/?action=merge",
        "one user, one action": "/audit/?user=3&action=export",
        "a lead over a month": f"/audit/?lead={lead_id + 7}&{month}",
        "a month": f"/audit/?{month}",
        "a page in the middle": f"/audit/?after={middle_at.isoformat()}~{middle_id}",
    }
    print(f"\n{url}, {args.rows:,} audit entries (seeded in {seeded:.0f} s), "
          f"median of {args.repeat} in-process requests; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if server_write is not None:
        print(f"one audit write inside PostgreSQL (full log): {server_write:.3f} ms")
    before = "full log, first pass" if args.reuse else "empty log"
    print(f"one audit write, {before}: {empty_write[0]:.3f} ms (in a transaction), "
          f"{empty_write[1]:.3f} ms with its commit")
    print(f"one audit write, full log: {full_write[0]:.3f} ms (in a transaction), "
          f"{full_write[1]:.3f} ms with its commit")
    print(f"lead sheet (writes its entry), {before}: {sheet_before[0]:.1f} ms, "
          f"{sheet_before[1]} SQL statements")
    print(f"lead sheet (writes its entry), full log: {sheet_after[0]:.1f} ms, "
          f"{sheet_after[1]} SQL statements")
    for label, path in screens.items():
        took, statements = measure(admin, path, counter, args.repeat)
        print(f"audit screen, {label}: {took:.1f} ms, {statements} SQL statements")


if __name__ == "__main__":
    main()
