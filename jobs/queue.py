"""Enqueue on the project's rq queue when Redis is configured, otherwise run inline."""
import logging

from app.extensions import get_queue

log = logging.getLogger(__name__)


def enqueue(func, *args, job_id=None, **job_kwargs):
    """Run `func(*args)` as a job; ids only in args. Returns the rq job, or None when inline."""
    queue = get_queue()
    if queue is None:
        job_kwargs.pop("retry", None)  # inline: a failure shows at once, to be replayed
        func(*args)
        return None
    return queue.enqueue(func, *args, job_id=job_id, **job_kwargs)
