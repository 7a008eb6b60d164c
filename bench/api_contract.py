"""The API against its OpenAPI document (schemathesis), with more examples than the test suite;
prints every distinct failure found.

    python bench/api_contract.py [--examples 50] [--sequences 100] [--operation /sheet/ ...]
    python bench/api_contract.py --database postgresql://postgres@127.0.0.1:5432/bench_api

Starts from an empty database (SQLite under instance/ by default), serves the app on a free port.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.fresh import BENCH_PASSWORD, fresh_app  # noqa: E402
from tests.integration.contract_support import run_contract, seed, served  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite under instance/)")
    parser.add_argument("--examples", type=int, default=50, help="examples per operation and mode")
    parser.add_argument("--sequences", type=int, default=100,
                        help="chains of calls per role in the stateful phase (0: none)")
    parser.add_argument("--operation", action="append",
                        help="only operations whose label contains this text (repeatable)")
    args = parser.parse_args()
    app = fresh_app(args.database, "bench_api_contract.db", FAB_API_SWAGGER_UI=False)
    with app.app_context():
        seed(BENCH_PASSWORD)
    started = time.monotonic()
    with app.app_context(), served(app) as base_url:
        findings = run_contract(base_url, BENCH_PASSWORD, args.examples, args.operation,
                                log=lambda line: print(line, file=sys.stderr),
                                sequences=args.sequences)
    print(findings.report())
    print(f"\n{len(findings.failures)} distinct failures, {findings.calls} calls, "
          f"{time.monotonic() - started:.0f} s")
    return 1 if findings.failures else 0


if __name__ == "__main__":
    sys.exit(main())
