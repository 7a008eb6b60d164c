"""Lookups, sync by cursor, tombstones, Idempotency-Key and bounded counts on the API (an
integrator's view: JWT, rison filters, real database)."""
import base64
import datetime as dt
import io
import threading
from urllib.parse import quote

import prison
import pytest
from sqlalchemy import update

from app.extensions import db
from models import Appointment, IdempotencyKey, Interaction, Lead, LeadNote
from tests.factories import make_lead


@pytest.fixture
def team(accounts):
    return {"boss": accounts.create("boss", "Responsable"),
            "claire": accounts.create("claire", "Commercial"),
            "paul": accounts.create("paul", "Commercial")}


def lookup(client, headers, *filters, **args):
    query = {"filters": [{"col": c, "opr": o, "value": v} for c, o, v in filters], **args}
    return client.get("/api/v1/lead/?q=" + quote(prison.dumps(query)), headers=headers)


def found_ids(response):
    assert response.status_code == 200, response.get_json()
    return [row["id"] for row in response.get_json()["result"]]


# --- lookups -----------------------------------------------------------------------------------

def test_e_mail_and_phone_are_looked_up_as_the_form_stores_them(client, accounts, team):
    lead = make_lead(owner=team["claire"], email="jean.dupont@exemple.fr", phone="0610203040")
    make_lead(owner=team["claire"])
    headers = accounts.token(client, "boss")
    assert found_ids(lookup(client, headers, ("email", "eq", "Jean.Dupont@Exemple.FR"))) \
        == [lead.id]
    assert found_ids(lookup(client, headers, ("phone", "eq", "06 10 20 30 40"))) == [lead.id]
    assert found_ids(lookup(client, headers, ("phone", "eq", "+33 6 10 20 30 40"))) == [lead.id]
    assert found_ids(lookup(client, headers, (
        "email", "in", ["inconnu@exemple.fr", " JEAN.DUPONT@exemple.fr "]))) == [lead.id]
    assert found_ids(lookup(client, headers, ("email", "eq", "personne@exemple.fr"))) == []


def test_platform_ids_find_their_lead(client, accounts, team):
    lead = make_lead(gclid="Cj0KCQ-abc", fbclid="IwAR-xyz", external_id="1234567890")
    make_lead(gclid="autre")
    headers = accounts.token(client, "boss")
    for column, value in (("gclid", "Cj0KCQ-abc"), ("fbclid", "IwAR-xyz"),
                          ("external_id", "1234567890")):
        assert found_ids(lookup(client, headers, (column, "eq", value))) == [lead.id], column
    shown = client.get(f"/api/v1/lead/{lead.id}", headers=headers).get_json()["result"]
    assert shown["external_id"] == "1234567890"


def test_bad_lookup_values_and_scanning_operators_answer_400(client, accounts, team):
    headers = accounts.token(client, "boss")
    for spec, message in ((("email", "eq", "pas-une-adresse"), "Adresse e-mail invalide"),
                          (("phone", "eq", "12"), "Numéro de téléphone invalide"),
                          (("email", "ct", "dupont"), "Opérateur de filtre inconnu"),
                          (("gclid", "eq", 42), "Valeur de recherche invalide"),
                          (("email", "in", "a@exemple.fr"), "Filtre invalide"),
                          (("email", "eq", ["a@exemple.fr"]), "Filtre invalide"),
                          (("updated_at", "gt", "hier"), "Date et heure invalides")):
        response = lookup(client, headers, spec)
        assert response.status_code == 400, spec
        assert message in response.get_json()["message"], spec


def test_a_rep_finds_only_their_own_leads_and_learns_nothing_of_others(client, accounts, team):
    mine = make_lead(owner=team["claire"], email="a@exemple.fr")
    make_lead(owner=team["paul"], email="b@exemple.fr", gclid="g-paul")
    headers = accounts.token(client, "claire")
    assert found_ids(lookup(client, headers, ("email", "eq", "A@exemple.fr"))) == [mine.id]
    # Another rep's lead: an empty list, as for an e-mail nobody has (not a 403).
    for spec in (("email", "eq", "b@exemple.fr"), ("gclid", "eq", "g-paul")):
        response = lookup(client, headers, spec)
        assert found_ids(response) == [] and response.get_json()["count"] == 0


