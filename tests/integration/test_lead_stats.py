"""The running counts behind dashboards and reports stay equal to the lead table after every
kind of write: ORM creation, change, deletion and merge, a failed flush, bulk import with
each policy, undo, demo seeding, and a rebuild."""
import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select, true
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.services import lead_stats
from app.services.duplicates import merge
from app.services.importing import runner as import_runner
from models import ImportBatch, Lead, LeadContactStat, LeadDayStat
from tests.factories import make_source

MARCH_10 = dt.datetime(2026, 3, 10, 9, 0)


def stored():
    """The count tables' rows, without those counted down to nothing."""
    days = {tuple(r[:5]): (r.leads, r.untouched, r.valued, Decimal(str(r.value)))
            for r in db.session.execute(select(LeadDayStat.__table__)) if r.leads or r.valued}
    contacts = {tuple(r[:6]): r.leads for r in db.session.execute(select(LeadContactStat.__table__))
                if r.leads}
    return days, contacts


def expected():
    tally = lead_stats.Tally()
    tally.count_selected(db.session, true(), 1)
    days = {k: (f[0], f[1], f[2], Decimal(f[3])) for k, f in tally.days.items() if f[0] or f[2]}
    return days, {k: n for k, n in tally.contacts.items() if n}


def check():
    db.session.commit()
    assert stored() == expected()


def lead(**values):
    values = {"last_name": "Martin", "name_key": "martin", "created_at": MARCH_10, **values}
    item = Lead(**values)
    db.session.add(item)
    return item


def test_orm_writes_keep_the_counts(app, accounts):
    claire = accounts.create("claire", "Commercial")
    salon = make_source("Salon")
    first = lead(email="a@exemple.fr", source=salon, owner_id=claire.id)
    second = lead(email="b@exemple.fr", status="in_progress",
                  first_contacted_at=MARCH_10 + dt.timedelta(minutes=90, seconds=59))
    lead(email="t@exemple.fr", is_test=True, status="converted", value=Decimal("10"))
    lead(created_at=dt.datetime(2026, 3, 31, 22, 30))  # 1 April in Paris
    check()
    (day,) = [k for k in stored()[0] if k[3] == claire.id]
    assert day[0] == dt.date(2026, 3, 10) and day[1] == salon.id
    assert list(stored()[1]) == [(dt.date(2026, 3, 10), 0, 0, 0, "in_progress", 90)]
    assert (dt.date(2026, 4, 1), 0, 0, 0, "new") in stored()[0]

    first.status, first.value = "converted", Decimal("1250.50")
    first.first_contacted_at = MARCH_10 + dt.timedelta(hours=2)
    check()
    db.session.expire_all()  # changes made to objects whose old values were never loaded
    second.owner_id = claire.id
    db.session.get(Lead, first.id).is_test = True
    check()
    db.session.delete(second)
    check()
    assert stored() == ({(dt.date(2026, 4, 1), 0, 0, 0, "new"): (1, 1, 0, Decimal(0))}, {})


def test_a_failed_flush_counts_nothing(app):
    kept = lead(email="a@exemple.fr")
    check()
    savepoint = db.session.begin_nested()
    kept.status = "in_progress"
    lead(email="a@exemple.fr")  # the live e-mail is unique: this flush fails
    with pytest.raises(IntegrityError):
        db.session.flush()
    savepoint.rollback()
    kept.status = "abandoned"
    kept.abandon_reason = "Budget"
    check()


def test_merge_keeps_the_counts(app):
    keep = lead(email="a@exemple.fr")
    other = lead(phone="+33612345678", status="in_progress",
                 first_contacted_at=MARCH_10 + dt.timedelta(hours=1))
    check()
    merge(db.session, keep, other)
    check()


def test_imports_and_undo_keep_the_counts(app, runner, tmp_path):
    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    existing = lead(email="deja@exemple.fr", status="in_progress")
    check()
    path = tmp_path / "salon.csv"
    path.write_text("Nom;E-mail;Statut;Créé le\n"
                    "Durand;deja@exemple.fr;Converti;10/03/2026\n"
                    "Petit;p@exemple.fr;Nouveau;11/03/2026\n"
                    "Roux;r@exemple.fr;Abandonné;12/03/2026\n", encoding="utf-8")
    for policy in ("update", "create"):
        result = runner.invoke(args=["crm", "import", str(path), "--json", "--policy", policy])
        assert result.exit_code == 0, result.output
        check()
    assert db.session.get(Lead, existing.id).status == "converted"
    batch = db.session.get(ImportBatch, json.loads(result.output.strip().splitlines()[-1])["batch"])
    import_runner.undo_batch(db.session, batch)
    check()


def test_demo_seeding_and_rebuild(app, accounts, runner):
    from app.services.demo import seed_leads

    claire = accounts.create("claire", "Commercial")
    seed_leads(db.session, 300, [claire.id], batch=120)
    check()
    db.session.execute(LeadDayStat.__table__.delete())  # figures lost: rebuild recounts them
    db.session.commit()
    result = runner.invoke(args=["crm", "rebuild-stats"])
    assert result.exit_code == 0 and "rows of daily figures" in result.output
    db.session.expire_all()
    check()
    lead_stats.rebuild(db.session, batch=7)  # read in many batches, same figures
    check()
    assert sum(v[0] for v in stored()[0].values()) == db.session.query(Lead).filter(
        Lead.is_test.is_(False)).count()


def test_two_writers_of_one_lead(app):
    """The second writer waits for the first and counts out what the first left."""
    import threading

    from sqlalchemy.orm import Session

    item = lead(email="a@exemple.fr")
    db.session.flush()
    lead_id = item.id
    check()
    first = Session(db.engine)
    first.get(Lead, lead_id).status = "in_progress"
    first.flush()  # holds the lead until it commits

    def second_writer():
        with app.app_context(), Session(db.engine) as second:
            second.get(Lead, lead_id).status = "converted"
            second.commit()
    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(0.5)
    first.commit()
    first.close()
    thread.join(10)
    db.session.expire_all()
    assert db.session.get(Lead, lead_id).status == "converted"
    check()
