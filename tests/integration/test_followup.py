"""Reminders and follow-up rules: set from the sheet, fired once by the tick (cron) or by a real
worker with its scheduler on Redis, listed in "Mes rappels"."""
import datetime as dt
import json
import time

import pytest
from rq import Queue

from app.extensions import db
from app.timezones import to_local
from jobs.followup import tick
from jobs.worker import run_worker
from models import FollowUpAlert, FollowUpRule, LeadEvent, Notification, Reminder, UserProfile
from models.base import utcnow
from tests.conftest import empty_database, make_app
from tests.factories import make_interaction, make_lead


@pytest.fixture
def claire(accounts):
    return accounts.create("claire", "Commercial", first_name="Claire")


def test_a_reminder_from_the_sheet_fires_once_when_due(client, accounts, claire):
    lead = make_lead(owner=claire, last_name="Martin")
    accounts.login(client, "claire")
    response = client.post(f"/sheet/{lead.id}/remind",
                           data={"due_at": "2030-06-01T09:30", "what": "Rappeler pour le devis"})
    assert response.status_code == 302
    reminder = db.session.query(Reminder).one()
    assert reminder.due_at == dt.datetime(2030, 6, 1, 7, 30)  # 9:30 in Paris, summer time
    assert tick(now=dt.datetime(2030, 6, 1, 7, 29))["reminders"] == 0
    assert tick(now=dt.datetime(2030, 6, 1, 7, 31))["reminders"] == 1
    assert tick(now=dt.datetime(2030, 6, 1, 7, 32))["reminders"] == 0
    notification = db.session.query(Notification).one()
    assert notification.user_id == claire.id and "Rappeler pour le devis" in notification.title
    assert "Martin" in notification.title


def test_a_done_reminder_goes_to_the_timeline_and_never_fires(client, accounts, claire):
    lead = make_lead(owner=claire)
    accounts.login(client, "claire")
    client.post(f"/sheet/{lead.id}/remind", data={"due_at": "2030-06-01T09:30", "what": "Devis"})
    reminder = db.session.query(Reminder).one()
    assert client.post(f"/sheet/reminder/{reminder.id}/done").status_code == 302
    assert tick(now=dt.datetime(2030, 6, 2))["reminders"] == 0
    assert db.session.query(LeadEvent).one().kind == "reminder_done"
    assert "Rappel fait" in client.get(f"/leads/show/{lead.id}").get_data(as_text=True)


