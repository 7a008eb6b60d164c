"""One lead, one transaction: a save's normalisation, owner rule, assignment and its record are
committed together, and the rep is told only once that commit succeeded."""
import pytest
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from models import AssignmentRule, Lead, LeadAssignment, Notification
from tests.factories import make_lead, make_source


@pytest.fixture
def assignment_commit_fails(app):
    """Any commit that would write an assignment record fails (a crash at that instant)."""
    def before_commit(session):
        if any(isinstance(item, LeadAssignment) for item in session.new) or session.info.pop(
                "assignment_flushed", False):
            raise SQLAlchemyError("assignment commit refused by the test")

    def after_flush(session, _context):
        if any(isinstance(item, LeadAssignment) for item in session.new):
            session.info["assignment_flushed"] = True

    def after_rollback(session):
        session.info.pop("assignment_flushed", None)

    listeners = {"before_commit": before_commit, "after_flush": after_flush,
                 "after_soft_rollback": lambda session, _previous: after_rollback(session)}
    for name, listener in listeners.items():
        event.listen(db.session, name, listener)
    yield
    for name, listener in listeners.items():
        event.remove(db.session, name, listener)


@pytest.fixture
def salon(accounts):
    """A manager, a rep, and a source whose rule gives its leads to the rep."""
    accounts.create("manon", "Responsable")
    rep = accounts.create("rep", "Commercial")
    source = make_source("Salon")
    db.session.add(AssignmentRule(name="Salon", mode="fixed", source=source, owner=rep))
    db.session.commit()
    return source, rep


def nothing_written():
    db.session.rollback()
    return (db.session.query(Lead).count(), db.session.query(LeadAssignment).count(),
            db.session.query(Notification).count()) == (0, 0, 0)


def test_a_form_lead_is_assigned_in_its_own_commit(client, accounts, salon):
    source, rep = salon
    accounts.login(client, "manon")
    client.post("/leads/add", data={"last_name": "Auto", "status": "new", "source": str(source.id)})
    lead = db.session.query(Lead).one()
    assert lead.owner_id == rep.id and db.session.query(LeadAssignment).count() == 1
    assert db.session.query(Notification).filter_by(user_id=rep.id).count() == 1


def test_a_failed_commit_leaves_no_form_lead_and_tells_nobody(client, accounts, salon,
                                                               assignment_commit_fails):
    source, _rep = salon
    accounts.login(client, "manon")
    response = client.post("/leads/add", data={"last_name": "Auto", "status": "new",
                                                "source": str(source.id)})
    assert response.status_code < 500
    assert nothing_written()


def test_a_failed_commit_leaves_no_api_lead_and_tells_nobody(client, accounts, salon,
                                                              assignment_commit_fails):
    source, _rep = salon
    headers = accounts.token(client, "manon")
    response = client.post("/api/v1/lead/", headers=headers,
                           json={"last_name": "Auto", "status": "new", "source": source.id})
    assert response.status_code == 422
    assert nothing_written()


def test_a_failed_commit_leaves_a_reassignment_unwritten(client, accounts, salon,
                                                         assignment_commit_fails):
    _source, rep = salon
    other = accounts.create("other", "Commercial")
    lead = make_lead(owner=rep, email="x@exemple.fr", phone=None)
    accounts.login(client, "manon")
    client.post(f"/leads/edit/{lead.id}", data={"last_name": lead.last_name, "email": lead.email,
                                               "status": "new", "owner": str(other.id)})
    db.session.rollback()
    assert db.session.get(Lead, lead.id).owner_id == rep.id
    assert db.session.query(LeadAssignment).count() == 0
    assert db.session.query(Notification).count() == 0
