"""The audit log (issue 14, point 6): an entry for each audited action with its user, address
(through the trusted-proxy setting), lead and detail; the Admin-only screen with its filters,
keyset pages and CSV export (itself audited); the retention purge; append-only."""
import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from sqlalchemy import event

from app.extensions import db
from app.services.privacy.audit import forget_values, record
from jobs.followup import tick
from models import Attachment, AuditEntry, ExportFile
from models.base import utcnow
from tests.conftest import empty_database, make_app
from tests.factories import make_lead
from tests.integration.test_attachments import PDF, upload

# One proxy is trusted: the client's address is the last hop of X-Forwarded-For, never the
# first one (which the client writes itself).
CLIENT_IP = "203.0.113.9"
FORWARDED = {"X-Forwarded-For": f"198.51.100.66, {CLIENT_IP}"}


@pytest.fixture
def app(database_url, tmp_path):
    """The suite's app, behind one trusted proxy (CRM_TRUSTED_PROXIES is read at start)."""
    app = make_app(database_url, CRM_ATTACHMENT_DIR=str(tmp_path / "attachments"),
                   CRM_EXPORT_DIR=str(tmp_path / "exports"), CRM_TRUSTED_PROXIES=1)
    with app.app_context():
        empty_database()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base.update({"HTTP_X_FORWARDED_FOR": FORWARDED["X-Forwarded-For"]})
    return client


@pytest.fixture
def team(accounts):
    return (accounts.create("admin", "Admin"), accounts.create("boss", "Responsable"),
            accounts.create("claire", "Commercial"), accounts.create("paul", "Commercial"))


def entries(action=None):
    db.session.expire_all()
    query = db.session.query(AuditEntry).order_by(AuditEntry.id)
    return query.filter_by(action=action).all() if action else query.all()


def the_entry(action):
    found = entries(action)
    assert len(found) == 1, [(e.action, e.lead_id, e.detail) for e in entries()]
    return found[0]


def detail(entry):
    return json.loads(entry.detail) if entry.detail else {}


def assert_by(entry, user, lead_id=None):
    assert (entry.user_id, entry.username, entry.ip_address, entry.lead_id) == (
        user.id, user.username, CLIENT_IP, lead_id)


def test_opening_a_sheet_is_recorded_with_the_user_and_the_proxied_address(client, accounts,
                                                                            team):
    claire = team[2]
    lead = make_lead(owner=claire)
    accounts.login(client, "claire")
    assert client.get(f"/leads/show/{lead.id}").status_code == 200
    entry = the_entry("sheet_open")
    assert_by(entry, claire, lead.id)
    assert abs(entry.at - utcnow()) < dt.timedelta(minutes=1)
    # Another rep's lead: 404, and nothing was read, so nothing recorded.
    other = make_lead(owner=team[3])
    assert client.get(f"/leads/show/{other.id}").status_code == 404
    assert len(entries("sheet_open")) == 1


def test_api_reads_give_one_entry_per_lead(client, accounts, team):
    claire = team[2]
    first, second = make_lead(owner=claire), make_lead(owner=claire)
    make_lead(owner=team[3])  # not Claire's: never listed, never recorded
    headers = {**accounts.token(client, "claire"), **FORWARDED}
    assert client.get(f"/api/v1/lead/{first.id}", headers=headers).status_code == 200
    assert client.get("/api/v1/lead/", headers=headers).status_code == 200
    assert client.get(f"/api/v1/sheet/{second.id}/timeline", headers=headers).status_code == 200
    assert client.get("/api/v1/lead/changes?since=2000-01-01T00:00:00Z",
                      headers=headers).status_code == 200
    reads = entries("api_read")
    for entry in reads:
        assert_by(entry, claire, entry.lead_id)
    by_way = {}
    for entry in reads:
        by_way.setdefault(detail(entry).get("via"), []).append(entry.lead_id)
    assert {way: sorted(ids) for way, ids in by_way.items()} == {
        None: [first.id], "list": sorted([first.id, second.id]), "timeline": [second.id],
        "changes": sorted([first.id, second.id])}


