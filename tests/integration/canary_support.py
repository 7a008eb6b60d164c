"""The canary: unique strings planted on rep B's leads and everything hanging off them, the
routes the app registers (url_map and the OpenAPI document) turned into concrete requests with
B's ids, a scanner that finds a canary in a response, and a snapshot of B's rows.

Nothing here lists the app's routes: a route added later is visited without anyone adding it.
"""
import datetime as dt
import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import product
from urllib.parse import unquote, urlencode, urlparse

from itsdangerous.encoding import base64_decode
from sqlalchemy import or_, select

import models
from app.extensions import db
from app.security import CAMPAIGN, CAMPAIGN_SPEND, SOURCE
from models import (
    Appointment,
    Attachment,
    ExportFile,
    ImportBatch,
    IntakeDelivery,
    Interaction,
    Lead,
    LeadAssignment,
    LeadEvent,
    LeadNote,
    Notification,
    Reminder,
    SavedReport,
    Source,
    User,
    UserProfile,
)
from tests.factories import make_appointment, make_lead

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Every text canary is "qzc" + the lead's tag + the field; a search term is the bare prefix
# ("qzcun"), so a page that echoes the term back does not count as a leak.
TAGS = ("un", "deux")
TOKEN = re.compile(r"qzc(?:un|deux)[a-z]+", re.IGNORECASE)
PHONES = {"un": "+33647198351", "deux": "+33647198352"}
PHONE = re.compile(rb"6\D{0,3}47\D{0,3}19\D{0,3}83\D{0,3}5[12]")
CALENDAR_TOKEN = "B's calendar token"
# Every canary plant() writes, as canaries_in() names them.
PLANTED = ([f"qzc{tag}{name}" for tag in TAGS for name in (
    "prenom", "nom", "mail", "societe", "notefiche", "note", "message", "sujet", "resume",
    "fichier", "rappel", "titre", "lieu")]
    + ["qzcdeuxtitrea", "qzcdeuxrappela", "qzcunimport", "qzcunrapport", "phone", CALENDAR_TOKEN])

# Routes that are harmless and not lead-related, each with the reason it is not visited.
SKIP_ALWAYS = {
    "static": "static files",
    "appbuilder.static": "FAB's static files",
    "AuthDBView.logout": "would end the session the test uses",
    "LocaleView.index": "language switch: a redirect, no data",
}
SKIP_WRITES = {
    "AuthDBView.login": "logging in, not a write to anyone's data",
    "SecurityApi.login": "JWT login, not a write to anyone's data",
    "SecurityApi.refresh": "JWT refresh, not a write to anyone's data",
    "ResetMyPasswordView.this_form_post": "changes the acting user's own password (auth tests)",
    "UserInfoEditView.this_form_post": "changes the acting user's own name (auth tests)",
    "WebhookView.web_form": "public intake: needs a source's secret token, creates new leads",
    "WebhookView.google_ads": "public intake: needs a source's secret key, creates new leads",
    "WebhookView.meta": "public intake: signed by Meta's app secret, creates new leads",
}
# What Marketing may write (sources, campaigns and their spend), by permission name.
MARKETING_WRITES = {SOURCE, SOURCE + "Api", CAMPAIGN, CAMPAIGN + "Api", CAMPAIGN_SPEND}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Planted:
    rep_a: User
    rep_b: User
    manager: User
    marketing: User
    leads: list
    objects: dict = field(default_factory=dict)  # model class -> ids of B's rows
    secrets: list = field(default_factory=list)  # exact strings (B's calendar token)
    a_calendar_token: str = ""
    a_lead_id: int = 0  # A's own lead: its sheet's neighbours and panels must not be B's

    @property
    def lead_ids(self):
        return [lead.id for lead in self.leads]

    def all_ids(self):
        return sorted({i for ids in self.objects.values() for i in ids})


# ---------------------------------------------------------------- planting


def _ok(response, what):
    assert response.status_code in (200, 201, 302), (what, response.status_code,
                                                      response.get_data(as_text=True)[:300])
    return response


