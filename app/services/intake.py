"""Leads arriving one at a time (ad platforms, web forms, the API): one path for all.

A delivery is stored raw first (record_delivery, committed by the caller), then processed
(process_delivery, from jobs/intake.py for every caller): parsed by its channel, normalised, matched against existing leads, created
or attached to the lead it duplicates. Processing can be replayed from the stored body. A
platform delivering the same lead again is counted on the first delivery, not stored again.
"""
import ipaddress
import json
import re

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.services.assignment import auto_assign
from app.services.contact import clean_text, normalise_email, normalise_phone, search_key
from app.services.errors import DomainError, RemoteError
from app.services.importing.checks import split_full_name
from app.services.importing.mapping import header_key, suggest
from app.services.leads import find_duplicate
from app.services.privacy.consent_intake import (CONSENT_FIELDS, channel_states, record_states,
                                                 suppressed_message)
from models import Campaign, IntakeDelivery, Lead, Source
from models.base import utcnow

ATTRIBUTION = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid",
               "fbclid")
GOOGLE_FIELDS = {"FULL_NAME": "full_name", "FIRST_NAME": "first_name", "LAST_NAME": "last_name",
                 "EMAIL": "email", "PHONE_NUMBER": "phone", "COMPANY_NAME": "company",
                 "WORK_EMAIL": "email", "WORK_PHONE": "phone"}


# Fields a web form posts as the proof of its consent boxes (compared in lower case), and the
# proof each one is, with its longest kept length.
WEB_FORM_PROOF = {"page_url": "page_url", "referer": "page_url",
                  "referrer": "page_url", "consent_text": "wording", "consent_wording": "wording",
                  "consent_version": "wording_version", "ip": "ip_address",
                  "ip_address": "ip_address", "user_agent": "user_agent"}
PROOF_LENGTHS = {"page_url": 2000, "wording": 5000, "wording_version": 50, "ip_address": 45,
                 "user_agent": 500}


class Parsed:
    """What a channel's payload says about one lead: its fields, and its consents per channel
    ({channel: state}) with their proof and the platform's date of them (None: now)."""

    def __init__(self, fields, external_id=None, attribution=None, answers=None, is_test=False,
                 campaign_external_id=None, form_id=None, consents=None, consent_proof=None,
                 consent_at=None):
        self.fields, self.external_id = fields, external_id
        self.attribution, self.answers = attribution or {}, answers or {}
        self.is_test, self.campaign_external_id, self.form_id = (is_test, campaign_external_id,
                                                                 form_id)
        self.consents, self.consent_at = consents or {}, consent_at
        self.consent_proof = consent_proof or {}


def consent_field(*names):
    """The consent field ("consent", "consent_email"...) the first recognised name stands for."""
    for name in names:
        field = suggest([header_key(str(name or ""))]).get(0)
        if field in CONSENT_FIELDS:
            return field
    return None


def proof_value(proof, value):
    """A proof field's value as kept: cut to its column, an IP address only if it is one."""
    value = str(value).strip()[:PROOF_LENGTHS[proof]]
    if proof == "ip_address":
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return None
    return value or None


