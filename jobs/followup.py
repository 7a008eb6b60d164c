"""Scheduled work: due reminders, follow-up rules, appointment reminders to leads, CalDAV
calendars, files of deleted leads, the API's expired idempotency keys and old tombstones,
stored files past their retention period, RGPD requests past their deadline, the retention of
leads (RGPD), audit log entries past their retention.

With Redis, each reminder has its own job at its due time (job id reminder-<id>, so moving a
reminder replaces its job) and `tick` runs every minute from the scheduler-enabled worker;
without Redis, `flask crm tick` from cron does the same. Claims in the database make sure
nothing fires twice, whoever runs first."""
import datetime as dt

from flask import current_app
from flask_babel import gettext as _

from app.extensions import db, get_queue
from app.services.attachments import remove_orphan_files
from app.services.events import record_event
from app.services.followups import due_alerts
from app.services.idempotency import purge_expired_keys
from app.services.lead_sync import purge_tombstones
from app.services.notifications import notify
from app.services.privacy.audit import purge_batch
from app.services.reminders import claim, due_ids
from app.services.viewer import user_sees_lead
from jobs.appointments import due_lead_reminders
from jobs.calendar_sync import sync_due_accounts
from jobs.notifications import dispatch
from jobs.privacy_requests import notify_overdue_requests
from jobs.purge import purge_files
from jobs.reports import send_weekly_reports
from jobs.retention import run_retention
from models import Reminder

TICK_JOB_ID = "crm-tick"
AUDIT_PURGE_BATCH = 10_000


def schedule_reminder(reminder):
    queue = get_queue()
    if queue is not None:
        queue.enqueue_at(reminder.due_at.replace(tzinfo=dt.timezone.utc), fire_reminder,
                         reminder.id, job_id=f"reminder-{reminder.id}")


def fire_reminder(reminder_id, now=None):
    if not claim(db.session, reminder_id, now):
        db.session.rollback()
        return None
    reminder = db.session.get(Reminder, reminder_id)
    lead = reminder.lead
    if not user_sees_lead(db.session, reminder.user_id, lead.id):
        db.session.commit()  # claimed, silent: the lead went to another rep
        return None
    item = notify(db.session, reminder.user_id, "reminder",
                  lambda: _("Rappel : %(what)s (%(lead)s)", what=reminder.what, lead=lead.full_name),
                  url=f"/leads/show/{lead.id}", lead_id=lead.id)
    db.session.commit()
    dispatch([item])
    return item


def tick(now=None):
    """One pass of scheduled work; returns what it did (for the CLI and tests)."""
    reminders = [fire_reminder(rid, now) for rid in due_ids(db.session, now)]
    notifications = []
    for rule, lead, user_id, level in due_alerts(
            db.session, now, current_app.config["CRM_FOLLOWUP_LOOKBACK_HOURS"]):
        hours = rule.after_hours if level == "rep" else rule.escalate_after_hours
        record_event(db.session, lead.id, "followup",
                     _("%(rule)s : sans activité depuis %(hours)d h", rule=rule.name, hours=hours))
        notifications.append(notify(
            db.session, user_id, "followup",
            lambda: _("Relance « %(rule)s » : %(lead)s sans activité depuis %(hours)d h",
                      rule=rule.name, lead=lead.full_name, hours=hours),
            url=f"/leads/show/{lead.id}", lead_id=lead.id))
    db.session.commit()
    dispatch(notifications)
    removed = remove_orphan_files(db.session, current_app.config["CRM_ATTACHMENT_DIR"])
    return {"reminders": sum(1 for r in reminders if r is not None),
            "followups": len(notifications), "lead_reminders": due_lead_reminders(now),
            "calendar_changes": sync_due_accounts(now), "weekly_reports": send_weekly_reports(now),
            "orphan_files": removed, "expired_api_records": purge_api_records(now),
            "purged_files": purge_files(now),
            "overdue_privacy_requests": notify_overdue_requests(now),
            # On the real clock: `now` moves due times in tests, not years of retention.
            "retention": run_retention(),
            "audit_entries_purged": purge_audit_log(now)}


def purge_api_records(now=None):
    """Idempotency keys past their 24 hours, tombstones past CRM_TOMBSTONE_DAYS."""
    count = purge_expired_keys(db.session, now) + purge_tombstones(
        db.session, current_app.config["CRM_TOMBSTONE_DAYS"], now)
    db.session.commit()
    return count


def purge_audit_log(now=None):
    """Audit entries older than CRM_AUDIT_MONTHS, in batches each committed (a first purge of
    millions of rows never holds one long transaction)."""
    months, purged = current_app.config["CRM_AUDIT_MONTHS"], 0
    while True:
        count = purge_batch(db.session, months, now, AUDIT_PURGE_BATCH)
        db.session.commit()
        purged += count
        if count < AUDIT_PURGE_BATCH:
            return purged


def periodic_tick():
    """The worker's minute tick: runs, then schedules the next one (one job id, never two)."""
    try:
        return tick()
    finally:
        schedule_tick(60)


def schedule_tick(seconds=0):
    queue = get_queue()
    if queue is not None:
        queue.enqueue_in(dt.timedelta(seconds=seconds), periodic_tick, job_id=TICK_JOB_ID)