def _local(days, hour=10):
    day = dt.date.today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0))


def _canary_fields(tag):
    return {"first_name": f"Qzc{tag}prenom", "last_name": f"Qzc{tag}nom",
            "email": f"qzc{tag}mail@example.com", "phone": PHONES[tag],
            "company": f"Qzc{tag}societe SARL"}


def _through_web_form(client, source, tag):
    """Lead one arrives through the public web form: its intake delivery holds the canary."""
    values = _canary_fields(tag)
    _ok(client.post(f"/webhooks/form/{source.intake_token}", data={
        "prenom": values["first_name"], "nom": values["last_name"], "email": values["email"],
        "telephone": "0" + values["phone"][3:], "societe": values["company"]}), "web form")
    lead = db.session.query(Lead).filter_by(email=values["email"]).one()
    assert lead.phone == PHONES[tag] and lead.company == values["company"], "web form mapping"
    return lead


def _reassign(client, accounts, lead, owner):
    accounts.login(client, "canary_chef")
    _ok(client.post(f"/sheet/{lead.id}/reassign", data={"owner": str(owner.id)}), "reassign")


def _book(client, lead, start, what, **fields):
    """An appointment through the agenda, as its user would plan it."""
    _ok(client.post("/agenda/events", json={
        "lead": lead.id, "force": True, "start": start.isoformat(timespec="minutes"),
        "end": (start + dt.timedelta(hours=1)).isoformat(timespec="minutes"), **fields}), what)


def _remind(client, lead, due, text, what):
    _ok(client.post(f"/sheet/{lead.id}/remind", data={
        "due_at": due.strftime("%Y-%m-%dT%H:%M"), "what": text}), what)


def _hang_everything_off(client, lead, tag):
    """What rep B (logged in on `client`) adds to their lead through the sheet and the agenda."""
    pk = lead.id
    _ok(client.post(f"/sheet/{pk}/note", data={"body": f"qzc{tag}note", "kind": "note"}), "note")
    _ok(client.post(f"/sheet/{pk}/note", data={"body": f"qzc{tag}message", "kind": "message"}),
        "message")
    _ok(client.post(f"/sheet/{pk}/log", data={"kind": "call", "subject": f"qzc{tag}sujet",
                                              "summary": f"qzc{tag}resume"}), "interaction")
    _ok(client.post(f"/sheet/{pk}/attach", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(PDF), f"qzc{tag}fichier.pdf")}), "attachment")
    _remind(client, lead, _local(1), f"qzc{tag}rappel", "reminder")
    _book(client, lead, _local(2, hour=9 if tag == "un" else 14), "appointment",
          title=f"qzc{tag}titre", place=f"qzc{tag}lieu")
    _ok(client.post(f"/sheet/{pk}/status", data={"status": "in_progress"}), "status")