def test_updated_at_filters_take_an_rfc3339_time(client, accounts, team):
    old, new = make_lead(), make_lead()
    stamp(old, dt.datetime(2026, 11, 30, 8, 0))
    stamp(new, dt.datetime(2026, 12, 1, 8, 0))
    headers = accounts.token(client, "boss")
    after = lookup(client, headers, ("updated_at", "gt", "2026-12-01T07:30:00Z"))
    assert found_ids(after) == [new.id]
    # 09:30 in Paris (+01:00 in December) is 08:30 UTC: after both.
    assert found_ids(lookup(client, headers, ("updated_at", "gt", "2026-12-01T09:30:00+01:00"))) \
        == []
    # Without an offset: Paris wall time, 08:30 UTC again.
    assert found_ids(lookup(client, headers, ("updated_at", "lt", "2026-12-01T09:30:00"))) \
        == [new.id, old.id]
    assert found_ids(lookup(client, headers, ("updated_at", "lt", "2026-12-01T08:30:00"))) \
        == [old.id]


# --- sync by cursor ----------------------------------------------------------------------------

def stamp(lead, at):
    """Give a lead a chosen updated_at (an explicit value beats the column's onupdate)."""
    db.session.execute(update(Lead).where(Lead.id == lead.id).values(updated_at=at))
    db.session.commit()


def pull(client, headers, endpoint, cursor=None, page_size=2):
    """Every page from `cursor` on; returns the rows and the last cursor."""
    rows = []
    while True:
        url = f"/api/v1/lead/{endpoint}?page_size={page_size}"
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        rows += body["result"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return rows, cursor


def test_the_cursor_skips_no_change_when_several_share_a_timestamp(client, accounts, team):
    leads = [make_lead() for _ in range(5)]
    same = dt.datetime(2026, 12, 1, 8, 0, 0, 123456)
    for lead in leads[:4]:  # four rows on one instant: page boundaries fall inside them
        stamp(lead, same)
    stamp(leads[4], same - dt.timedelta(seconds=1))
    headers = accounts.token(client, "boss")
    rows, cursor = pull(client, headers, "changes")
    assert [r["id"] for r in rows] == [leads[4].id] + [lead.id for lead in leads[:4]]
    # Nothing new: the same cursor comes back, and no row again.
    again, same_cursor = pull(client, headers, "changes", cursor)
    assert again == [] and same_cursor == cursor
    # A change through the API is the next thing pulled, alone.
    response = client.put(f"/api/v1/lead/{leads[1].id}", headers=headers,
                          json={"company": "Nouvelle SA"})
    assert response.status_code == 200, response.get_json()
    rows, _cursor = pull(client, headers, "changes", cursor)
    assert [(r["id"], r["company"]) for r in rows] == [(leads[1].id, "Nouvelle SA")]


def test_a_since_time_starts_the_sync_and_bad_cursors_answer_400(client, accounts, team):
    old, new = make_lead(), make_lead()
    stamp(old, dt.datetime(2026, 11, 30, 8, 0))
    stamp(new, dt.datetime(2026, 12, 1, 8, 0))
    headers = accounts.token(client, "boss")
    body = client.get("/api/v1/lead/changes?since=2026-12-01T09:00:00%2B01:00",
                      headers=headers).get_json()
    assert [r["id"] for r in body["result"]] == [new.id]
    forged = base64.urlsafe_b64encode(b"2026-12-01T08:00:00|99999999999999999999").decode()
    for query in ("cursor=n0p3", f"cursor={forged}", "since=demain", "page_size=0",
                  "page_size=101", "page_size=%C2%B2", "since=0001-01-01T00:00:00%2B01:00"):
        response = client.get(f"/api/v1/lead/changes?{query}", headers=headers)
        assert response.status_code == 400, query
        assert response.get_json()["message"], query


def test_rows_still_settling_are_held_back(app, client, accounts, team):
    make_lead()
    app.config["CRM_SYNC_SETTLE_SECONDS"] = 3600
    headers = accounts.token(client, "boss")
    body = client.get("/api/v1/lead/changes", headers=headers).get_json()
    assert body["result"] == [] and body["next_cursor"] is None


def test_the_sync_follows_the_row_level_rule(client, accounts, team):
    mine = make_lead(owner=team["claire"])
    make_lead(owner=team["paul"])
    rows, _cursor = pull(client, accounts.token(client, "claire"), "changes")
    assert [r["id"] for r in rows] == [mine.id]


def test_every_write_moves_updated_at(client, accounts, team):
    """Bulk status and assignment, and an import's update, go through paths of their own."""
    lead = make_lead(owner=team["claire"], email="maj@exemple.fr")
    old = dt.datetime(2020, 1, 1)
    accounts.login(client, "boss")
    for form in ({"operation": "status", "status": "in_progress"},
                 {"operation": "assign", "owner": str(team["paul"].id)}):
        stamp(lead, old)
        response = client.post("/leads/bulk", data={"rowid": [str(lead.id)], **form})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(Lead, lead.id).updated_at > old, form


def test_an_import_update_moves_updated_at(app, runner, tmp_path):
    import json

    import csv

    lead = make_lead(last_name="Durand", email="jean.durand@exemple.fr")
    old = dt.datetime(2020, 1, 1)
    stamp(lead, old)
    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    path = tmp_path / "maj.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([["Nom", "E-mail", "Société"],
                                      ["Durand", "jean.durand@exemple.fr", "Durand SA"]])
    result = runner.invoke(args=["crm", "import", str(path), "--json", "--policy", "update"])
    assert json.loads(result.output.strip().splitlines()[-1])["updated"] == 1
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).updated_at > old


