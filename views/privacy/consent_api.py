"""The lead API's read-only `consents`: the current state of each channel of a lead."""
from app.services.privacy.consent import current
from app.timezones import format_rfc3339
from models.consent import CHANNELS, METHODS, STATES


def consents_by_channel(session, lead_id):
    """{channel: {state, stated_at, method}} of the channels the lead has records for."""
    return {channel: {"state": record.state, "method": record.method,
                      "stated_at": format_rfc3339(record.stated_at) if record.stated_at else None}
            for channel, record in current(session, lead_id).items()}


def document_consents(api_spec, route_base):
    """Say in the OpenAPI document that GET /lead/{pk} answers `consents` (FAB documents only
    the model's columns)."""
    shown = api_spec._paths.get(route_base + "/{pk}", {}).get("get", {})
    schema = (shown.get("responses", {}).get("200", {}).get("content", {})
              .get("application/json", {}).get("schema", {}))
    result = schema.get("properties", {}).get("result")
    if result is None:
        return
    state = {"type": "object", "additionalProperties": False,
             "required": ["state", "method", "stated_at"], "properties": {
                 "state": {"type": "string", "enum": list(STATES)},
                 "method": {"type": "string", "enum": list(METHODS)},
                 "stated_at": {"type": "string", "format": "date-time", "nullable": True}}}
    consents = {"type": "object", "readOnly": True,
                "description": "Consentement actuel par canal (lecture seule) ; un canal jamais "
                               "renseigné est absent.",
                "properties": {channel: state for channel in CHANNELS},
                "additionalProperties": False}
    if "$ref" in result:
        result = {"allOf": [result, {"type": "object", "properties": {"consents": consents}}]}
        schema["properties"]["result"] = result
    else:
        result.setdefault("properties", {})["consents"] = consents