def plant(app, client, accounts, tmp_path):
    """Rep B's two leads and everything hanging off them; rep A, a manager and Marketing."""
    manager = accounts.create("canary_chef", "Responsable")
    rep_b = accounts.create("canary_bernard", "Commercial")
    rep_a = accounts.create("canary_alice", "Commercial")
    marketing = accounts.create("canary_marie", "Marketing")
    for rep in (rep_a, rep_b):
        db.session.add(UserProfile(user_id=rep.id, manager_id=manager.id))
    db.session.commit()
    a_lead = make_lead(owner=rep_a, last_name="Alicelead")  # A's pages are not empty

    source = Source(name="Formulaire canari", kind="web_form")
    db.session.add(source)
    db.session.commit()
    lead_one = _through_web_form(client, source, "un")
    lead_one.note = "qzcunnotefiche"
    db.session.add(ImportBatch(created_by_id=manager.id, owner_id=rep_b.id, status="done",
                               file_name="qzcunimport.csv", stored_path=str(tmp_path / "x.csv")))
    db.session.commit()
    lead_one.import_batch_id = db.session.query(ImportBatch.id).scalar()
    db.session.commit()
    _reassign(client, accounts, lead_one, rep_b)

    # Lead two was A's: A's appointments and reminder on it, then a manager gives it to B, after
    # which A must see nothing of it (issue #12, finding 2).
    lead_two = make_lead(owner=rep_a, note="qzcdeuxnotefiche", **_canary_fields("deux"))
    make_appointment(lead_two, owner=rep_a, start=_local(-3), title="Premier contact")
    accounts.login(client, "canary_alice")
    _book(client, lead_two, _local(3, hour=11), "A's appointment", title="qzcdeuxtitrea")
    _remind(client, lead_two, _local(1, 15), "qzcdeuxrappela", "A's reminder")
    _ok(client.post("/agenda/renew"), "A's calendar token")
    _reassign(client, accounts, lead_two, rep_b)

    accounts.login(client, "canary_bernard")
    for lead, tag in ((lead_one, "un"), (lead_two, "deux")):
        _hang_everything_off(client, lead, tag)
    _ok(client.post("/reports/", data={"action": "save", "name": "qzcunrapport",
                                       "dimensions": ["status"], "measures": ["leads"],
                                       "days": "30"}), "saved report")
    _ok(client.post("/agenda/renew"), "B's calendar token")
    app.config.update(CRM_EXPORT_INLINE_ROWS=0, CRM_EXPORT_DIR=str(tmp_path / "exports"))
    _ok(client.get("/exports/leads?format=csv"), "B's export")
    accounts.login(client, "canary_alice")  # the client goes back to A

    planted = Planted(rep_a=rep_a, rep_b=rep_b, manager=manager, marketing=marketing,
                      leads=[lead_one, lead_two], a_lead_id=a_lead.id)
    _collect(planted)
    for token in (planted.a_calendar_token, *planted.secrets):
        # A feed stores each event's VEVENT in its appointment: built now, not while A reads.
        _ok(client.get(f"/calendar/{token}.ics"), "calendar feed")
    _check_planted(planted)
    return planted


def _collect(planted):
    ids, b = planted.lead_ids, planted.rep_b.id
    by_lead = (Interaction, Appointment, Reminder, LeadNote, Attachment, Notification,
               IntakeDelivery, LeadAssignment, LeadEvent)
    for model in by_lead:
        planted.objects[model] = list(db.session.scalars(
            select(model.id).where(model.lead_id.in_(ids))))
    planted.objects[Lead] = ids
    planted.objects[User] = [b]
    planted.objects[UserProfile] = [b]
    planted.objects[Source] = list(db.session.scalars(select(Source.id)))
    planted.objects[ImportBatch] = list(db.session.scalars(select(ImportBatch.id)))
    planted.objects[ExportFile] = list(db.session.scalars(
        select(ExportFile.id).where(ExportFile.user_id == b)))
    planted.objects[SavedReport] = list(db.session.scalars(
        select(SavedReport.id).where(SavedReport.owner_id == b)))
    profiles = {p.user_id: p.calendar_token for p in db.session.query(UserProfile)}
    planted.secrets = [profiles[b]]
    planted.a_calendar_token = profiles[planted.rep_a.id]


def _check_planted(planted):
    """Every kind of row the canary needs exists: otherwise the test proves nothing."""
    for model in (Interaction, Appointment, Reminder, LeadNote, Attachment, Notification,
                  IntakeDelivery, LeadAssignment, ExportFile, SavedReport, ImportBatch):
        assert planted.objects[model], f"nothing planted for {model.__name__}"
    assert all(lead.owner_id == planted.rep_b.id for lead in planted.leads)
    assert all(planted.secrets) and planted.a_calendar_token


# ---------------------------------------------------------------- scanning