def load_json(data):
    """A webhook body parsed; DomainError if malformed or nested too deep for the parser."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise DomainError(_("Corps de requête JSON invalide.")) from None


def _first_delivery(session, channel, external_id):
    return session.query(IntakeDelivery).filter_by(channel=channel,
                                                   external_id=external_id).one_or_none()


def _count_replay(session, delivery, body):
    delivery.replay_count = IntakeDelivery.replay_count + 1  # in SQL: simultaneous replays all count
    delivery.last_seen_at = utcnow()
    if not delivery.settled:
        delivery.body = body  # what will be processed now, and replayed from the journal
    session.flush()
    return delivery


def record_delivery(session, channel, source, body, content_type=None, remote_addr=None,
                    external_id=None):
    """The stored delivery; for a replay (same channel and platform lead id), the first one,
    which counts it."""
    external_id = (external_id or None) and str(external_id)[:100]
    earlier = _first_delivery(session, channel, external_id) if external_id else None
    if earlier is not None:
        return _count_replay(session, earlier, body)
    delivery = IntakeDelivery(channel=channel, source_id=source.id if source else None,
                              body=body, content_type=(content_type or "")[:100],
                              remote_addr=(remote_addr or "")[:64], external_id=external_id)
    try:
        with session.begin_nested():
            session.add(delivery)
    except IntegrityError:  # its twin, delivered at the same instant, was stored first
        return _count_replay(session, _first_delivery(session, channel, external_id), body)
    return delivery


def split_answers(items, known):
    """(key, question, value) triples -> ({lead field: value}, {question: answer}).

    Keys in `known` fill lead fields; the form's own questions are kept as answers."""
    fields, answers = {}, {}
    for key, question, value in items:
        value = str(value).strip()
        field = known.get(str(key))
        if field:
            fields.setdefault(field, value)
        elif value:
            answers[str(question or key)[:200]] = value[:2000]
    return fields, answers


def parse_google_ads(payload):
    """Google Ads lead form webhook body -> Parsed. Google has no consent field of its own:
    the form's consent questions come as columns like any other (their id or question names
    them), and are kept whole as the platform's proof, their question as the wording."""
    if not isinstance(payload, dict) or not isinstance(payload.get("user_column_data"), list):
        raise DomainError(_("Corps de requête Google Ads invalide : user_column_data manquant."))
    columns = [c for c in payload["user_column_data"] if isinstance(c, dict)]
    consent_columns = [(consent_field(c.get("column_id"), c.get("column_name")), c)
                       for c in columns]
    consent_columns = [(field, c) for field, c in consent_columns if field]
    fields, answers = split_answers(
        ((c.get("column_id", ""), c.get("column_name"), c.get("string_value", ""))
         for c in columns if not any(c is taken for _f, taken in consent_columns)), GOOGLE_FIELDS)
    consents = channel_states({field: c.get("string_value", "") for field, c in consent_columns})
    questions = [str(c["column_name"]) for _f, c in consent_columns if c.get("column_name")]
    proof = {"platform_fields": [c for _f, c in consent_columns]}
    if questions:
        proof["wording"] = proof_value("wording", "\n".join(questions))
    return Parsed(fields, external_id=payload.get("lead_id"),
                  attribution={"gclid": payload.get("gcl_id")}, answers=answers,
                  is_test=bool(payload.get("is_test")),
                  campaign_external_id=payload.get("campaign_id"), form_id=payload.get("form_id"),
                  consents=consents, consent_proof=proof if consents else None)


def field_name(name):
    """Elementor posts form_fields[email]: the name is the part in brackets."""
    inner = re.search(r"\[([^\]]+)\]$", name)
    return inner.group(1) if inner else name


def parse_web_form(data, field_mapping=None):
    """Form fields (any names) -> Parsed, with the source's own mapping first."""
    mapping = dict(field_mapping or {})
    fields, answers, attribution, consent_answers, proof = {}, {}, {}, {}, {}
    for name, value in data.items():
        value = str(value).strip()
        if not value:
            continue
        if name in ATTRIBUTION:
            attribution[name] = value[:200]
            continue
        proof_name = WEB_FORM_PROOF.get(field_name(name).lower())
        if proof_name:
            proof[proof_name] = proof_value(proof_name, value)
            continue
        field = mapping.get(name) or suggest([header_key(field_name(name))]).get(0)
        if field in CONSENT_FIELDS:
            consent_answers.setdefault(field, value)
        elif field and field not in fields:
            fields[field] = value
        else:
            answers[name[:200]] = value[:2000]
    consents = channel_states(consent_answers)
    return Parsed(fields, attribution=attribution, answers=answers, consents=consents,
                  consent_proof=proof if consents else None)


