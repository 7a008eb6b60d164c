"""The API does what its OpenAPI document says: schemathesis calls every operation (the lead
sheet's included) on a real server, as an admin and as a Commercial, with valid and invalid
generated data, then in chains that reuse what earlier answers returned (the stateful
phase), and checks statuses, content types, bodies and the acceptance of valid data.
Bounded (a few derandomized examples per operation) so that it runs in every `make test`;
bench/api_contract.py runs more."""
import pytest

from app.extensions import db
from tests.conftest import PASSWORD, empty_database, make_app
from tests.integration.contract_support import ROLES, run_contract, seed, served

EXAMPLES = 3
SEQUENCES = 10  # stateful phase: chains of calls reusing the ids earlier answers gave


@pytest.fixture
def live_api(database_url):
    app = make_app(database_url)
    with app.app_context():
        empty_database()
        seed(PASSWORD)
        with served(app) as base_url:
            yield base_url
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("username", ROLES)
def test_every_operation_keeps_the_contract_of_the_document(live_api, username):
    findings = run_contract(live_api, PASSWORD, EXAMPLES, roles=[username], sequences=SEQUENCES)
    assert findings.calls > 100
    assert not findings.failures, findings.report()
