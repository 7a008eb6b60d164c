"""What follows, once committed, the appointments a lead took to its new rep (noted at flush
by app/services/reassignment.py): each one's CalDAV copy moves, and both reps are told (but
not the person who made the change). The lead hears nothing: their appointment's time is
the same."""
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.services.reassignment import MOVED
from jobs.calendar_sync import move_calendar_copy
from jobs.notifications import notify_appointment_moved
from jobs.queue import enqueue_after_commit


@event.listens_for(Session, "after_commit")
def _moved_appointments(session):
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on
        return
    for move in session.info.pop(MOVED, ()):
        enqueue_after_commit(move_calendar_copy, move.appointment_id, move.former_owner_id,
                             move.former_caldav_href)
        for user_id in (move.former_owner_id, move.owner_id):
            if user_id is not None and user_id != move.actor_id:
                enqueue_after_commit(notify_appointment_moved, move.appointment_id,
                                     move.owner_id, user_id)


@event.listens_for(Session, "after_transaction_end")
def _rolled_back(session, transaction):
    if transaction.parent is None:  # after a commit, the moves are gone already
        session.info.pop(MOVED, None)
