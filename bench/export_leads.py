"""Excel export benchmark: 100,000 leads through the list's export, time and peak memory.

    python bench/export_leads.py
    python bench/export_leads.py --leads 100000 --database postgresql://postgres@127.0.0.1:5432/bench_export
"""
import argparse
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.fresh import BENCH_PASSWORD as PASSWORD  # noqa: E402
from bench.fresh import fresh_app, seed_team  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    app = fresh_app(args.database, "bench-export.db", WTF_CSRF_ENABLED=False,
                    CRM_EXPORT_INLINE_ROWS=10 ** 9)
    with app.app_context():
        seed_team(args.leads)
    client = app.test_client()
    client.post("/login/", data={"username": "bench", "password": PASSWORD})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get("/exports/leads?format=xlsx")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert response.status_code == 200, response.status_code
    path = os.path.join(tempfile.mkdtemp(), "export.xlsx")
    with open(path, "wb") as handle:
        handle.write(response.data)
    print(f"\n{args.leads:,} leads to .xlsx on {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: "
          f"{elapsed:.1f} s, {os.path.getsize(path) / 1e6:.1f} MB file, peak memory {peak:.0f} MB "
          f"(before the export: {before:.0f} MB)")


if __name__ == "__main__":
    main()
