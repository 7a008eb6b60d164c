"""Dashboard benchmark: the manager dashboard and the campaign report on a seeded CRM.

    python bench/dashboard.py                       # 1,000,000 leads over a year, SQLite
    python bench/dashboard.py --leads 100000 --database postgresql://postgres@127.0.0.1:5432/bench_dash

The default period is the last 30 days (about 82,000 leads of a million spread over a year).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app.extensions import db  # noqa: E402
from bench.fresh import BENCH_PASSWORD as PASSWORD  # noqa: E402
from bench.fresh import fresh_app, seed_team  # noqa: E402
from bench.list_leads import StatementCounter, measure  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    app = fresh_app(args.database, "bench-dashboard.db", WTF_CSRF_ENABLED=False)
    with app.app_context():
        started = time.monotonic()
        seed_team(args.leads)
        print(f"seeded {args.leads:,} leads in {time.monotonic() - started:.0f} s", flush=True)
        counter = StatementCounter(db.engine)
    client = app.test_client()
    client.post("/login/", data={"username": "bench", "password": PASSWORD})
    print(f"\n{args.leads:,} leads on {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, "
          f"median of {args.repeat} requests, last 30 days")
    for name, url in (("manager dashboard", "/dashboard/"),
                      ("campaign report", "/performance/"),
                      ("source report", "/performance/?by=source")):
        ms, statements = measure(client, url, counter, args.repeat)
        print(f"{name:<20}{ms:>9.1f} ms{statements:>5} SQL")


if __name__ == "__main__":
    main()
