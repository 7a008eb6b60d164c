"""Enqueue on the project's rq queue when Redis is configured, otherwise run inline."""
import logging

from flask import current_app

from app.extensions import get_queue

log = logging.getLogger(__name__)


def enqueue(func, *args, job_id=None, **job_kwargs):
    """Run `func(*args)` as a job; ids only in args. Returns the rq job, or None when inline.

    Inline, a failing job is logged and the request goes on, as it would with a worker: what
    the request committed stands, and jobs record their own failures (import batch, intake
    journal) where people can see them."""
    queue = get_queue()
    if queue is None:
        try:
            func(*args)
        except Exception:  # noqa: BLE001 - see above; rq would keep it in its failed registry
            log.exception("Job %s failed (run inline)", getattr(func, "__name__", func))
        return None
    return queue.enqueue(func, *args, job_id=job_id, **job_kwargs)


def enqueue_after_commit(func, *args):
    """`enqueue` from a session's after_commit listener. Inline, the job gets an app context,
    hence a database session, of its own: the committing session emits no SQL until its
    commit returns."""
    if get_queue() is not None:
        return enqueue(func, *args)
    with current_app.app_context():
        return enqueue(func, *args)
