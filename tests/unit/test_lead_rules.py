import pytest

from app.extensions import db
from app.services.errors import DomainError
from app.services.leads import assign, normalise_lead, set_status
from models import Lead
from tests.factories import make_lead


def test_converted_at_follows_the_status(app):
    lead = make_lead()
    assert lead.converted_at is None
    set_status(db.session, [lead], "converted")
    assert lead.converted_at is not None
    set_status(db.session, [lead], "in_progress")
    assert lead.converted_at is None


def test_abandoned_needs_a_reason(app):
    lead = make_lead()
    with pytest.raises(DomainError) as err:
        set_status(db.session, [lead], "abandoned", "  ")
    assert err.value.field == "abandon_reason"
    set_status(db.session, [lead], "abandoned", "Budget")
    assert lead.abandon_reason == "Budget"


def test_unknown_status_is_refused(app):
    with pytest.raises(DomainError) as err:
        normalise_lead(db.session, Lead(last_name="X", status="gagné"))
    assert "Statut inconnu" in err.value.message


def test_duplicate_email_or_phone_names_the_existing_lead(app):
    first = make_lead(email="dup@example.com", phone="0611111111")
    with pytest.raises(DomainError) as err:
        normalise_lead(db.session, Lead(last_name="Autre", email="DUP@example.com "))
    assert err.value.existing_id == first.id and err.value.field == "email"
    with pytest.raises(DomainError) as err:
        normalise_lead(db.session, Lead(last_name="Autre", phone="+33 6 11 11 11 11"))
    assert err.value.existing_id == first.id and err.value.field == "phone"


def test_a_flagged_duplicate_may_share_the_email(app):
    make_lead(email="dup@example.com")
    lead = Lead(last_name="Autre", email="dup@example.com", possible_duplicate=True)
    normalise_lead(db.session, lead)
    db.session.add(lead)
    db.session.commit()
    assert db.session.query(Lead).filter_by(email="dup@example.com").count() == 2


def test_the_database_refuses_two_live_leads_with_one_email(app):
    make_lead(email="race@example.com")
    db.session.add(Lead(last_name="Course", name_key="course", email="race@example.com"))
    with pytest.raises(Exception):
        db.session.commit()
    db.session.rollback()


def test_assign_reports_only_real_changes_and_records_them(app, accounts):
    from models import LeadAssignment

    rep = accounts.create("rep", "Commercial")
    mine, other = make_lead(owner=rep), make_lead()
    assert assign(db.session, [mine, other], rep) == [other.id]
    db.session.commit()
    history = db.session.query(LeadAssignment).one()
    assert (history.lead_id, history.user_id, history.previous_user_id) == (other.id, rep.id, None)


def test_consent_is_dated_when_given_and_the_date_kept_when_withdrawn(app):
    import datetime as dt

    assert make_lead(consent_contact=True).consent_at is not None
    given_at = dt.datetime(2025, 5, 2, 9, 30)
    lead = make_lead(consent_contact=True, consent_at=given_at)
    lead.consent_contact = False
    normalise_lead(db.session, lead)
    db.session.commit()
    assert lead.consent_at == given_at  # when it had been given: not destroyed silently
    lead.consent_contact = True
    normalise_lead(db.session, lead)
    assert lead.consent_at not in (None, given_at)  # given again: dated again


def test_an_unrelated_save_never_invents_a_consent_date(app):
    lead = make_lead(consent_contact=True, consent_at=None)  # an import without a date
    assert lead.consent_at is None
    lead.note = "Rappeler en mai"
    normalise_lead(db.session, lead)
    db.session.commit()
    assert db.session.get(Lead, lead.id).consent_at is None


def test_a_stated_consent_date_is_kept(app):
    import datetime as dt

    lead = make_lead(consent_contact=True, consent_at=dt.datetime(2025, 5, 2, 9, 30))
    assert lead.consent_at == dt.datetime(2025, 5, 2, 9, 30)
