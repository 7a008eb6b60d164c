"""The rq worker: builds the app once and runs every job inside its app context."""
from rq import Worker

from app.extensions import db, get_queue, get_redis


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
    worker = AppWorker([queue], connection=get_redis())
    return worker.work(burst=burst, with_scheduler=with_scheduler)
