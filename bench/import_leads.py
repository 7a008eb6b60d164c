"""Import benchmark: rows per second, duplicate checks against an existing CRM, peak memory.

    python bench/import_leads.py                       # 100,000 rows into a CRM of 100,000 leads
    python bench/import_leads.py --rows 1000000 --existing 0
    python bench/import_leads.py --database postgresql://postgres@127.0.0.1:5432/bench_import

Each run starts from an empty database (SQLite under instance/ by default). The generated CSV
file is French-Excel style (cp1252, ';'), with 2 % invalid rows, 1 % blank rows and 5 % of rows
that match a lead already in the CRM. Two rows in three give a consent (the generic column, and
an SMS opt-in for some): their records are written in bulk with the leads.
"""
import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import text  # noqa: E402

from app.extensions import db  # noqa: E402
from app.services.demo import refresh_statistics, seed_leads  # noqa: E402
from app.services.importing.batches import describe, new_batch, store_file  # noqa: E402
from app.services.importing.preview import preview  # noqa: E402
from app.services.importing.runner import run_batch  # noqa: E402
from bench.fresh import fresh_app  # noqa: E402
from jobs.imports import commit_progress  # noqa: E402


def write_file(path, rows, existing, seed=3):
    """Rows numbered from 5,000,000 (no clash with seeded leads) except the duplicates."""
    rng = random.Random(seed)
    with open(path, "w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Nom", "Prénom", "Courriel", "Tél. mobile", "Origine", "Statut",
                         "Commentaire", "Créé le", "Consentement", "Optin SMS"])
        for i in range(rows):
            roll = rng.random()
            if roll < 0.01:
                writer.writerow([""] * 10)
                continue
            n = 5_000_000 + i
            email = f"prenom.nom.{n}@exemple.fr"
            phone = f"06 {n // 1000000 % 100:02d} {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}"
            if roll < 0.03:
                email = "pas-un-email@"
            elif roll < 0.08 and existing:
                k = rng.randint(1, existing)
                email, phone = f"x.y.{k}@exemple.fr", ""
            writer.writerow([f"Nom{i}", "Élodie", email, phone, "Salon", "Nouveau",
                             "Intéressé par l'offre", f"{1 + i % 28:02d}/10/2026",
                             ("oui", "non", "")[i % 3], "non" if i % 5 == 0 else ""])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="crm-import-bench-")
    app = fresh_app(args.database, "bench-import.db", CRM_IMPORT_DIR=os.path.join(work, "imports"))
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        if args.existing:
            seed_leads(db.session, args.existing, [], batch=50_000)
            db.session.execute(text("UPDATE lead SET email = 'x.y.' || id || '@exemple.fr'"))
            db.session.commit()
            refresh_statistics(db.engine)
        path = os.path.join(work, "leads.csv")
        write_file(path, args.rows, args.existing)
        size_mb = os.path.getsize(path) / 1e6
        print(f"{args.rows:,} rows ({size_mb:.1f} MB) into a CRM of {args.existing:,} leads, "
              f"{url.split(':')[0]}")

        started = time.perf_counter()
        stored = store_file(path, "leads.csv", app.config["CRM_IMPORT_DIR"])
        settings, header_row, _rows, mapping = describe(stored)
        preview(db.session, stored, settings, header_row, mapping)
        print(f"preview (detection, mapping, first rows): {time.perf_counter() - started:.2f} s")

        started = time.perf_counter()
        batch = new_batch(db.session, stored, "leads.csv")
        db.session.commit()
        counts = run_batch(db.session, batch, commit_progress)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"import: {elapsed:.2f} s ({args.rows / elapsed:,.0f} rows/s), peak memory "
              f"{peak:.0f} MB")
        print("counts: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
              + f" (sum {sum(counts.values()):,})")
        if url.startswith("sqlite"):
            print(f"for scale, on this machine now: {plain_insert(batch.id):.2f} s for a plain "
                  "sqlite3 executemany of the created rows into a copy of the table without "
                  "indexes")


def plain_insert(batch_id):
    """The issue's yardstick: the same rows written by sqlite3 alone, no index, no check."""
    raw = db.session.connection().connection.driver_connection
    rows = raw.execute("SELECT * FROM lead WHERE import_batch_id = ?", (batch_id,)).fetchall()
    raw.execute("CREATE TABLE plain_lead AS SELECT * FROM lead WHERE 0")
    started = time.perf_counter()
    raw.executemany(f"INSERT INTO plain_lead VALUES ({', '.join('?' * len(rows[0]))})", rows)
    raw.commit()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
