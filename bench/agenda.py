"""Calendar benchmark: free slots of a 20-rep team over 30 days, and a subscription feed of
1,000 appointments.

    python bench/agenda.py
    python bench/agenda.py --database postgresql://postgres@127.0.0.1:5432/bench_calendar
"""
import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import current_app  # noqa: E402

from app.extensions import db  # noqa: E402
from app.services.accounts import ensure_user  # noqa: E402
from app.services.slots import free_slots  # noqa: E402
from bench.fresh import BENCH_PASSWORD, fresh_app  # noqa: E402
from models import Appointment, BookingPage, Lead, UserProfile  # noqa: E402
from models.base import utcnow  # noqa: E402

PASSWORD = BENCH_PASSWORD


def seed(rng):
    sm = current_app.appbuilder.sm
    reps = [ensure_user(sm, f"rep{i}", f"rep{i}@exemple.fr", "Rep", str(i), "Commercial",
                        PASSWORD)[0] for i in range(20)]
    leads = [Lead(last_name=f"Nom{i}", name_key=f"nom{i}", owner_id=reps[i % 20].id)
             for i in range(2000)]
    db.session.add_all(leads)
    db.session.flush()
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    # About 3 appointments a day for each rep over the next 30 days.
    for rep in reps:
        for day in range(30):
            for _ in range(3):
                start = now + dt.timedelta(days=day, hours=rng.randint(0, 10))
                db.session.add(Appointment(lead_id=rng.choice(leads).id, owner_id=rep.id,
                                           starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                           status="confirmed", title="RDV"))
    # The feed's user: 1,000 appointments.
    for i in range(1000 - 90):
        start = now - dt.timedelta(days=200) + dt.timedelta(hours=5 * i)
        db.session.add(Appointment(lead_id=leads[i].id, owner_id=reps[0].id, starts_at=start,
                                   ends_at=start + dt.timedelta(hours=1), status="planned"))
    page = BookingPage(slug="equipe", title="Équipe", slot_minutes=30, notice_hours=0,
                       horizon_days=30, working_hours=json.dumps(
                           {d: "09:00-12:30, 14:00-18:30" for d in ("mon", "tue", "wed", "thu", "fri")}))
    page.members = reps
    db.session.add(page)
    db.session.add(UserProfile(user_id=reps[0].id, locale="fr", calendar_token="bench-feed-token"))
    db.session.commit()
    return page.id


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    app = fresh_app(args.database, "bench-calendar.db")
    with app.app_context():
        page_id = seed(random.Random(5))
        page = db.session.get(BookingPage, page_id)
        ms, slots = timed(lambda: free_slots(db.session, page, utcnow()), args.repeat)
        print(f"\n{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, median of {args.repeat}")
        print(f"free slots, 20 reps x 30 days (1,800 appointments): {ms:.1f} ms, "
              f"{len(slots)} free slots")
    client = app.test_client()
    cold, _first = timed(lambda: client.get("/calendar/bench-feed-token.ics"), 1)
    ms, response = timed(lambda: client.get("/calendar/bench-feed-token.ics"), args.repeat)
    assert response.status_code == 200
    print(f"subscription feed, {response.data.count(b'BEGIN:VEVENT')} appointments: {ms:.1f} ms, "
          f"{len(response.data) / 1024:.0f} KB (first request, every event built: {cold:.0f} ms)")


if __name__ == "__main__":
    main()
