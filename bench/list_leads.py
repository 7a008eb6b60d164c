"""Lead list benchmark: median time and SQL statements per request, screen and API.

    python bench/list_leads.py                    # 1,000,000 leads, SQLite file under instance/
    python bench/list_leads.py --leads 100000
    python bench/list_leads.py --database postgresql://postgres@127.0.0.1:5432/bench

The database is seeded once (bulk inserts) and reused by later runs with the same size.
Timings are in-process (Flask test client): what the application costs, without the network.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.accounts import ensure_user  # noqa: E402
from app.services.demo import REPS, refresh_statistics, seed_leads  # noqa: E402
from app.services.roles import sync_roles  # noqa: E402
from bench.fresh import BENCH_PASSWORD  # noqa: E402
from config import BASE_DIR, DevelopmentConfig  # noqa: E402
from models import Lead, Source  # noqa: E402

PASSWORD = BENCH_PASSWORD


def prepare(app, count):
    with app.app_context():
        upgrade()
        sync_roles(app.appbuilder, db.session)
        sm = app.appbuilder.sm
        bench, _ = ensure_user(sm, "bench", "bench@example.com", "Bench", "Manager", "Responsable",
                               PASSWORD)
        sm.reset_password(bench.id, PASSWORD)  # a database seeded under an older password
        owners = [ensure_user(sm, u, f"{u}@exemple.fr", f, last, "Commercial", PASSWORD)[0].id
                  for u, f, last in REPS]
        existing = db.session.query(func.count(Lead.id)).scalar()
        if existing < count:
            print(f"Seeding {count - existing:,} leads…", flush=True)
            started = time.monotonic()
            seed_leads(db.session, count - existing, owners, batch=50_000,
                       progress=lambda n: n % 200_000 == 0 and print(f"  {n:,}", flush=True))
            db.session.commit()
            refresh_statistics(db.engine)
            print(f"Seeded in {time.monotonic() - started:.0f} s", flush=True)
        source_id = db.session.query(Source.id).order_by(Source.id).first()[0]
        sample = db.session.query(Lead.email, Lead.phone).filter(Lead.id == count // 2).one()
        return source_id, sample


def scenarios(source_id, sample):
    prefix = sample.email.split("@")[0]
    digits = "0" + sample.phone[3:9]  # the national start of an E.164 French number
    return [
        ("first page", "", "()"),
        ("status + source", f"?status=new&source={source_id}",
         f"(filters:!((col:status,opr:eq,value:new),(col:source,opr:rel_o_m,value:{source_id})))"),
        ("sorted by name", "?_oc_LeadView=last_name&_od_LeadView=asc",
         "(order_column:last_name,order_direction:asc)"),
        ("search e-mail", f"?q={prefix}",
         f"(filters:!((col:last_name,opr:search,value:'{prefix}')))"),
        ("search phone", f"?q={digits}",
         f"(filters:!((col:last_name,opr:search,value:'{digits}')))"),
        ("page 1,000", "?page_LeadView=1000", "(page:1000,page_size:25)"),
    ]


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._inc)

    def _inc(self, *args):
        self.count += 1


def measure(client, url, counter, repeat, headers=None):
    times, statements = [], []
    for _ in range(repeat):
        counter.count = 0
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        statements.append(counter.count)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(statements)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    url = args.database or "sqlite:///" + os.path.join(BASE_DIR, "instance", f"bench-{args.leads}.db")
    app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                                         "RATELIMIT_ENABLED": False, "REDIS_URL": None})
    import logging

    logging.disable(logging.WARNING)
    source_id, sample = prepare(app, args.leads)
    client = app.test_client()
    client.post("/login/", data={"username": "bench", "password": PASSWORD})
    token = client.post("/api/v1/security/login", json={
        "username": "bench", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    api_client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        counter = StatementCounter(db.engine)
    print(f"\n{args.leads:,} leads on {url.split(':')[0]}, "
          f"median of {args.repeat} requests (in-process)\n")
    print(f"{'request':<18}{'screen ms':>11}{'SQL':>6}{'API ms':>10}{'SQL':>6}")
    for name, screen_query, rison in scenarios(source_id, sample):
        screen = measure(client, "/leads/list/" + screen_query, counter, args.repeat)
        api = measure(api_client, "/api/v1/lead/?q=" + rison, counter, args.repeat, headers)
        print(f"{name:<18}{screen[0]:>11.1f}{screen[1]:>6}{api[0]:>10.1f}{api[1]:>6}", flush=True)
    screen = measure(client, "/duplicates/", counter, 3)
    print(f"{'duplicates screen':<18}{screen[0]:>11.1f}{screen[1]:>6}", flush=True)
    explain(app, source_id)


def explain(app, source_id):
    """The plan of the filtered count: an index search, never a scan of the lead table."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        sql = ("SELECT count(*) FROM (SELECT id FROM lead WHERE status = 'new' AND source_id = :s "
               "LIMIT 10001)")
        rows = db.session.execute(text("EXPLAIN QUERY PLAN " + sql), {"s": source_id}).all()
        print("\nfiltered count plan: " + " | ".join(r[-1] for r in rows))


if __name__ == "__main__":
    main()