@pytest.mark.parametrize("form, message", [
    ({"due_at": "", "what": "x"}, "Date et heure invalides"),
    ({"due_at": "31/02/2030 10:00", "what": "x"}, "Date et heure invalides"),
    ({"due_at": "2030-06-01T09:30", "what": "   "}, "objet du rappel"),
    ({"due_at": "2001-01-01T09:30", "what": "x"}, "est passée"),
])
def test_bad_reminders_are_refused(client, accounts, claire, form, message):
    lead = make_lead(owner=claire)
    accounts.login(client, "claire")
    response = client.post(f"/sheet/{lead.id}/remind", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(Reminder).count() == 0


@pytest.mark.clock
def test_my_reminders_are_split_overdue_today_upcoming(client, accounts, claire):
    paul = accounts.create("paul", "Commercial")
    lead = make_lead(owner=claire, last_name="Martin")
    now = utcnow()
    for due, what in ((now - dt.timedelta(days=2), "En retard"),
                      (now + dt.timedelta(days=30), "Plus tard")):
        db.session.add(Reminder(lead_id=lead.id, user_id=claire.id, due_at=due, what=what))
    db.session.add(Reminder(lead_id=lead.id, user_id=paul.id, due_at=now, what="Pas à moi"))
    db.session.commit()
    accounts.login(client, "claire")
    body = client.get("/reminders/").get_data(as_text=True)
    assert body.index("En retard") < body.index("Plus tard") and "Pas à moi" not in body


def rule(**fields):
    fields.setdefault("status", "new")
    item = FollowUpRule(name=fields.pop("name", "Nouveau sans appel"), **fields)
    db.session.add(item)
    db.session.commit()
    return item


def test_a_new_lead_left_alone_notifies_its_rep_then_the_manager(accounts, claire):
    boss = accounts.create("boss", "Responsable")
    db.session.add(UserProfile(user_id=claire.id, manager_id=boss.id, locale="fr"))
    rule(after_hours=2, escalate_after_hours=6)
    created = dt.datetime(2030, 1, 10, 8, 0)
    lead = make_lead(owner=claire, last_name="Oublié", created_at=created)
    assert tick(now=created + dt.timedelta(hours=1))["followups"] == 0
    assert tick(now=created + dt.timedelta(hours=3))["followups"] == 1
    assert tick(now=created + dt.timedelta(hours=4))["followups"] == 0  # once
    assert tick(now=created + dt.timedelta(hours=7))["followups"] == 1  # the manager
    users = [n.user_id for n in db.session.query(Notification).order_by(Notification.id)]
    assert users == [claire.id, boss.id]
    assert db.session.query(FollowUpAlert).count() == 2
    events = db.session.query(LeadEvent).filter_by(lead_id=lead.id, kind="followup").count()
    assert events == 2


def test_no_escalation_to_a_manager_who_may_not_see_the_lead(accounts, claire):
    """A profile may name a colleague (a Commercial) as manager: they are not told of the lead."""
    colleague = accounts.create("paul", "Commercial")
    db.session.add(UserProfile(user_id=claire.id, manager_id=colleague.id, locale="fr"))
    rule(after_hours=2, escalate_after_hours=6)
    created = dt.datetime(2030, 1, 10, 8, 0)
    make_lead(owner=claire, last_name="Oublié", created_at=created)
    assert tick(now=created + dt.timedelta(hours=3))["followups"] == 1
    assert tick(now=created + dt.timedelta(hours=7))["followups"] == 0
    assert [n.user_id for n in db.session.query(Notification)] == [claire.id]


def test_activity_resets_the_follow_up_and_old_leads_are_left_alone(accounts, claire):
    rule(after_hours=2)
    created = dt.datetime(2030, 1, 10, 8, 0)
    active = make_lead(owner=claire, created_at=created)
    make_interaction(active, user=claire, kind="note", occurred_at=created + dt.timedelta(hours=2))
    make_lead(owner=claire, created_at=created - dt.timedelta(days=30))  # long before the rule
    assert tick(now=created + dt.timedelta(hours=3))["followups"] == 0
    assert tick(now=created + dt.timedelta(hours=5))["followups"] == 1  # quiet again since 10:00


def test_in_progress_rule_and_inactive_rules(accounts, claire):
    rule(name="En cours sans nouvelles", after_hours=48, status="in_progress")
    rule(name="Éteinte", after_hours=1, active=False)
    created = dt.datetime(2030, 1, 10, 8, 0)
    make_lead(owner=claire, created_at=created, status="in_progress")
    make_lead(owner=claire, created_at=created, status="new")
    assert tick(now=created + dt.timedelta(hours=49))["followups"] == 1


def test_cli_tick_prints_what_it_did(runner, claire):
    lead = make_lead(owner=claire)
    db.session.add(Reminder(lead_id=lead.id, user_id=claire.id, due_at=utcnow(), what="Appeler"))
    db.session.commit()
    result = runner.invoke(args=["crm", "tick"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["reminders"] == 1


def test_admin_rule_form_checks_the_delays(client, accounts):
    accounts.create("root", "Admin")
    accounts.login(client, "root")
    response = client.post("/followup-rules/add", data={
        "name": "Mauvaise", "status": "new", "after_hours": "10", "escalate_after_hours": "5",
        "active": "y"})
    assert response.status_code == 200 and "plus long" in response.get_data(as_text=True)
    assert db.session.query(FollowUpRule).count() == 0
    client.post("/followup-rules/add", data={"name": "Bonne", "status": "new",
                                             "after_hours": "4", "active": "y"})
    assert db.session.query(FollowUpRule).one().after_hours == 4


def test_a_reminder_fires_through_a_real_worker_and_its_scheduler(database_url, redis_url,
                                                                   queue_name, tmp_path):
    from tests.conftest import Accounts

    app = make_app(database_url, REDIS_URL=redis_url, RQ_QUEUE_NAME=queue_name,
                   CRM_ATTACHMENT_DIR=str(tmp_path))
    with app.app_context():
        empty_database()
        from app.extensions import get_redis

        accounts = Accounts(app)
        claire = accounts.create("claire", "Commercial")
        lead = make_lead(owner=claire)
        client = app.test_client()
        accounts.login(client, "claire")
        due = to_local(utcnow() + dt.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M")
        client.post(f"/sheet/{lead.id}/remind", data={"due_at": due, "what": "Appeler"})
        reminder = db.session.query(Reminder).one()
        queue = Queue(queue_name, connection=get_redis())
        assert queue.scheduled_job_registry.get_job_ids() == [f"reminder-{reminder.id}"]
        # Move the job's time to now rather than wait a minute: the scheduler then enqueues it.
        reminder.due_at = utcnow()
        db.session.commit()
        queue.enqueue_at(dt.datetime.now(dt.timezone.utc), "jobs.followup.fire_reminder",
                         reminder.id, job_id=f"reminder-{reminder.id}")
        time.sleep(1)
        run_worker(burst=True, with_scheduler=True)
        db.session.expire_all()
        assert db.session.get(Reminder, reminder.id).notified_at is not None
        assert db.session.query(Notification).filter_by(event="reminder").count() == 1
        # The minute tick was scheduled too, under its one id.
        assert "crm-tick" in queue.scheduled_job_registry.get_job_ids()
