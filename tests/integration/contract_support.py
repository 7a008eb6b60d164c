"""The API against its own OpenAPI document, with schemathesis: the app served on a real port,
every operation called as each role with generated valid and invalid data, and the failures
of the contract's checks gathered (not stopped at the first) so that one run lists them all.
Used by tests/integration/test_openapi_contract.py and by bench/api_contract.py."""
import contextlib
import logging
import re
import threading
from dataclasses import dataclass, field

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               negative_data_rejection,
                                               positive_data_acceptance,
                                               response_schema_conformance,
                                               status_code_conformance)
from werkzeug.serving import make_server

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection, positive_data_acceptance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@contextlib.contextmanager
def served(app):
    """The app on 127.0.0.1 (a free port) in a thread; stopped and joined on exit."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per generated call
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Adapter(requests.adapters.BaseAdapter):
    """requests' HTTP adapter, hidden from schemathesis' count of open connections: that count
    reads urllib3's pool container, which urllib3-future (installed by caldav's niquests)
    replaces with one it cannot iterate."""

    def __init__(self):
        super().__init__()
        self._http = requests.adapters.HTTPAdapter()

    def send(self, *args, **kwargs):
        return self._http.send(*args, **kwargs)

    def close(self):
        self._http.close()


def http_session():
    session = requests.Session()
    for prefix in ("http://", "https://"):
        session.mount(prefix, _Adapter())
    return session


def bearer(base_url, username, password):
    response = requests.post(f"{base_url}/api/v1/security/login", timeout=30, json={
        "username": username, "password": password, "provider": "db"})
    response.raise_for_status()
    return {"Authorization": "Bearer " + response.json()["access_token"]}


@dataclass
class Findings:
    """Distinct failures, by operation and kind, with one example each."""

    failures: dict = field(default_factory=dict)
    calls: int = 0
    log: object = lambda line: None
    ignored: int = 0

    def add(self, role, mode, failure, case):
        if _known(failure, case):
            self.ignored += 1
            return
        key = (failure.operation, type(failure).__name__, failure.title,
               getattr(failure, "_unique_key", ""))
        self.failures.setdefault(key, f"[{role}/{mode.value}] {failure.operation}: "
                                      f"{failure.title}\n{failure.message}\n"
                                      f"  {case.as_curl_command()}")

    def report(self):
        return "\n\n".join(self.failures.values())


# Schema-valid requests that break a rule no JSON schema can state: each answers 422 with its
# French reason, which positive_data_acceptance would count as a refusal of valid data.
BUSINESS_RULES = {
    ("POST", "/api/v1/appointment/"): "the end after the start; a lead the user may see",
    ("PUT", "/api/v1/appointment/{pk}"): "the end after the start",
    ("POST", "/api/v1/lead/"): "an e-mail or a phone, a phone number that exists",
    ("PUT", "/api/v1/lead/{pk}"): "a phone number that exists, an allowed status change",
    ("POST", "/api/v1/interaction/"): "a lead the user may see",
    ("PUT", "/api/v1/interaction/{pk}"): "a lead the user may see",
    ("POST", "/api/v1/campaign/"): "the end date after the start date",
    ("PUT", "/api/v1/campaign/{pk}"): "the end date after the start date",
    ("POST", "/api/v1/sheet/{pk}/reminders"): "a due date in the future",
    ("POST", "/api/v1/sheet/{pk}/attachments"): "a file of an accepted type",
}
# A sync cursor is valid only when an earlier answer gave it: a forged one answers 400. And
# generated Idempotency-Keys repeat across bodies: a key reused for another body answers 422
# (as the IETF Idempotency-Key draft says), which is no refusal of valid data.
CURSOR_OPERATIONS = {("GET", "/api/v1/lead/changes"), ("GET", "/api/v1/lead/deleted")}


def _known(failure, case):
    if type(failure).__name__ != "RejectedPositiveData":
        return False
    operation, status = (case.method.upper(), case.operation.path), failure.status_code
    return ((status == 422 and operation in BUSINESS_RULES)
            or (status == 422 and "Idempotency-Key" in (case.headers or {}))  # key reused
            or (status == 400 and operation in CURSOR_OPERATIONS and "cursor" in (case.query or {})))


def load_schema(base_url, headers):
    return schemathesis.openapi.from_url(f"{base_url}/api/v1/_openapi", headers=headers,
                                         timeout=60)


def check_operations(schema, role, headers, max_examples, findings, operations=None):
    """Call every operation (or those whose label contains one of `operations`) with
    `max_examples` valid and as many invalid requests, recording each failure."""
    with http_session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            if operations and not any(o in operation.label for o in operations):
                continue
            findings.log(f"{role} {operation.label}")
            for mode in MODES:
                _run_operation(operation, mode, role, session, headers, max_examples, findings)


def _run_operation(operation, mode, role, session, headers, max_examples, findings):
    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        findings.calls += 1
        try:
            case.call_and_validate(session=session, headers=headers, checks=CHECKS, timeout=60)
        except FailureGroup as group:
            for failure in group.exceptions:
                findings.add(role, mode, failure, case)
        except Failure as failure:
            findings.add(role, mode, failure, case)

    try:
        run()
    except Unsatisfiable:
        pass  # nothing of this operation can be made invalid (no parameter, no body)


ROLES = {"root": "Admin", "claire": "Commercial"}


def seed(password):
    """The accounts the run logs in as, and a lead of the rep's with what hangs off it, so
    that lists and related ids have rows (inside an app context; commits)."""
    from flask import current_app

    from app.extensions import db
    from app.services.accounts import ensure_user
    from tests.factories import (make_appointment, make_campaign, make_interaction, make_lead,
                                 make_source)

    users = {name: ensure_user(current_app.appbuilder.sm, name, f"{name}@example.com",
                               name.capitalize(), "Test", role, password)[0]
             for name, role in ROLES.items()}
    source = make_source("Google Ads", "google_ads")
    lead = make_lead(owner=users["claire"], source=source, campaign=make_campaign("Printemps", source))
    make_interaction(lead, user=users["claire"])
    make_appointment(lead, owner=users["claire"])
    db.session.commit()




def check_sequences(schema, role, headers, sequences, steps, findings):
    """The stateful phase: chains of calls that reuse what earlier answers returned (an id
    created by a POST read, changed and deleted next), links inferred by schemathesis from the
    document; each answer checked like the single calls."""
    session = http_session()

    class Sequences(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"session": session, "headers": headers, "timeout": 60}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            findings.calls += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    findings.add(role, GenerationMode.POSITIVE, failure, case)
            except Failure as failure:
                findings.add(role, GenerationMode.POSITIVE, failure, case)

    with contextlib.closing(session):
        Sequences.run(settings=settings(
            max_examples=sequences, stateful_step_count=steps, deadline=None, derandomize=True,
            database=None, suppress_health_check=list(HealthCheck)))


def run_contract(base_url, password, max_examples, operations=None, log=None, roles=ROLES,
                 sequences=0, steps=5):
    """Every operation as each of `roles`, then `sequences` chains of up to `steps` calls
    (the stateful phase); the Findings."""
    findings = Findings(log=log or (lambda line: None))
    for username in roles:
        headers = bearer(base_url, username, password)
        schema = load_schema(base_url, headers)
        check_operations(schema, username, headers, max_examples, findings, operations)
        if sequences:
            findings.log(f"{username} sequences")
            check_sequences(schema, username, headers, sequences, steps, findings)
    return findings
