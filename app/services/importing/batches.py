"""Creating an import batch from a file: store it, read its settings, map its columns."""
import csv
import itertools
import os
import secrets
import shutil

from flask_babel import gettext as _

from app.services.errors import DomainError
from app.services.importing.mapping import clean_mapping, find_header_row, suggest
from app.services.importing.reading import iter_rows, sniff
from app.services.importing.names import NameResolver
from models import POLICIES, STATUSES, ImportBatch

HEAD_ROWS = 15
ALLOWED_EXTENSIONS = (".csv", ".txt", ".xlsx")


def store_file(source_path, file_name, storage_dir):
    """Copy the file under a random name (the user's name is kept only as a label)."""
    extension = os.path.splitext(file_name)[1].lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise DomainError(_("Type de fichier non pris en charge : choisissez un fichier CSV ou "
                            "Excel (.xlsx)."))
    os.makedirs(storage_dir, exist_ok=True)
    stored = os.path.join(storage_dir, secrets.token_hex(16) + extension)
    shutil.copyfile(source_path, stored)
    return stored


def head(path, settings, count=HEAD_ROWS):
    rows = []
    for row in iter_rows(path, settings):
        rows.append(row)
        if len(rows) == count:
            break
    return rows


def describe(path, encoding="auto", delimiter="auto", header_row=None):
    """(settings, header row index, first rows, suggested mapping) of a stored file."""
    settings = sniff(path, encoding, delimiter)
    rows = head(path, settings)
    if not rows:
        raise DomainError(_("Le fichier est vide."))
    if header_row is None:
        header_row = find_header_row(rows)
    if not 0 <= header_row < len(rows):
        raise DomainError(_("Ligne d'en-tête invalide."))
    return settings, header_row, rows, suggest(rows[header_row])


def check_ready(batch):
    """A batch may run once a column gives the lead's name."""
    if not {"last_name", "full_name"} & set(batch.mapping.values()):
        raise DomainError(_("Indiquez quelle colonne contient le nom."))


def clean_value_map(session, value_map):
    """The admin's choices for the file's values, {kind: {key: code or id}}, checked: a status
    code, or the id of an existing source or campaign. Empty choices are left out."""
    result = {}
    for kind, choices in (value_map or {}).items():
        for key, choice in choices.items():
            if not choice:
                continue
            if kind == "status":
                valid = choice in STATUSES
            else:
                model = NameResolver.MODELS[kind][0] if kind in NameResolver.MODELS else None
                valid = model is not None and str(choice).isdigit() and len(str(choice)) < 10 \
                    and session.get(model, int(choice)) is not None
                choice = int(choice) if valid else choice
            if not valid:
                raise DomainError(_("Choix invalide pour « %(value)s »", value=key))
            result.setdefault(kind, {})[key] = choice
    return result


def configure(batch, *, encoding="auto", delimiter="auto", header_row=None, mapping=None,
              source_id=None, campaign_id=None, owner_id=None, policy="skip", value_map=None,
              session=None):
    """Read the file with these settings and record them (and the mapping) on the batch.

    Returns the first rows of the file. Without a mapping, the suggested one is kept; with a
    value map (and the session to check it), the admin's choices for the file's values."""
    if policy not in POLICIES:
        raise DomainError(_("Politique de doublons inconnue : %(value)s", value=policy))
    if value_map is not None:
        batch.value_map = clean_value_map(session, value_map)
    settings, header_row, rows, suggested = describe(batch.stored_path, encoding, delimiter,
                                                     header_row)
    width = max(len(row) for row in rows)
    mapping = clean_mapping(mapping if mapping is not None else suggested, width)
    batch.encoding, batch.delimiter, batch.header_row = (settings.encoding, settings.delimiter,
                                                         header_row)
    batch.source_id, batch.campaign_id, batch.owner_id, batch.policy = (
        source_id, campaign_id, owner_id, policy)
    batch.mapping = {str(k): v for k, v in mapping.items()}
    return rows


def new_batch(session, stored_path, file_name, *, user_id=None, ready=True, **settings):
    """An import batch for a stored file; `ready` also requires the name column to be known."""
    batch = ImportBatch(created_by_id=user_id, file_name=file_name[:255],
                        stored_path=stored_path)
    configure(batch, **settings)
    if ready:
        check_ready(batch)
    session.add(batch)
    session.flush()
    return batch


def warned_rows(batch, limit):
    """(file row, warnings) of the first `limit` rows of the batch's warnings file."""
    if not batch.warnings_path or not os.path.exists(batch.warnings_path):
        return []
    with open(batch.warnings_path, encoding="utf-8-sig", newline="") as handle:
        rows = itertools.islice(csv.reader(handle, delimiter=";"), 1, limit + 1)
        return [(row[-1], row[-2]) for row in rows]
