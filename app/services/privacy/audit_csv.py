"""The audit log as a CSV file (";" and a BOM, for a French Excel), newest entries first."""
from flask_babel import lazy_gettext as _l

from app.services.privacy.audit import entries
from app.services.table_files import write_csv
from app.timezones import to_local
from models.audit import ACTIONS

COLUMNS = [(_l("Date"), "date"), (_l("Utilisateur"), "text"), (_l("N° utilisateur"), "text"),
           (_l("Adresse IP"), "text"), (_l("Action"), "text"), (_l("N° prospect"), "text"),
           (_l("Détail"), "text")]
# Read by keyset pages of this size (the session's identity map holds its rows weakly).
CHUNK = 5_000


def _rows(session, wanted, limit):
    after, left = None, limit
    while left > 0:
        page = entries(session, wanted, min(CHUNK, left), after)
        for entry in page:
            yield (to_local(entry.at).replace(tzinfo=None), entry.username,
                   entry.user_id and str(entry.user_id), entry.ip_address,
                   str(ACTIONS.get(entry.action, entry.action)),
                   entry.lead_id and str(entry.lead_id), entry.detail)
        if len(page) < min(CHUNK, left):
            return
        left -= len(page)
        after = (page[-1].at, page[-1].id)


def write_audit_csv(session, wanted, handle, limit):
    """Write at most `limit` entries matching `wanted` to a text handle; returns the count."""
    return write_csv(COLUMNS, _rows(session, wanted, limit), handle, delimiter=";")
