"""Webhook benchmark: median answer time of Google Ads deliveries, and errors over a run.

    python bench/webhooks.py                 # 1,000 distinct deliveries, SQLite under instance/
    python bench/webhooks.py --deliveries 5000 --database postgresql://postgres@127.0.0.1:5432/bench_wh

In-process (Flask test client): what the application costs per delivery, without the network.
"""
import argparse
import copy
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app.extensions import db  # noqa: E402
from bench.fresh import fresh_app  # noqa: E402
from models import Source  # noqa: E402

PAYLOAD = {
    "lead_id": None, "api_version": "1.0", "form_id": 40000000001, "campaign_id": 281489216452815,
    "google_key": "bench-google-key", "is_test": False, "gcl_id": "Cj0KCQjw-bench",
    "user_column_data": [
        {"column_id": "FULL_NAME", "column_name": "Full Name", "string_value": "Camille Rousseau"},
        {"column_id": "EMAIL", "column_name": "User Email", "string_value": None},
        {"column_id": "PHONE_NUMBER", "column_name": "User Phone", "string_value": None},
        {"column_id": "budget", "column_name": "Quel est votre budget ?", "string_value": "5 000 €"},
    ],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    app = fresh_app(args.database, "bench-webhooks.db")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.session.add(Source(name="Google Ads", kind="google_ads", intake_token="bench-google-key"))
        db.session.commit()
    client = app.test_client()
    times, errors = [], 0
    for n in range(args.deliveries):
        payload = copy.deepcopy(PAYLOAD)
        payload["lead_id"] = f"bench-{n}"
        payload["user_column_data"][1]["string_value"] = f"c.rousseau.{n}@exemple.fr"
        payload["user_column_data"][2]["string_value"] = f"+3364{n:07d}"
        started = time.perf_counter()
        response = client.post("/webhooks/google-ads", data=json.dumps(payload),
                               content_type="application/json")
        times.append((time.perf_counter() - started) * 1000)
        errors += response.status_code != 200
    print(f"{args.deliveries:,} distinct Google Ads deliveries on {url.split(':')[0]}: "
          f"median {statistics.median(times):.1f} ms, p95 {sorted(times)[int(len(times) * .95)]:.1f} ms, "
          f"errors {errors}")


if __name__ == "__main__":
    main()
