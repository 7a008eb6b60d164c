"""The permission canary (issue #12, point 3): rep A, who is not B's manager, visits every route
the app registers with the ids of rep B's objects, with a session and with a JWT, and sees no
canary; no response is a 5xx. Rep A and Marketing write to every route that takes writes, and
B's leads and everything hanging off them stay as they were. Every failure of a run is listed
at once. TestConfig turns CSRF off, so writes reach the permission and row checks themselves."""
import prison
import pytest
from flask import g

from app.extensions import db
from models import Lead
from tests.integration.canary_support import (
    MARKETING_WRITES,
    PLANTED,
    SKIP_ALWAYS,
    SKIP_WRITES,
    WRITE_METHODS,
    api_payload,
    canaries_in,
    concrete_urls,
    differences,
    plant,
    screen_query,
    snapshot,
    targets,
    views_by_endpoint,
    write_payloads,
)
from tests.integration.conftest import use_smtp


class Visitor:
    """One user's requests, with a session or a bearer token, and what went wrong."""

    def __init__(self, client, headers, planted, label, may_see=False):
        self.client, self.headers, self.planted, self.label = client, headers, planted, label
        self.may_see = may_see  # B and B's manager: the canaries they see are only noted
        self.failures, self.seen = [], set()

    def open(self, method, url, check_canary=True, **kwargs):
        try:
            response = self.client.open(url, method=method, headers=self.headers, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a crash is a 500 the test must report
            self.fail(f"{method} {url}: 500 ({type(exc).__name__}: {exc})")
            return None
        if response.status_code >= 500:
            self.fail(f"{method} {url}: {response.status_code}")
        found = canaries_in(response, self.planted)
        self.seen |= {name.rsplit(" (", 1)[0] for name in found}
        if found and check_canary and not self.may_see:
            self.fail(f"{method} {url}: {response.status_code} shows " + ", ".join(found))
        return response

    def fail(self, message):
        """Each failure once, however many payloads met it."""
        line = f"{self.label} {message}"
        if line not in self.failures:
            self.failures.append(line)

    def report(self):
        return "\n".join([f"{len(self.failures)} failures:"] + self.failures)


def _visitor(app, client, accounts, planted, username, auth, may_see=False):
    if auth == "session":
        accounts.login(client, username)
        return Visitor(client, {}, planted, f"[{username} session]", may_see)
    bare = app.test_client()
    return Visitor(bare, accounts.token(bare, username), planted, f"[{username} jwt]", may_see)


def _openapi(app, accounts):
    admin = accounts.create("canary_admin", "Admin")
    bare = app.test_client()
    response = bare.get("/api/v1/_openapi", headers=accounts.token(bare, admin.username))
    assert response.status_code == 200
    return response.get_json()


def _forget_previous_token():
    """The tests' app context outlives each request: a JWT identity read by an earlier API call
    would otherwise authenticate a later screen request that carries no valid token."""
    for name in ("_jwt_extended_jwt_user", "_jwt_extended_jwt", "_jwt_extended_jwt_header"):
        g.pop(name, None)


@pytest.fixture
def canary(app, client, accounts, tmp_path, smtp):
    app.before_request_funcs[None].insert(0, _forget_previous_token)
    use_smtp(app, smtp)  # the mails the planting sends (assignment, booking) go somewhere
    # Six users log in a dozen times: a cheap hash keeps the test fast (not what is tested).
    app.config["FAB_PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    planted = plant(app, client, accounts, tmp_path)
    return planted, targets(app, _openapi(app, accounts)), views_by_endpoint(app)


def _related_info_queries(info):
    """Rison for _info asking the values of each related column, whole and searched."""
    related = {f["name"] for key in ("add_columns", "edit_columns")
               for f in info.get(key, []) if "values" in f}
    for name in sorted(related):
        for search in ({}, {"filter": "qzcun"}):
            page = {**search, "page": 0, "page_size": 100}
            yield prison.dumps({"add_columns": {name: page}, "edit_columns": {name: page}})


def _list_queries(info, planted):
    """A list endpoint, a page of 100, then filtered on each column it may be filtered on."""
    yield prison.dumps({"page_size": 100})
    lead = planted.lead_ids[0]
    for column, operators in sorted(info.get("filters", {}).items()):
        names = [o["operator"] for o in operators]
        for opr in ("rel_o_m", "ct", "sw", "eq"):
            if opr in names:
                value = lead if opr.startswith("rel") or opr == "eq" else "qzcun"
                yield prison.dumps({"filters": [{"col": column, "opr": opr, "value": value}],
                                    "page_size": 100})
                break


def _visit_api_extras(visitor, target):
    """`_info` with related values and the list endpoint beside it, with filters."""
    info_url = target.rule
    response = visitor.open("GET", info_url)
    info = response.get_json(silent=True) if response is not None else None
    if not isinstance(info, dict):
        return
    for query in _related_info_queries(info):
        visitor.open("GET", info_url, query_string={"q": query})
    list_url = info_url[: -len("_info")]
    for query in _list_queries(info, visitor.planted):
        visitor.open("GET", list_url, query_string={"q": query})


def _check_unchanged(visitor, before, what):
    """B's rows as `before`, or a failure naming what changed them; returns the rows now."""
    after = snapshot(visitor.planted)
    if after != before:
        visitor.fail(f"{what} changed B's rows: " + "; ".join(differences(before, after)))
    return after


def _read_everything(visitor, routes, views, thorough=True, wanted=()):
    """GET (and HEAD, and with B's query arguments) every route with B's ids; a light pass
    (`thorough` off) stops once it has seen every canary `wanted`."""
    planted = visitor.planted
    state = snapshot(planted)
    query = screen_query(planted)
    for target in routes:
        if "GET" not in target.methods or target.endpoint in SKIP_ALWAYS:
            continue
        if wanted and visitor.seen >= wanted:
            return
        view = views.get(target.endpoint.split(".")[0])
        for url in concrete_urls(target, view, planted):
            response = visitor.open("GET", url)
            if not thorough:
                continue
            visitor.open("HEAD", url)
            shown = response is not None and response.status_code == 200
            if url.startswith("/api/"):
                visitor.open("GET", url, query_string={"q": prison.dumps({"page_size": 100})})
            elif shown or not target.arguments:  # lists, A's own sheet: what filters show
                visitor.open("GET", f"{url}?{query}")
        if thorough and target.endpoint.endswith(".info"):
            _visit_api_extras(visitor, target)
        if not visitor.may_see:
            state = _check_unchanged(visitor, state, f"GET {target.rule}")


def test_every_canary_shows_to_its_owner_or_their_manager(app, client, accounts, canary):
    """The control: each canary is where B or B's manager can read it, so that the scan would
    see it if it leaked (a canary nobody can see proves nothing)."""
    planted, routes, views = canary
    missing = set(PLANTED)
    for username in ("canary_bernard", "canary_chef"):
        if missing:
            visitor = _visitor(app, client, accounts, planted, username, "session", may_see=True)
            _read_everything(visitor, routes, views, thorough=False, wanted=missing)
            missing -= visitor.seen
    assert not missing, f"never shown to B or B's manager: {sorted(missing)}"


@pytest.mark.parametrize("auth", ["session", "jwt"])
def test_rep_a_reads_nothing_of_rep_b(app, client, accounts, canary, auth):
    planted, routes, views = canary
    visitor = _visitor(app, client, accounts, planted, "canary_alice", auth)
    _read_everything(visitor, routes, views)
    if visitor.failures:
        pytest.fail(visitor.report(), pytrace=False)


@pytest.mark.parametrize("username, auth", [
    ("canary_alice", "session"), ("canary_alice", "jwt"),
    ("canary_marie", "session"), ("canary_marie", "jwt")])
def test_writes_leave_rep_b_untouched(app, client, accounts, canary, username, auth):
    """A rep writes nothing to another rep's lead; Marketing reads every lead but changes none
    (what Marketing may write, sources and campaigns, is left out)."""
    planted, routes, views = canary
    visitor = _visitor(app, client, accounts, planted, username, auth)
    marketing = username == "canary_marie"
    state = snapshot(planted)
    for target in routes:
        methods = sorted(target.methods & set(WRITE_METHODS))
        if not methods or target.endpoint in SKIP_ALWAYS or target.endpoint in SKIP_WRITES:
            continue
        view = views.get(target.endpoint.split(".")[0])
        if marketing and getattr(view, "class_permission_name", None) in MARKETING_WRITES:
            continue
        for url in concrete_urls(target, view, planted):
            for method in methods:
                # Marketing may read B's lead: only what it changes counts.
                _write(visitor, method, url, view, check_canary=not marketing)
        state = _check_unchanged(visitor, state, f"{'/'.join(methods)} {target.rule}")
    if visitor.failures:
        pytest.fail(visitor.report(), pytrace=False)


def _write(visitor, method, url, view, check_canary):
    """Each payload in turn until one is not refused as invalid."""
    for bodies in _encodings(visitor.planted, url, view, method):
        statuses = {getattr(visitor.open(method, url, check_canary=check_canary, **body),
                            "status_code", 500) for body in bodies}
        if not statuses & {400, 422}:
            break  # taken, or refused for who asks: other payloads add nothing


def _encodings(planted, url, view, method):
    """Each payload in turn: as JSON for the API; as a form and as JSON for the screens."""
    for payload in write_payloads(planted):
        if url.startswith("/api/"):
            yield [{"json": api_payload(payload, view, method)}]
        else:
            yield [{"data": payload}, {"json": payload}]


@pytest.fixture
def later_route(app):
    """A route someone adds later and forgets to scope: the lead of any id, to anyone."""
    def careless_lead(lead_id):
        lead = db.session.get(Lead, lead_id)
        return lead.full_name if lead else ("", 404)

    app.add_url_rule("/plus-tard/<int:lead_id>", "careless_lead", careless_lead)
    return "/plus-tard/"


def test_a_route_added_later_is_visited_without_listing_it(app, client, accounts, later_route,
                                                           canary):
    planted, routes, views = canary
    visitor = _visitor(app, client, accounts, planted, "canary_alice", "session")
    _read_everything(visitor, [t for t in routes if t.rule.startswith(later_route)], views)
    assert any(later_route in failure and "qzcunnom" in failure for failure in visitor.failures)
