"""The rq worker: builds the app once and runs every job inside its app context."""
import logging

from rq import Worker

from app.extensions import db, get_queue, get_redis
from jobs.followup import schedule_tick

log = logging.getLogger(__name__)


class AppWorker(Worker):
    """Forks per job like rq's Worker; the child drops pooled connections it inherited."""

    def main_work_horse(self, job, queue):
        db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def run_worker(burst=False, with_scheduler=True):
    """Call inside an app context (`flask crm worker`)."""
    queue = get_queue()
    if queue is None:
        raise RuntimeError("REDIS_URL is not set: jobs run inline, no worker is needed.")
    policy = get_redis().config_get("maxmemory-policy").get("maxmemory-policy")
    if policy not in (None, "noeviction"):
        log.warning("Redis maxmemory-policy is %s: queued jobs may be evicted; use noeviction.",
                    policy)
    if with_scheduler:
        schedule_tick()  # reminders and follow-up rules, every minute (one job id)
    worker = AppWorker([queue], connection=get_redis())
    return worker.work(burst=burst, with_scheduler=with_scheduler)
