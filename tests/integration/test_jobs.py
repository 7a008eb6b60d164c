"""Jobs: the assignment e-mail, inline without Redis and through a real rq worker on Redis,
received by a real SMTP listener."""
import email
import email.policy

from rq import Queue
from rq.registry import FailedJobRegistry

from app.extensions import db
from jobs.worker import run_worker
from tests.conftest import empty_database, make_app
from tests.integration.conftest import free_port
from tests.factories import make_lead


def mail_app(database_url, smtp, **extra):
    return make_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                    MAIL_SUPPRESS_SEND=False, MAIL_DEFAULT_SENDER="crm@example.com", **extra)


def assign_through_bulk(app, accounts_factory):
    client = app.test_client()
    accounts = accounts_factory(app)
    accounts.create("boss", "Responsable")
    rep = accounts.create("rep", "Commercial", first_name="Claire", email="claire@example.com")
    lead = make_lead(last_name="Dupont", first_name="Marie")
    accounts.login(client, "boss")
    client.post("/leads/bulk", data={"rowid": [str(lead.id)], "operation": "assign",
                                     "owner": str(rep.id)})
    return lead, rep


def test_assignment_mail_is_sent_inline_without_redis(database_url, smtp):
    from tests.conftest import Accounts

    app = mail_app(database_url, smtp)
    with app.app_context():
        empty_database()
        lead, rep = assign_through_bulk(app, Accounts)
        lead_id = lead.id
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["claire@example.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Nouveau prospect attribué : Marie Dupont"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bonjour Claire" in text and f"/leads/show/{lead_id}" in text
    assert f'href="http://127.0.0.1:5000/leads/show/{lead_id}"' in html


def test_assignment_mail_goes_through_a_real_worker(database_url, smtp, redis_url, queue_name):
    from tests.conftest import Accounts

    app = mail_app(database_url, smtp, REDIS_URL=redis_url, RQ_QUEUE_NAME=queue_name)
    with app.app_context():
        empty_database()
        from app.extensions import get_redis

        queue = Queue(queue_name, connection=get_redis())
        lead, rep = assign_through_bulk(app, Accounts)
        assert smtp.messages == []  # queued, not sent by the request
        assert queue.count == 1
        run_worker(burst=True, with_scheduler=False)
        assert queue.count == 0
        assert len(FailedJobRegistry(queue=queue)) == 0
    assert [m.rcpt_tos for m in smtp.messages] == [["claire@example.com"]]


def test_a_failing_job_lands_in_the_failed_registry(database_url, redis_url, queue_name):
    from tests.conftest import Accounts

    app = make_app(database_url, REDIS_URL=redis_url, RQ_QUEUE_NAME=queue_name,
                   MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        empty_database()
        from app.extensions import get_redis

        queue = Queue(queue_name, connection=get_redis())
        assign_through_bulk(app, Accounts)
        run_worker(burst=True, with_scheduler=False)
        assert len(FailedJobRegistry(queue=queue)) == 1


def test_no_mail_when_a_rep_takes_a_lead_for_themselves(client, accounts, smtp, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    accounts.create("rep", "Commercial")
    accounts.login(client, "rep")
    client.post("/leads/add", data={"last_name": "Moi", "status": "new"})
    assert smtp.messages == []
    assert db.session.query(__import__("models").Lead).one().owner.username == "rep"


def test_an_import_runs_through_a_real_worker(database_url, redis_url, queue_name, tmp_path):
    import io

    from models import ImportBatch, Lead
    from tests.conftest import Accounts
    from tests.data.make_samples import sample

    app = make_app(database_url, REDIS_URL=redis_url, RQ_QUEUE_NAME=queue_name,
                   CRM_IMPORT_DIR=str(tmp_path / "imports"))
    with app.app_context():
        empty_database()
        from app.extensions import get_redis

        accounts = Accounts(app)
        accounts.create("manon", "Responsable")
        client = app.test_client()
        accounts.login(client, "manon")
        with open(sample("leads_excel_fr.csv"), "rb") as handle:
            client.post("/imports/", data={"file": (io.BytesIO(handle.read()), "leads.csv")},
                        content_type="multipart/form-data")
        batch = db.session.query(ImportBatch).one()
        client.post(f"/imports/{batch.id}/settings", data={
            "action": "run", "col-0": "last_name", "col-1": "first_name", "col-2": "email",
            "col-3": "phone", "col-5": "status", "col-7": "created_at"})
        assert client.get(f"/imports/{batch.id}/progress").get_json()["status"] == "pending"
        queue = Queue(queue_name, connection=get_redis())
        assert queue.job_ids == [f"import-{batch.id}"]
        run_worker(burst=True, with_scheduler=False)
        progress = client.get(f"/imports/{batch.id}/progress").get_json()
        assert (progress["status"], progress["created"], progress["warned"],
                progress["rejected"]) == ("done", 4, 3, 0)
        assert db.session.query(Lead).count() == 7