# --- tombstones --------------------------------------------------------------------------------

def test_deletions_are_pulled_as_tombstones_by_whoever_saw_the_lead(client, accounts, team):
    claire_lead = make_lead(owner=team["claire"], external_id="meta-1", gclid="g-1")
    paul_lead = make_lead(owner=team["paul"])
    headers = accounts.token(client, "boss")
    _rows, cursor = pull(client, headers, "deleted")
    assert cursor is None
    assert client.delete(f"/api/v1/lead/{claire_lead.id}", headers=headers).status_code == 200
    accounts.login(client, "boss")
    response = client.post("/leads/bulk", data={"rowid": [str(paul_lead.id)],
                                                "operation": "delete"})
    assert response.status_code == 302
    client.get("/logout/")  # the session cookie would speak for the tokens below
    rows, cursor = pull(client, accounts.token(client, "boss"), "deleted", cursor, page_size=1)
    assert [(r["id"], r["external_id"], r["gclid"]) for r in rows] == [
        (claire_lead.id, "meta-1", "g-1"), (paul_lead.id, None, None)]
    assert rows[0]["deleted_at"].endswith("+00:00")
    assert "email" not in rows[0]  # a deletion may be an erasure: no contact data kept
    # A rep learns of the deletion of their own lead only.
    claire_rows, _ = pull(client, accounts.token(client, "claire"), "deleted")
    assert [r["id"] for r in claire_rows] == [claire_lead.id]


def test_an_undone_import_leaves_tombstones(app, runner, tmp_path, client, accounts, team):
    import csv
    import json

    from app.services.importing.runner import undo_batch
    from models import ImportBatch

    app.config["CRM_IMPORT_DIR"] = str(tmp_path / "imports")
    path = tmp_path / "salon.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([["Nom", "E-mail"], ["Un", "un@exemple.fr"],
                                      ["Deux", "deux@exemple.fr"]])
    result = runner.invoke(args=["crm", "import", str(path), "--json"])
    batch = db.session.get(ImportBatch, json.loads(result.output.strip().splitlines()[-1])["batch"])
    ids = sorted(lead_id for (lead_id,) in db.session.query(Lead.id))
    undo_batch(db.session, batch)
    db.session.commit()
    rows, _ = pull(client, accounts.token(client, "boss"), "deleted")
    assert sorted(r["id"] for r in rows) == ids


