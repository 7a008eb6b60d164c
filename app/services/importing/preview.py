"""What an import would do, before it runs: the first rows with their verdicts."""
from flask_babel import gettext as _

from app.services.importing.checks import RowRejected
from app.services.importing.mapping import clean_mapping, header_key
from app.services.importing.names import NameResolver
from app.services.importing.reading import iter_rows
from app.services.importing.runner import BatchRun
from app.services.importing.statuses import known_status
from models import STATUSES

PREVIEW_ROWS = 20
SCANNED_ROWS = 100_000  # rows read for the values to choose (the settings page reads them)
CHOICES_PER_KIND = 100


class _DryBatch:
    """The few batch attributes a dry run reads (no database row is written)."""

    def __init__(self, mapping, policy, value_map):
        self.mapping, self.policy, self.value_map = mapping, policy, value_map
        self.created_names = {}
        self.id, self.source_id, self.campaign_id, self.owner_id = None, None, None, None
        self.total_rows = 0  # a preview checks a few rows: it looks their duplicates up one by one


def preview(session, path, settings, header_row, mapping, policy="skip", region="FR",
            limit=PREVIEW_ROWS, value_map=None):
    """(header, [(row number, cells, verdict text, kind)]) for the first `limit` data rows.

    kind is "ok", "warned", "blank", "rejected", "duplicate_file" or "duplicate_crm"."""
    header, lines = [], []
    run = BatchRun(session, _DryBatch(clean_mapping(mapping, 10_000), policy, value_map or {}),
                   region)
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
            if match is None and verdict["warnings"]:
                lines.append((number, row, _("Prête, avec avertissement : %(warnings)s",
                                             warnings=" ; ".join(verdict["warnings"])), "warned"))
            elif match is None:
                lines.append((number, row, _("Prête"), "ok"))
            elif match[0] == "row":
                lines.append((number, row, _("Doublon de la ligne %(n)s du fichier", n=match[1]),
                              "duplicate_file"))
            else:
                lines.append((number, row, _("Doublon du prospect n° %(id)s", id=match[1]),
                              "duplicate_crm"))
    return header, lines


def values_to_choose(session, path, settings, header_row, mapping, value_map):
    """{kind: [(key, value as first written, chosen code or id, chosen label)]} of the file's
    statuses that the CRM does not know, and of its sources and campaigns that match none
    (they would be created): the wizard lets the admin choose what each stands for. Reads the
    first SCANNED_ROWS rows."""
    columns = {field: index for index, field in clean_mapping(mapping, 10_000).items()
               if field in ("status", "source", "campaign")}
    resolvers = {kind: NameResolver(session, kind) for kind in ("source", "campaign")
                 if kind in columns}
    found = {kind: {} for kind in columns}
    for number, row in enumerate(iter_rows(path, settings)):
        if number > header_row + SCANNED_ROWS:
            break
        if number <= header_row:
            continue
        for kind, index in columns.items():
            value = row[index] if index < len(row) else ""
            if not value or len(found[kind]) >= CHOICES_PER_KIND:
                continue
            key = header_key(value)
            if key in found[kind]:
                continue
            unknown = known_status(value) is None if kind == "status" else \
                resolvers[kind].find(value) is None
            if unknown:
                found[kind][key] = value
    return {kind: [(key, value, *_chosen(session, kind, value_map.get(kind, {}).get(key)))
                   for key, value in sorted(values.items())]
            for kind, values in found.items() if values}


def _chosen(session, kind, choice):
    """(choice, its label) of what the admin chose for a value, or (None, None)."""
    if not choice:
        return None, None
    if kind == "status":
        return choice, str(STATUSES[choice])
    item = session.get(NameResolver.MODELS[kind][0], choice)
    return (choice, item.name) if item else (None, None)
