"""What an import would do, before it runs: the first rows with their verdicts."""
from flask_babel import gettext as _

from app.services.importing.checks import RowRejected
from app.services.importing.mapping import clean_mapping
from app.services.importing.reading import iter_rows
from app.services.importing.runner import BatchRun

PREVIEW_ROWS = 20


class _DryBatch:
    """The few batch attributes a dry run reads (no database row is written)."""

    def __init__(self, mapping, policy):
        self.mapping, self.policy = mapping, policy
        self.id, self.source_id, self.campaign_id, self.owner_id = None, None, None, None
        self.total_rows = 0  # a preview checks a few rows: it looks their duplicates up one by one


def preview(session, path, settings, header_row, mapping, policy="skip", region="FR",
            limit=PREVIEW_ROWS):
    """(header, [(row number, cells, verdict text, kind)]) for the first `limit` data rows.

    kind is "ok", "blank", "rejected", "duplicate_file" or "duplicate_crm"."""
    header, lines = [], []
    run = BatchRun(session, _DryBatch(clean_mapping(mapping, 10_000), policy), region)
    for index, row in enumerate(iter_rows(path, settings)):
        if index == header_row:
            header = row
        if index <= header_row:
            continue
        if len(lines) == limit:
            break
        number = index + 1
        _number, _row, verdict = next(run.check_rows([(number, row)]))
        if verdict is None:
            lines.append((number, row, _("Ligne vide"), "blank"))
        elif isinstance(verdict, RowRejected):
            lines.append((number, row, verdict.reason, "rejected"))
        else:
            verdict["_number"] = number
            match = run.duplicate_of(verdict)
            if match is None:
                lines.append((number, row, _("Prête"), "ok"))
            elif match[0] == "row":
                lines.append((number, row, _("Doublon de la ligne %(n)s du fichier", n=match[1]),
                              "duplicate_file"))
            else:
                lines.append((number, row, _("Doublon du prospect n° %(id)s", id=match[1]),
                              "duplicate_crm"))
    return header, lines