# --- Idempotency-Key ---------------------------------------------------------------------------

def with_key(headers, key):
    return {**headers, "Idempotency-Key": key}


def test_a_retried_post_returns_the_first_answer_and_creates_nothing(client, accounts, team):
    headers = with_key(accounts.token(client, "boss"), "cle-1")
    body = {"last_name": "Dupont", "email": "jean.dupont@exemple.fr"}
    first = client.post("/api/v1/lead/", headers=headers, json=body)
    assert first.status_code == 201, first.get_json()
    # The same request again, serialised differently (key order, spacing).
    retry = client.post("/api/v1/lead/", headers={**headers, "Content-Type": "application/json"},
                        data='{"email": "jean.dupont@exemple.fr",  "last_name": "Dupont"}')
    assert (retry.status_code, retry.get_json()) == (201, first.get_json())
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(Lead).count() == 1
    # Without the key, the same body is a new request (here refused as a duplicate).
    plain = client.post("/api/v1/lead/", headers=accounts.token(client, "boss"), json=body)
    assert plain.status_code == 422


def test_the_same_key_for_another_request_is_refused(client, accounts, team):
    headers = with_key(accounts.token(client, "boss"), "cle-2")
    assert client.post("/api/v1/lead/", headers=headers,
                       json={"last_name": "Dupont"}).status_code == 201
    response = client.post("/api/v1/lead/", headers=headers, json={"last_name": "Martin"})
    assert response.status_code == 422
    assert "déjà servi pour une autre requête" in response.get_json()["message"]
    assert [n for (n,) in db.session.query(Lead.last_name)] == ["Dupont"]
    # Keys are per user: another user's "cle-2" is a key of their own.
    other = with_key(accounts.token(client, "claire"), "cle-2")
    assert client.post("/api/v1/lead/", headers=other,
                       json={"last_name": "Martin"}).status_code == 201


def test_a_key_whose_first_request_is_running_answers_409(client, accounts, team):
    """Two simultaneous requests with one key: the second meets the first one's claim (made
    here by hand, as the first request would have committed it) and creates nothing."""
    from app.services.idempotency import fingerprint

    body = b'{"last_name": "Dupont"}'
    db.session.add(IdempotencyKey(user_id=team["boss"].id, key="cle-3",
                                  fingerprint=fingerprint("POST", "/api/v1/lead/", body)))
    db.session.commit()
    response = client.post("/api/v1/lead/", data=body, headers={
        **with_key(accounts.token(client, "boss"), "cle-3"), "Content-Type": "application/json"})
    assert response.status_code == 409
    assert "en cours" in response.get_json()["message"]
    assert db.session.query(Lead).count() == 0


