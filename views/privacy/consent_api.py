"""The lead API's read-only `consents`: the current state of each channel of a lead."""
from app.services.privacy.consent import current
from app.timezones import format_rfc3339
from models.consent import CHANNELS, METHODS, STATES


def consents_by_channel(session, lead_id):
    """{channel: {state, stated_at, method}} of the channels the lead has records for."""
    return {channel: {"state": record.state, "method": record.method,
                      "stated_at": format_rfc3339(record.stated_at) if record.stated_at else None}
            for channel, record in current(session, lead_id).items()}


_STATE = {"type": "object", "additionalProperties": False,
          "required": ["state", "method", "stated_at"], "properties": {
              "state": {"type": "string", "enum": list(STATES)},
              "method": {"type": "string", "enum": list(METHODS)},
              "stated_at": {"type": "string", "format": "date-time", "nullable": True}}}
# What GET /lead/{pk} adds to the model's columns (views/openapi.py puts it in the document).
CONSENTS_SCHEMA = {
    "type": "object", "readOnly": True, "additionalProperties": False,
    "description": "Consentement actuel par canal (lecture seule) ; un canal jamais renseigné "
                   "est absent.",
    "properties": {channel: _STATE for channel in CHANNELS}}