def _readable(body):
    """The bytes a person would read: zip members (xlsx, odt) and PDF streams inflated."""
    parts = [body]
    if body[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                parts += [archive.read(name) for name in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    elif body[:2] == b"\x1f\x8b":
        parts.append(gzip.decompress(body))
    elif body[:5] == b"%PDF-":
        for stream in re.findall(rb"stream\r?\n(.*?)endstream", body, re.DOTALL):
            try:
                parts.append(zlib.decompress(stream))
            except zlib.error:
                pass
    return b"\n".join(parts)


def _cookie_payloads(response):
    """What a signed session cookie carries (flashed messages...): readable by its holder."""
    payloads = []
    for header in response.headers.getlist("Set-Cookie"):
        value = header.split(";", 1)[0].partition("=")[2]
        compressed = value.startswith(".")
        try:
            data = base64_decode(value.lstrip(".").split(".", 1)[0])
            payloads.append(zlib.decompress(data) if compressed else data)
        except (ValueError, zlib.error):
            pass
    return b"\n".join(payloads)


def canaries_in(response, planted):
    """The canaries a response shows: in its body, its headers, its redirect or its cookie."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    texts = [("body", _readable(response.get_data())),
             ("header", (headers + "\n" + unquote(headers)).encode()),
             ("cookie", _cookie_payloads(response))]
    found = set()
    for where, raw in texts:
        text = raw.decode("utf-8", "replace")
        found |= {f"{m.lower()} ({where})" for m in TOKEN.findall(text)}
        if PHONE.search(raw):
            found.add(f"phone ({where})")
        found |= {f"{CALENDAR_TOKEN} ({where})" for s in planted.secrets if s in text}
    return sorted(found)


# ---------------------------------------------------------------- snapshot


def _hangs_off_b(table, planted):
    columns, conditions = table.c, []
    if table.name == "lead":
        conditions.append(columns.id.in_(planted.lead_ids))
    if table.name == "ab_user":
        conditions.append(columns.id == planted.rep_b.id)
    if "lead_id" in columns:
        conditions.append(columns.lead_id.in_(planted.lead_ids))
    for name in ("user_id", "owner_id", "created_by_id"):
        if name in columns:
            conditions.append(columns[name] == planted.rep_b.id)
    return conditions


def snapshot(planted):
    """B's leads, every row that hangs off them and every row B owns, by table."""
    db.session.rollback()
    state = {}
    for table in models.metadata.sorted_tables:
        conditions = _hangs_off_b(table, planted)
        if conditions:
            rows = db.session.execute(select(table).where(or_(*conditions))).all()
            state[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return state


def differences(before, after):
    return [f"{name}: {len(before[name])} -> {len(after[name])} rows" if
            len(before[name]) != len(after[name]) else f"{name}: a row changed"
            for name in before if before[name] != after[name]]


# ---------------------------------------------------------------- routes


@dataclass(frozen=True)
class Target:
    endpoint: str
    methods: frozenset
    rule: str  # werkzeug syntax, converters kept
    arguments: tuple


def targets(app, openapi):
    """Every registered route, plus the OpenAPI document's paths the url_map would miss."""
    found = {}
    for rule in app.url_map.iter_rules():
        found[(rule.rule, rule.endpoint)] = Target(rule.endpoint, frozenset(rule.methods),
                                                   rule.rule, tuple(sorted(rule.arguments)))
    known = {re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", t.rule) for t in found.values()}
    adapter = app.url_map.bind("localhost")
    base = urlparse(openapi.get("servers", [{}])[0].get("url", "")).path.rstrip("/")
    for path, operations in openapi.get("paths", {}).items():
        template = path if path.startswith(base + "/") else base + path
        if template in known:
            continue
        for method in operations:
            endpoint, _args = adapter.match(re.sub(r"\{[^}]+\}", "1", template), method.upper())
            rule = re.sub(r"\{([^}]+)\}", r"<\1>", template)
            found[(rule, endpoint)] = Target(endpoint, frozenset({method.upper()}), rule,
                                             tuple(re.findall(r"\{([^}]+)\}", template)))
    return sorted(found.values(), key=_visit_order)


def _visit_order(target):
    """Routes that may destroy go last, so that a leak there cannot hide the others."""
    return ("delete" in target.rule or "action" in target.rule, target.rule, target.endpoint)


def views_by_endpoint(app):
    return {view.blueprint.name: view for view in app.appbuilder.baseviews
            if getattr(view, "blueprint", None) is not None}


def _model_ids(planted, name):
    """B's ids for an argument named after a table (appointment_id, batch_id, export_id...)."""
    stem = name[:-3] if name.endswith("_id") else name
    return [i for model, ids in planted.objects.items()
            if stem and stem in model.__tablename__ for i in ids]


def candidates(name, view, planted):
    """The values to try for a URL argument, B's objects' first."""
    datamodel = getattr(view, "datamodel", None)
    if name == "pk" and datamodel is not None:
        # A model nothing of B's lives in (roles, rules...): any one id is as good as another.
        ids = planted.objects.get(datamodel.obj, [1])
        return [str(i) for i in ids + ([planted.a_lead_id] if datamodel.obj is Lead else [])]
    if name == "version":
        return ["v1"]
    if name == "token":
        return [planted.a_calendar_token, "jeton-inconnu"]
    if name == "name":  # a FAB action: the view's own, or an unknown one
        return list(getattr(view, "actions", None) or ["x"])
    if name == "filename":
        return [a.stored_name for a in db.session.query(Attachment)] + ["x.csv"]
    ids = _model_ids(planted, name) if name != "pk" else []
    if ids:
        return [str(i) for i in ids]
    if name == "pk" or name.endswith("id"):
        return [str(i) for i in sorted({*planted.all_ids(), planted.a_lead_id})]
    return ["leads", "users", "sources", "campaigns", "x"]  # a kind, a slug, a grouping...


def concrete_urls(target, view, planted):
    names = target.arguments
    if not names:
        yield target.rule
        return
    for values in product(*(candidates(n, view, planted) for n in names)):
        url = target.rule
        for name, value in zip(names, values):
            url = re.sub(r"<(?:[^:>]+:)?%s>" % re.escape(name), value, url)
        yield url


def screen_query(planted):
    """One set of query arguments the screens read, pointing at B (unknown ones are ignored)."""
    start, end = dt.date.today() - dt.timedelta(days=20), dt.date.today() + dt.timedelta(days=20)
    lead, b = planted.lead_ids[0], planted.rep_b.id
    return urlencode({"q": "qzcun", "user": b, "owner": b, "lead": lead, "lead_id": lead,
                      "start": f"{start}T00:00", "end": f"{end}T00:00", "cancelled": "1",
                      "i": "1", "format": "csv", "by": "owner", "unit": "day", "inline": "1",
                      "status": "in_progress", "done": "1", "from": str(start), "to": str(end)})


def write_payloads(planted):
    """Minimal payloads naming B's objects, one per operation a form may ask for."""
    lead, a = planted.lead_ids[0], planted.rep_a.id
    start, end = _local(4), _local(4, 11)
    texts = ("last_name", "first_name", "company", "abandon_reason", "body", "subject", "summary",
             "what", "title", "place", "name")
    base = {**{name: "pirate" for name in texts},
            "lead": lead, "lead_id": lead, "owner": a, "user": a, "id": lead,
            # A's own lead beside B's: a merge into A's lead or a bulk change must not take B's.
            "rowid": [planted.a_lead_id, lead], "keep": planted.a_lead_id, "other": lead,
            "email": "pirate@example.com", "phone": "0600000000", "status": "converted",
            "direction": "outbound", "force": True,
            "due_at": start.isoformat(timespec="minutes"),
            "occurred_at": start.isoformat(timespec="minutes"),
            "start": start.isoformat(timespec="minutes"), "end": end.isoformat(timespec="minutes"),
            "starts_at": start.isoformat(sep=" "), "ends_at": end.isoformat(sep=" ")}
    return [{**base, "operation": "status", "kind": "call", "action": "save"},
            {**base, "operation": "assign", "kind": "note", "action": "delete"},
            {**base, "operation": "delete", "kind": "message", "action": "run"}]


def api_payload(payload, view, method):
    """A REST API refuses unknown fields: keep those its schema takes, relations as ids."""
    columns = getattr(view, "edit_columns" if method == "PUT" else "add_columns", None)
    if not columns:
        return payload
    return {k: v for k, v in payload.items() if k in columns and k not in ("force",)}