def test_field_changes_from_the_api_the_form_the_sheet_and_the_bulk_action(client, accounts,
                                                                          team):
    boss, claire = team[1], team[2]
    lead = make_lead(owner=claire, company=None, email="marie@exemple.fr", phone=None)
    headers = {**accounts.token(client, "boss"), **FORWARDED}
    response = client.put(f"/api/v1/lead/{lead.id}", headers=headers,
                          json={"company": "Boulangerie Martin", "status": "in_progress"})
    assert response.status_code == 200, response.get_json()
    api_change = the_entry("field_change")
    assert_by(api_change, boss, lead.id)
    assert detail(api_change) == {"fields": {"company": [None, "Boulangerie Martin"],
                                             "status": ["new", "in_progress"]}}

    accounts.login(client, "boss")
    client.post(f"/leads/edit/{lead.id}", data={
        "last_name": lead.last_name, "first_name": lead.first_name, "email": lead.email,
        "company": "Boulangerie Martin", "status": "in_progress", "note": "Rappeler lundi",
        "owner": str(claire.id)})
    client.post(f"/sheet/{lead.id}/status", data={"status": "converted"})
    second = make_lead(owner=claire)
    client.post("/leads/bulk", data={"operation": "status", "status": "abandoned",
                                     "abandon_reason": "Budget", "rowid": [lead.id, second.id]})
    form_change, sheet_change, *bulk_changes = entries("field_change")[1:]
    assert detail(form_change)["fields"]["note"] == [None, "Rappeler lundi"]
    assert "status" not in detail(form_change)["fields"]  # unchanged fields are not listed
    sheet_fields = detail(sheet_change)["fields"]
    assert sheet_change.lead_id == lead.id
    assert sheet_fields["status"] == ["in_progress", "converted"]
    assert sheet_fields["converted_at"][0] is None and sheet_fields["converted_at"][1]
    bulk = {e.lead_id: detail(e)["fields"] for e in bulk_changes}
    assert bulk[lead.id]["status"] == ["converted", "abandoned"]
    assert bulk[second.id]["status"] == ["new", "abandoned"]
    assert all(fields["abandon_reason"] == [None, "Budget"] for fields in bulk.values())
    changes = [form_change, sheet_change, *bulk_changes]
    for entry in changes:
        assert_by(entry, boss, entry.lead_id)


def test_reassignments_and_deletions_are_recorded(client, accounts, team):
    boss, claire, paul = team[1], team[2], team[3]
    lead, second = make_lead(owner=claire), make_lead(owner=claire)
    accounts.login(client, "boss")
    client.post(f"/sheet/{lead.id}/reassign", data={"owner": str(paul.id)})
    client.post("/leads/bulk", data={"operation": "assign", "owner": str(boss.id),
                                     "rowid": [lead.id, second.id]})
    moves = [(e.lead_id, detail(e)["owner_id"]) for e in entries("reassign")]
    assert moves[0] == (lead.id, [claire.id, paul.id])
    assert sorted(moves[1:]) == sorted([(lead.id, [paul.id, boss.id]),
                                        (second.id, [claire.id, boss.id])])
    client.post("/leads/bulk", data={"operation": "delete", "rowid": [second.id]})
    assert_by(the_entry("delete"), boss, second.id)


def test_a_merge_is_recorded_on_the_kept_lead(client, accounts, team):
    boss = team[1]
    keep = make_lead(last_name="Durand", email="d@exemple.fr", phone=None)
    other = make_lead(last_name="Durand", email="d@exemple.fr", phone="0611111111",
                      possible_duplicate=True)
    accounts.login(client, "boss")
    client.post("/duplicates/merge", data={"keep": keep.id, "other": other.id})
    merge = the_entry("merge")
    assert_by(merge, boss, keep.id)
    assert detail(merge) == {"merged_lead_id": other.id}
    assert the_entry("delete").lead_id == other.id
    taken = [detail(e)["fields"] for e in entries("field_change") if e.lead_id == keep.id]
    assert taken and taken[0]["phone"] == [None, "+33611111111"]


