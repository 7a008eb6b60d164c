"""Meta (Facebook / Instagram) lead ads: signed notifications, leads read from the Graph API."""
import hashlib
import hmac
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from flask_babel import gettext as _

from app.services.errors import DomainError, RemoteError
from app.services.intake import Parsed, consent_field, split_answers
from app.services.privacy.consent_intake import channel_states
from app.timezones import UTC, parse_datetime
from models import Source

NUMERIC_ID = re.compile(r"[0-9]{1,30}")
# The ids of a leadgen notification; the lead id goes into the Graph URL, the others into rows.
NOTIFICATION_IDS = ("leadgen_id", "page_id", "form_id", "ad_id", "adgroup_id")
META_FIELDS = {"full_name": "full_name", "first_name": "first_name", "last_name": "last_name",
               "email": "email", "phone_number": "phone", "company_name": "company"}


class GraphError(RemoteError):
    """The Graph API did not give the lead (network, 5xx, bad token): worth retrying."""


def signing_source(session, body, signature):
    """The active Meta source whose app secret produced X-Hub-Signature-256, or None."""
    if not signature or not signature.startswith("sha256="):
        return None
    sources = session.query(Source).filter(Source.kind == "meta", Source.active.is_(True),
                                           Source.meta_app_secret.isnot(None)).all()
    for source in sources:
        expected = "sha256=" + hmac.new(source.meta_app_secret.encode(), body,
                                        hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, signature):
            return source
    return None


def numeric_id(value, name):
    """A Meta id as digits only (Meta's ids are numbers), before it goes into a URL or a row."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not NUMERIC_ID.fullmatch(text):
        raise DomainError(_("Identifiant Meta invalide (%(name)s) : des chiffres sont attendus.",
                            name=name))
    return text


def leadgen_changes(payload):
    """The leadgen notifications of a webhook body: [{"leadgen_id": ..., "form_id": ...}].
    DomainError if any of their ids is not a number: nothing of the body is stored then."""
    if not isinstance(payload, dict) or payload.get("object") != "page" or not isinstance(
            payload.get("entry"), list):
        raise DomainError(_("Notification Meta invalide."))
    changes = []
    for entry in payload["entry"]:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if change.get("field") == "leadgen" and isinstance(value, dict) and value.get("leadgen_id"):
                if entry.get("id") is not None:
                    numeric_id(entry["id"], "page")
                changes.append({**value, **{name: numeric_id(value[name], name)
                                            for name in NOTIFICATION_IDS if value.get(name)}})
    return changes


def fetch_lead(graph_url, leadgen_id, page_token, timeout=10):
    """GET /{leadgen_id} from the Graph API."""
    query = urllib.parse.urlencode({"access_token": page_token or "",
                                    "fields": "id,created_time,ad_id,form_id,campaign_id,field_data,"
                                              "custom_disclaimer_responses"})
    url = f"{graph_url.rstrip('/')}/{numeric_id(leadgen_id, 'leadgen_id')}?{query}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured URL)
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise GraphError(str(exc)) from exc


def parse_graph_lead(lead):
    """A Graph API lead -> Parsed."""
    if not isinstance(lead, dict) or not isinstance(lead.get("field_data"), list):
        raise DomainError(_("Réponse de l'API Meta invalide : field_data manquant."))
    fields, answers = split_answers(
        ((item.get("name", ""), None, ", ".join(str(v) for v in item.get("values") or []))
         for item in lead["field_data"] if isinstance(item, dict)), META_FIELDS)
    consents, proof = disclaimer_consents(lead.get("custom_disclaimer_responses"))
    return Parsed(fields, external_id=lead.get("id"), answers=answers,
                  campaign_external_id=lead.get("campaign_id"), form_id=lead.get("form_id"),
                  is_test=str(lead.get("is_organic", "")).lower() == "test",
                  consents=consents, consent_proof=proof,
                  consent_at=consents and created_time(lead.get("created_time")))


def disclaimer_consents(responses):
    """The boxes of a form's custom disclaimer ([{checkbox_key, is_checked}]) -> ({channel:
    state}, proof). A box is a channel's when its key names one ("optin_sms"), else the
    generic consent; an unticked box is a refusal. The responses are kept as the proof."""
    boxes = [r for r in responses if isinstance(r, dict)] if isinstance(responses, list) else []
    answers = {}
    for box in boxes:
        checked = str(box.get("is_checked", "")).strip().lower() in ("1", "true")
        field = consent_field(box.get("checkbox_key")) or "consent"
        answers[field] = "yes" if checked else "no"
    consents = channel_states(answers)
    return consents, {"platform_fields": boxes} if consents else None


def created_time(text):
    """Meta's date of the lead ("2026-05-04T10:00:00+0000"), or None (then: now)."""
    try:
        return parse_datetime(text, "created_time", naive_zone=UTC)
    except DomainError:
        return None
