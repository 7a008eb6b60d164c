"""Lead sheet benchmark: a lead with 500 timeline entries, and the bell's unread count.

    python bench/lead_sheet.py
    python bench/lead_sheet.py --database postgresql://postgres@127.0.0.1:5432/bench_sheet

Starts from an empty database (SQLite under instance/ by default); in-process requests.
"""
import argparse
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import current_app  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.extensions import db  # noqa: E402
from app.services.accounts import ensure_user  # noqa: E402
from bench.fresh import BENCH_PASSWORD, fresh_app  # noqa: E402
from bench.list_leads import StatementCounter, measure  # noqa: E402
from models import (Appointment, Attachment, Interaction, Lead, LeadAssignment,  # noqa: E402
                    LeadEvent, LeadNote, Notification)
from models.base import utcnow  # noqa: E402

PASSWORD = BENCH_PASSWORD


def seed():
    """One lead with 500 entries of every kind; 100,000 notifications, 40 unread for the rep."""
    rep = ensure_user(current_app.appbuilder.sm, "claire", "claire@example.com", "Claire", "Petit",
                      "Commercial", PASSWORD)[0]
    lead = Lead(last_name="Martin", first_name="Marie", name_key="martin marie", owner_id=rep.id,
                email="marie@exemple.fr", phone="+33612345678")
    db.session.add(lead)
    db.session.flush()
    now = utcnow()

    def at(i):
        return now - dt.timedelta(hours=i)
    kinds = ["call"] * 200 + ["note"] * 150 + ["appointment"] * 50 + ["status"] * 50 \
        + ["assignment"] * 30 + ["file"] * 19
    for i, kind in enumerate(kinds):
        if kind == "call":
            db.session.add(Interaction(lead_id=lead.id, kind="call", direction="outbound",
                                       occurred_at=at(i), user_id=rep.id, duration_minutes=5,
                                       subject="Joint", summary=f"Compte rendu {i}\nligne 2"))
        elif kind == "note":
            db.session.add(LeadNote(lead_id=lead.id, author_id=rep.id, created_at=at(i),
                                    kind="message" if i % 2 else "note",
                                    body=f"Note {i} https://exemple.fr/{i}"))
        elif kind == "appointment":
            db.session.add(Appointment(lead_id=lead.id, owner_id=rep.id, starts_at=at(i),
                                       ends_at=at(i) + dt.timedelta(hours=1), title=f"RDV {i}"))
        elif kind == "status":
            db.session.add(LeadEvent(lead_id=lead.id, kind="status", at=at(i),
                                     detail="new>in_progress", user_id=rep.id))
        elif kind == "assignment":
            db.session.add(LeadAssignment(lead_id=lead.id, user_id=rep.id, assigned_by_id=rep.id,
                                          at=at(i)))
        else:
            db.session.add(Attachment(lead_id=lead.id, filename=f"devis-{i}.pdf", size=1000,
                                      stored_name=f"{i:032x}.pdf", content_type="application/pdf",
                                      uploaded_by_id=rep.id, created_at=at(i)))
    db.session.commit()
    db.session.execute(Notification.__table__.insert(), [
        {"user_id": rep.id, "event": "mentioned", "title": f"Notification {i}", "in_app": True,
         "created_at": at(i % 5000), "read_at": None if i < 40 else at(0)}
        for i in range(100_000)])
    db.session.commit()
    return lead.id


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    app = fresh_app(args.database, "bench-sheet.db", WTF_CSRF_ENABLED=False)
    with app.app_context():
        lead_id = seed()
        counter = StatementCounter(db.engine)
        url = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    client = app.test_client()
    client.post("/login/", data={"username": "claire", "password": PASSWORD})
    sheet = measure(client, f"/leads/show/{lead_id}", counter, args.repeat)
    bell = measure(client, "/notifications/count", counter, args.repeat)
    print(f"\n{url}, median of {args.repeat} in-process requests")
    print(f"lead sheet, 500 timeline entries: {sheet[0]:.1f} ms, {sheet[1]} SQL statements")
    print(f"bell count (100,000 notifications): {bell[0]:.1f} ms, {bell[1]} SQL statements")
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            rows = db.session.execute(text(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM notification "
                "WHERE user_id = 1 AND read_at IS NULL")).all()
            print("bell count plan: " + " | ".join(r[-1] for r in rows))
        else:
            rows = db.session.execute(text(
                "EXPLAIN SELECT count(*) FROM notification WHERE user_id = 1 AND read_at IS NULL"
            )).all()
            print("bell count plan: " + " | ".join(r[0].strip() for r in rows))


if __name__ == "__main__":
    main()