def test_two_simultaneous_requests_with_one_key_create_one_lead(app, accounts, team):
    token = with_key(accounts.token(app.test_client(), "boss"), "cle-course")
    barrier, outcomes = threading.Barrier(2), []

    def integration():
        client = app.test_client()  # its own requests: its own session and connection
        barrier.wait()
        response = client.post("/api/v1/lead/", headers=token, json={"last_name": "Dupont"})
        outcomes.append((response.status_code, response.get_json()))
    threads = [threading.Thread(target=integration) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = [body for code, body in outcomes if code == 201]
    # The second either met the running first (409) or came after it (its answer replayed).
    assert created and all(body == created[0] for body in created)
    assert sorted(code for code, _ in outcomes) in ([201, 201], [201, 409])
    db.session.expire_all()
    assert db.session.query(Lead).count() == 1


def test_a_refused_request_is_replayed_and_an_expired_key_is_forgotten(client, accounts, team):
    headers = with_key(accounts.token(client, "boss"), "cle-4")
    first = client.post("/api/v1/lead/", headers=headers, json={"last_name": ""})
    assert first.status_code == 422
    assert client.post("/api/v1/lead/", headers=headers,
                       json={"last_name": ""}).get_json() == first.get_json()
    db.session.query(IdempotencyKey).update(
        {"created_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
         - dt.timedelta(hours=25)})
    db.session.commit()
    # Past 24 h the key is new again, whatever the body.
    assert client.post("/api/v1/lead/", headers=headers,
                       json={"last_name": "Durand"}).status_code == 201


def test_bad_keys_answer_400(client, accounts, team):
    token = accounts.token(client, "boss")
    for key in ("", "x" * 256, "clé-accentuée"):
        response = client.post("/api/v1/lead/", headers={**token, "Idempotency-Key": key},
                               json={"last_name": "Dupont"})
        assert response.status_code == 400, key
    assert db.session.query(Lead).count() == 0


def test_appointments_interactions_and_sheet_posts_are_idempotent(client, accounts, team):
    lead = make_lead(owner=team["claire"])
    token = accounts.token(client, "claire")
    posts = [
        ("/api/v1/appointment/", {"json": {"lead": lead.id, "starts_at": "2026-03-02T09:00:00",
                                           "ends_at": "2026-03-02T10:00:00", "status": "planned"}}),
        ("/api/v1/interaction/", {"json": {"lead": lead.id, "kind": "call",
                                           "direction": "outbound",
                                           "occurred_at": "2026-03-01T10:00:00"}}),
        (f"/api/v1/sheet/{lead.id}/notes", {"json": {"body": "Rappeler lundi"}}),
    ]
    for number, (path, kwargs) in enumerate(posts):
        headers = with_key(token, f"cle-{number}")
        first = client.post(path, headers=headers, **kwargs)
        assert first.status_code == 201, (path, first.get_json())
        again = client.post(path, headers=headers, **kwargs)
        assert (again.status_code, again.get_json()) == (201, first.get_json()), path
    assert db.session.query(Appointment).count() == 1
    assert db.session.query(Interaction).count() == 1
    assert db.session.query(LeadNote).count() == 1


def test_a_file_upload_retried_with_its_key_is_stored_once(client, accounts, team):
    from models import Attachment

    lead = make_lead(owner=team["claire"])
    headers = with_key(accounts.token(client, "claire"), "fichier-1")
    for _attempt in range(2):  # each attempt has its own multipart boundary
        response = client.post(f"/api/v1/sheet/{lead.id}/attachments", headers=headers,
                               data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "devis.pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 201
    assert db.session.query(Attachment).count() == 1


def test_the_tick_purges_expired_keys_and_old_tombstones(app, runner, team):
    import json

    from models import LeadDeletion

    long_ago = dt.datetime(2020, 1, 1)
    db.session.add_all([
        IdempotencyKey(user_id=team["boss"].id, key="vieille", fingerprint="x",
                       created_at=long_ago),
        IdempotencyKey(user_id=team["boss"].id, key="neuve", fingerprint="x"),
        LeadDeletion(lead_id=1, deleted_at=long_ago), LeadDeletion(lead_id=2)])
    db.session.commit()
    result = runner.invoke(args=["crm", "tick"])
    assert json.loads(result.output)["expired_api_records"] == 2
    assert [k for (k,) in db.session.query(IdempotencyKey.key)] == ["neuve"]
    assert [i for (i,) in db.session.query(LeadDeletion.lead_id)] == [2]


# --- counts ------------------------------------------------------------------------------------

def test_a_bounded_count_says_so(app, client, accounts, team):
    for _ in range(4):
        make_lead()
    headers = accounts.token(client, "boss")
    body = lookup(client, headers, page_size=1).get_json()
    assert (body["count"], body["count_is_exact"]) == (4, True)
    app.config["CRM_COUNT_LOOKAHEAD"] = 2
    body = lookup(client, headers, page_size=1).get_json()
    assert (body["count"], body["count_is_exact"]) == (2, False)
    spec = client.get("/api/v1/_openapi", headers=headers).get_json()
    listed = spec["paths"]["/api/v1/lead/"]["get"]["responses"]["200"]
    assert "count_is_exact" in listed["content"]["application/json"]["schema"]["properties"]
    parameters = spec["paths"]["/api/v1/lead/"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" for p in parameters)
    assert "/api/v1/lead/changes" in spec["paths"] and "/api/v1/lead/deleted" in spec["paths"]