def _lead_from(parsed, source, region):
    f = parsed.fields
    first, last = f.get("first_name"), f.get("last_name")
    if not last and f.get("full_name"):
        first_from_full, last = split_full_name(f["full_name"])
        first = first or first_from_full
    email = normalise_email(f.get("email"))
    phone = normalise_phone(f.get("phone"), region)
    if not last and not email and not phone:
        raise DomainError(_("Ni nom, ni e-mail, ni téléphone : rien à enregistrer."))
    last = clean_text(last) or (email.split("@")[0] if email else phone)
    lead = Lead(first_name=clean_text(first), last_name=last[:100], email=email, phone=phone,
                company=clean_text(f.get("company")), note=clean_text(f.get("note")),
                status="new", source_id=source.id if source else None,
                external_id=(str(parsed.external_id)[:100] if parsed.external_id else None),
                form_id=str(parsed.form_id)[:100] if parsed.form_id else None,
                is_test=parsed.is_test,
                form_answers=json.dumps(parsed.answers, ensure_ascii=False) if parsed.answers else None)
    lead.first_name = lead.first_name and lead.first_name[:100]
    lead.name_key = search_key(f"{lead.last_name} {lead.first_name or ''}")[:201]
    for key, value in parsed.attribution.items():
        if value:
            setattr(lead, key, str(value)[:200])
    return lead


def _campaign_for(session, source, external_id, platform):
    if not external_id:
        return None
    external_id = str(external_id)[:64]
    campaign = session.query(Campaign).filter_by(platform=platform, external_id=external_id).first()
    if campaign is None:
        campaign = Campaign(name=f"{source.name if source else platform} {external_id}"[:200],
                            platform=platform, external_id=external_id, source=source)
        session.add(campaign)
        session.flush()
    return campaign


def intake(session, parsed, source, platform=None, region="FR"):
    """Create the lead a delivery describes, or return the live lead it duplicates.

    Returns (lead, created)."""
    lead = _lead_from(parsed, source, region)
    campaign = _campaign_for(session, source, parsed.campaign_external_id, platform)
    lead.campaign_id = campaign.id if campaign else None
    row = find_duplicate(session, lead.email, lead.phone)
    if row is not None:
        return session.get(Lead, row.id), False
    session.add(lead)
    session.flush()
    auto_assign(session, lead)
    return lead, True


def record_parsed_consents(session, lead, parsed, source, method):
    """The consents of a delivery, on the lead it made or duplicates (a person who fills a
    form again says it again). A web form without its own wording takes its source's.
    Returns True when the suppression list kept a consent out."""
    if not parsed.consents:
        return False
    proof = dict(parsed.consent_proof)
    if method == "web_form" and source is not None and not proof.get("wording"):
        proof["wording"] = source.consent_wording
        proof["wording_version"] = proof.get("wording_version") or source.consent_version
    return record_states(session, lead, parsed.consents, method, parsed.consent_at, **proof)


def finish(delivery, status, lead=None, message=None):
    delivery.status, delivery.message = status, message
    delivery.lead_id = lead.id if lead is not None else delivery.lead_id
    delivery.processed_at = utcnow()
    delivery.attempts += 1


def process_delivery(session, delivery, parse, region="FR"):
    """Parse a stored delivery (`parse()` -> Parsed) and turn it into a lead. The delivery
    records the outcome either way: a failure, counted as an attempt, is raised again once
    recorded, and what the failed attempt had written is undone (savepoint)."""
    source = session.get(Source, delivery.source_id) if delivery.source_id else None
    try:
        with session.begin_nested():
            parsed = parse()
            lead, created = intake(session, parsed, source, delivery.channel, region)
            kept_out = record_parsed_consents(session, lead, parsed, source, delivery.channel)
    except (DomainError, RemoteError) as exc:
        finish(delivery, "failed", message=(getattr(exc, "message", None) or str(exc))[:2000])
        raise
    finish(delivery, "created" if created else "duplicate", lead,
           suppressed_message() if kept_out else None)
    return lead, created