def test_a_refused_change_leaves_no_entry(client, accounts, team):
    lead = make_lead(owner=team[2])
    accounts.login(client, "boss")
    response = client.post(f"/sheet/{lead.id}/status", data={"status": "abandoned"})
    assert 400 <= response.status_code < 500  # an abandon needs its reason
    assert entries("field_change") == []


def test_inline_export_records_its_filter_rows_and_file(client, accounts, team):
    claire = team[2]
    make_lead(owner=claire, status="new")
    make_lead(owner=claire, status="in_progress")
    accounts.login(client, "claire")
    response = client.get("/exports/leads?format=csv&status=new")
    assert response.status_code == 200
    entry = the_entry("export")
    assert_by(entry, claire)
    name = response.headers["Content-Disposition"].split("filename=")[1]
    assert detail(entry) == {"filter": {"status": "new"}, "format": "csv", "rows": 1,
                             "file": name}


def test_a_large_export_is_recorded_when_asked_and_when_written(app, client, accounts, team):
    app.config["CRM_EXPORT_INLINE_ROWS"] = 1
    claire = team[2]
    make_lead(owner=claire)
    make_lead(owner=claire)
    accounts.login(client, "claire")
    assert client.get("/exports/leads?format=xlsx").status_code == 302  # the job ran inline
    export = db.session.query(ExportFile).one()
    asked, written = entries("export")
    assert_by(asked, claire)
    assert detail(asked) == {"filter": {}, "format": "xlsx", "export_id": export.id,
                             "queued": True}
    assert (written.user_id, written.username, written.ip_address) == (
        claire.id, "claire", None)
    assert detail(written)["rows"] == 2 and detail(written)["export_id"] == export.id
    assert detail(written)["file"] and detail(written)["file"] in export.path
    assert client.get(f"/exports/{export.id}").status_code == 200
    assert detail(the_entry("export_download"))["export_id"] == export.id


def test_attachment_downloads_are_recorded(client, accounts, team):
    claire = team[2]
    lead = make_lead(owner=claire)
    accounts.login(client, "claire")
    upload(client, lead, "devis.pdf", PDF)
    attachment_id = db.session.query(Attachment.id).scalar()
    assert client.get(f"/sheet/file/{attachment_id}").status_code == 200
    headers = {**accounts.token(client, "claire"), **FORWARDED}
    assert client.get(f"/api/v1/sheet/attachment/{attachment_id}",
                      headers=headers).status_code == 200
    downloads = entries("attachment_download")
    assert len(downloads) == 2
    for entry in downloads:
        assert_by(entry, claire, lead.id)
        assert detail(entry) == {"attachment_id": attachment_id, "filename": "devis.pdf"}


def test_record_is_one_insert_and_leaves_the_commit_to_the_caller(app, team):
    lead_id, admin_id = make_lead().id, team[0].id
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        record(db.session, "erase", admin_id, "192.0.2.1", lead_id, reason="Demande écrite")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
    db.session.rollback()
    assert entries() == []  # not committed by record
    record(db.session, "privacy_request", admin_id, None, lead_id, kind="access")
    db.session.commit()
    entry = the_entry("privacy_request")
    assert (entry.username, entry.lead_id, detail(entry)) == ("admin", lead_id, {"kind": "access"})


def test_an_erasure_keeps_who_changed_what_but_not_the_values(app, team):
    admin_id = team[0].id
    record(db.session, "field_change", admin_id, None, 7,
           fields={"email": ["a@exemple.fr", "b@exemple.fr"], "status": ["new", "converted"]})
    record(db.session, "sheet_open", admin_id, None, 7)
    record(db.session, "field_change", admin_id, None, 8, fields={"email": [None, "c@exemple.fr"]})
    assert forget_values(db.session, [7]) == 1
    db.session.commit()
    erased, other = entries("field_change")
    assert detail(erased) == {"erased": True, "fields": {"email": None, "status": None}}
    assert detail(other) == {"fields": {"email": [None, "c@exemple.fr"]}}
    assert len(entries("sheet_open")) == 1


def _seed(admin, rep, lead_id, at):
    """Entries at chosen times (the log is written by the CRM only: a test writes through the
    service, travelling to each time)."""
    with time_machine.travel(at, tick=False):
        record(db.session, "sheet_open", rep.id, "192.0.2.1", lead_id)
        record(db.session, "export", admin.id, "192.0.2.2", None, rows=3)
    db.session.commit()


def test_only_admins_see_the_screen(client, accounts, team):
    for name in ("boss", "claire"):
        accounts.login(client, name)
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/export.csv").status_code == 403
    accounts.login(client, "admin")
    body = client.get("/audit/").get_data(as_text=True)
    assert "Journal d&#39;audit" in body or "Journal d'audit" in body


def test_the_screen_filters_by_user_lead_action_and_period(client, accounts, team):
    admin, claire = team[0], team[2]
    _seed(admin, claire, 41, dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone.utc))
    _seed(admin, claire, 42, dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.timezone.utc))
    accounts.login(client, "admin")

    def shown(**args):
        response = client.get("/audit/", query_string=args)
        assert response.status_code == 200
        return response.get_data(as_text=True).count('class="crm-nowrap"')

    assert shown() == 4  # reading the log is not itself an entry
    assert shown(user=claire.id) == 2
    assert shown(lead=42) == 1
    assert shown(action="export") == 2
    assert shown(since="2026-04-01") == 2
    assert shown(since="2026-03-10", until="2026-03-10") == 2  # a day, in Paris time
    assert shown(user=claire.id, action="export") == 0
    for bad in ({"lead": "abc"}, {"user": "-1"}, {"action": "drop"}, {"since": "10/03/2026"},
                {"lead": "99999999999999999999"}, {"after": "hier~1"}):
        response = client.get("/audit/", query_string=bad)
        assert response.status_code == 400, bad


def test_pages_follow_a_keyset_cursor(client, accounts, team, monkeypatch):
    from views.privacy import audit as screen

    monkeypatch.setattr(screen, "PAGE_SIZE", 3)
    admin, claire = team[0], team[2]
    for day in range(1, 4):
        _seed(admin, claire, day, dt.datetime(2026, 5, day, 9, 0, tzinfo=dt.timezone.utc))
    accounts.login(client, "admin")
    seen, url = [], "/audit/"
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += [line for line in body.splitlines() if "n° " in line and "lead=" in line]
        marker = 'id="audit-next" href="'
        url = body.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in body \
            else None
    assert len(seen) == 3  # the three sheet openings, each once, over two pages


def test_the_csv_export_follows_the_filters_and_is_audited(client, accounts, team):
    admin, claire = team[0], team[2]
    _seed(admin, claire, 41, dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone.utc))
    accounts.login(client, "admin")
    response = client.get("/audit/export.csv?action=sheet_open")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][:3] == ["Date", "Utilisateur", "N° utilisateur"]
    assert rows[1:] == [["10/03/2026 10:00", "claire", str(claire.id), "192.0.2.1",
                         "Fiche consultée", "41", ""]]
    exported = the_entry("audit_export")
    assert_by(exported, admin)
    assert detail(exported)["filter"] == {"action": "sheet_open"}
    assert detail(exported)["rows"] == 1


def test_the_log_is_append_only(app):
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("AuditLogView.")]
    assert sorted((rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"})) for rule in rules) == [
        ("/audit/", ["GET"]), ("/audit/export.csv", ["GET"])]
    assert not any("audit" in rule.rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/api/"))


@pytest.mark.clock
def test_the_tick_purges_entries_past_the_retention(app, team, monkeypatch):
    import jobs.followup

    monkeypatch.setattr(jobs.followup, "AUDIT_PURGE_BATCH", 2)  # several batches
    admin, claire = team[0], team[2]
    now = utcnow()
    for days in (400, 380, 370, 300, 10):
        _seed(admin, claire, days, (now - dt.timedelta(days=days)).replace(
            tzinfo=dt.timezone.utc))
    app.config["CRM_AUDIT_MONTHS"] = 12
    result = tick()
    assert result["audit_entries_purged"] == 6
    assert sorted(e.lead_id for e in entries("sheet_open")) == [10, 300]
    app.config["CRM_AUDIT_MONTHS"] = 6
    assert tick()["audit_entries_purged"] == 2
    assert [e.lead_id for e in entries("sheet_open")] == [10]
