"""Running an import batch: chunk by chunk, idempotent, every row accounted for.

Each row ends in exactly one count: created, updated, skipped (duplicate under the "skip"
policy), rejected (with its reason, written to the rejected-rows file) or blank. After each
chunk the caller's checkpoint runs (the job and the CLI commit there, with the batch's
progress), so a worker killed mid-way leaves a consistent state, and running the batch again
finds the rows it already wrote (lead.import_batch_id, import_row).
"""
import contextlib
import csv
import gc
import os

from flask_babel import gettext as _
from sqlalchemy import false, func, insert, select, update

from app.services.assignment import BulkAssigner
from app.services.bulk import BulkInserter
from app.services.exports import safe_cell
from app.services.importing.checks import RowChecker, RowRejected
from app.services.importing.names import NameResolver, OwnerResolver, remove_unused_names
from app.services.importing.reading import count_rows, is_blank, iter_rows, sniff
from app.services.lead_stats import count_in, recounting
from app.services.privacy.consent import summarise
from app.services.privacy.consent_intake import suppressed_message
from app.services.privacy.last_contact import touch
from app.services.privacy.suppression import digests
from models import ConsentRecord, Lead, LeadAssignment, Suppression
from models.base import utcnow

CHUNK = 10000
# Read every live e-mail and phone at once when the CRM has at most this many leads per row
# of the file.
PRELOAD_FACTOR = 3
IN_LIMIT = 5000  # values per IN (...) list (SQLite allows 32,766 since 3.32)


def data_rows(path, settings, header_row):
    """(row number in the file, 1-based, and cells) of every row after the header."""
    for index, row in enumerate(iter_rows(path, settings)):
        if index > header_row:
            yield index + 1, row


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _in_batches(values):
    values = list(values)
    for start in range(0, len(values), IN_LIMIT):
        yield values[start:start + IN_LIMIT]


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector, paused while the file is read, checked and written. Its rows'
    small lists and dicts set off hundreds of passes, and the older ones walk every object of
    the process: 0.6 to 0.9 s of a 100,000-row import. Rows form no reference cycles:
    reference counting frees them as each chunk is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _decode(marker):
    """("lead", id) or ("row", file row) for a marker of the duplicate maps, or None."""
    if marker is None:
        return None
    return ("lead", marker) if marker > 0 else ("row", -marker)


class BatchRun:
    def __init__(self, session, batch, region, checkpoint=None):
        self.session, self.batch, self.checkpoint = session, batch, checkpoint
        # What every row reads of the batch, as plain attributes (ORM ones cost more per row).
        self.batch_id, self.policy = batch.id, batch.policy
        self.default_source, self.default_campaign = batch.source_id, batch.campaign_id
        self.default_owner = batch.owner_id
        choices = batch.value_map
        self.checker = RowChecker(batch.mapping and {int(k): v for k, v in batch.mapping.items()},
                                  region, status_map=choices.get("status"))
        # Names created by an earlier run of this batch stay in its list (a run after a crash).
        self.created_names = {kind: batch.created_names.get(kind, [])
                              for kind in ("source", "campaign")}
        self.sources, self.campaigns = (
            NameResolver(session, kind, choices.get(kind), self.created_names[kind])
            for kind in ("source", "campaign"))
        self.owners = OwnerResolver(session)
        self.counts = dict(created=0, warned=0, updated=0, skipped=0, rejected=0, blank=0)
        self.warnings_writer = None
        self.assigner = BulkAssigner(session)
        self.inserter = BulkInserter(session, Lead.__table__)
        self.consent_inserter = BulkInserter(session, ConsentRecord.__table__)
        # The file's consents waiting for their lead's id: (file row, ("lead", id) or
        # ("row", file row of the lead), {channel: state}, the file's date or None).
        self.pending_consents = []
        self.assigned_by_rule = {}  # file row -> rule that gave its lead a rep
        # e-mail / phone -> a lead id (> 0), or minus the file row of this run that has it:
        # plain ints, as these maps hold one entry per row of files of a million rows.
        self.seen_email, self.seen_phone = {}, {}
        # Whether the maps take every live lead's e-mail and phone at once (None: not decided).
        self.read_whole = None
        # Only a batch run again after a crash has rows of its own to find.
        self.resuming = session.query(
            select(Lead.id).where(Lead.import_batch_id == batch.id).exists()).scalar()

    def run(self, settings):
        batch = self.batch
        rejected_file = open(batch.rejected_path, "w", encoding="utf-8-sig", newline="")
        warnings_file = open(batch.warnings_path, "w", encoding="utf-8-sig", newline="")
        try:
            writer = csv.writer(rejected_file, delimiter=";")
            self.warnings_writer = csv.writer(warnings_file, delimiter=";")
            header = next((row for i, row in enumerate(iter_rows(batch.stored_path, settings))
                           if i == batch.header_row), [])
            writer.writerow([safe_cell(c) for c in header] + [_("Motif du rejet"), _("Ligne")])
            self.warnings_writer.writerow([safe_cell(c) for c in header]
                                          + [_("Avertissements"), _("Ligne")])
            rows = data_rows(batch.stored_path, settings, batch.header_row)
            landing = None  # the chunk being inserted, and its size
            with collector_paused():
                for chunk in _chunks(rows, CHUNK):
                    checked = self._checked(chunk, writer)  # no database: overlaps the insert
                    if landing:
                        self._land(*landing)
                    landing = self._write(*checked), len(chunk)
                if landing:
                    self._land(*landing)
        finally:
            self.inserter.wait(raising=False)  # on an error, before the caller rolls back
            self.consent_inserter.wait(raising=False)
            rejected_file.close()
            warnings_file.close()
        return self.counts

    def _save_counts(self):
        for name, value in self.counts.items():
            setattr(self.batch, name, value)
        self.batch.created_names = self.created_names

    def _count_kept(self, number, row, values, count):
        """Count a created or updated row; a created one with warnings counts as "warned"."""
        warnings = values["warnings"]
        if warnings:
            self.warnings_writer.writerow([safe_cell(c) for c in row]
                                          + [" ; ".join(warnings), number])
            if count == "created":
                count = "warned"
        self.counts[count] += 1

    def _checked(self, chunk, writer):
        """The chunk's valid rows as (number, row, values), with its blank and rejected counts;
        rejected rows go to the rejected-rows file."""
        checked, blank, rejected = [], 0, 0
        for number, row, verdict in self.check_rows(chunk):
            if verdict is None:
                blank += 1
            elif isinstance(verdict, RowRejected):
                rejected += 1
                writer.writerow([safe_cell(c) for c in row] + [verdict.reason, number])
            else:
                checked.append((number, row, verdict))
        return checked, blank, rejected

    def _write(self, checked, blank, rejected):
        """Apply the duplicate policy to the checked rows, write the updates and start the
        inserts. Returns the inserted rows by file row."""
        self.now = utcnow()  # one clock reading per chunk: rows of a chunk land together
        self.counts["blank"] += blank
        self.counts["rejected"] += rejected
        done = self._rows_already_imported([n for n, _, _ in checked]) if self.resuming else {}
        self._load_existing(checked)
        self._drop_suppressed_consents(checked)
        inserts, updates, brought_again = {}, {}, set()
        for number, row, values in checked:
            if number in done:
                self._count_kept(number, row, values, "created")
                self._remember(values, done[number])
                continue
            match = self._match(values)
            if match is not None and match > 0:
                brought_again.add(match)  # an existing lead: the file is a new contact
            if match is None:
                inserts[number] = self._new_lead(number, values, duplicate=False)
                self._remember(values, -number)
                self._count_kept(number, row, values, "created")
            elif self.policy == "skip":
                self.counts["skipped"] += 1
            elif self.policy == "update":
                self._merge(number, match, values, inserts, updates)
                self._count_kept(number, row, values, "updated")
            else:
                inserts[number] = self._new_lead(number, values, duplicate=True)
                self._count_kept(number, row, values, "created")
        if updates:
            with recounting(self.session, ids=list(updates)):
                self.session.execute(update(Lead), [dict(id=i, **v) for i, v in updates.items()])
        touch(self.session, brought_again, self.now)
        self.inserter.insert(list(inserts.values()))
        return inserts

    def _land(self, inserts, size):
        """Once a chunk's inserts are in: its counts, assignment history and checkpoint."""
        self.inserter.wait()
        if inserts:
            count_in(self.session, inserts.values())
            self._record_assignments(inserts)
        self._record_consents()
        self.batch.processed_rows += size
        self._save_counts()
        self.checkpoint(self.batch)

    def check_rows(self, chunk):
        """(number, row, verdict): None for a blank row, RowRejected, or the lead values."""
        for number, row in chunk:
            if is_blank(row):
                yield number, row, None
                continue
            try:
                values = self.checker.check(row)
            except RowRejected as exc:
                yield number, row, exc
                continue
            owner = values["owner_name"]
            values["owner_id"] = owner and self.owners.find(owner)
            if owner and values["owner_id"] is None:
                values["warnings"] = (values["warnings"] or []) + [
                    _("Commercial inconnu, laissé aux règles d'attribution : %(value)s",
                      value=owner)]
            yield number, row, values

    def duplicate_of(self, values):
        """Where a checked row's e-mail or phone already stands: ("lead", id), ("row", n)
        for an earlier row of the file, or None. Remembers the row for the next ones."""
        self._load_existing([(None, None, values)])
        match = self._match(values)
        if match is None:
            self._remember(values, -values["_number"])
        return _decode(match)

    def _record_assignments(self, inserts):
        """History rows for the leads the rules assigned (ids read back by file row)."""
        by_rule = {n: self.assigned_by_rule.pop(n) for n in list(inserts) if n in self.assigned_by_rule}
        if not by_rule:
            return
        ids = self._rows_already_imported(list(by_rule))
        self.session.execute(insert(LeadAssignment.__table__), [
            {"lead_id": ids[n], "user_id": inserts[n]["owner_id"], "rule_id": by_rule[n],
             "at": self.now}
            for n in by_rule])

    def _rows_already_imported(self, numbers):
        found = {}
        for part in _in_batches(numbers):
            found.update(self.session.execute(
                select(Lead.import_row, Lead.id).where(
                    Lead.import_batch_id == self.batch_id, Lead.import_row.in_(part))).all())
        return found

    def _load_existing(self, checked):
        """Put the live leads holding the rows' e-mails and phones in the maps. A CRM not much
        bigger than the file is read whole once: one scan of two indexes costs less than a
        lookup per row."""
        if self.read_whole is True:
            return
        if self.read_whole is None:
            self.read_whole = bool(self.batch.total_rows) and self.session.query(
                func.count(Lead.id)).scalar() <= PRELOAD_FACTOR * self.batch.total_rows
        if self.read_whole:
            wanted = {Lead.email: None, Lead.phone: None}
        else:
            wanted = {Lead.email: {v["email"] for _, _, v in checked
                                   if v["email"] and v["email"] not in self.seen_email},
                      Lead.phone: {v["phone"] for _, _, v in checked
                                   if v["phone"] and v["phone"] not in self.seen_phone}}
        for column, seen in ((Lead.email, self.seen_email), (Lead.phone, self.seen_phone)):
            live = select(column, Lead.id).where(column.is_not(None),
                                                 Lead.possible_duplicate == false())
            parts = [live] if wanted[column] is None else \
                [live.where(column.in_(part)) for part in _in_batches(wanted[column])]
            connection = self.session.connection()  # Core rows: no ORM loading per value
            for query in parts:
                # Live values are unique and none asked for is in the map yet: plain update.
                seen.update(connection.execute(query).all())

    def _match(self, values):
        return (values["email"] and self.seen_email.get(values["email"])) or (
            values["phone"] and self.seen_phone.get(values["phone"])) or None

    def _remember(self, values, marker):
        if values["email"]:
            self.seen_email.setdefault(values["email"], marker)
        if values["phone"]:
            self.seen_phone.setdefault(values["phone"], marker)

    def _merge(self, number, match, values, inserts, updates):
        """Policy "update": the row's non-empty values replace the existing ones."""
        changes = {k: v for k, v in self._lead_values(values).items() if v is not None}
        kind, key = _decode(match)
        if kind == "row" and key in inserts:  # an earlier row of this chunk, not written yet
            inserts[key].update({k: v for k, v in changes.items() if k != "created_at"})
            self._pend_consents(number, values, ("row", key))
            return
        lead_id = key if kind == "lead" else self._rows_already_imported([key])[key]
        self._pend_consents(number, values, ("lead", lead_id))
        changes.pop("created_at", None)
        changes["updated_at"] = self.now
        updates.setdefault(lead_id, {}).update(changes)

    def _lead_values(self, values):
        """Column values of a row; the consent ones only when the file gives a consent, so
        that an update never takes one away."""
        status = values["status"]
        created = values["created_at"]
        lead = {
            "first_name": values["first_name"], "last_name": values["last_name"],
            "name_key": values["name_key"], "email": values["email"], "phone": values["phone"],
            "company": values["company"], "note": values["note"], "status": status,
            "source_id": self.sources.id_for(values["source_name"]) or self.default_source,
            "campaign_id": self.campaigns.id_for(values["campaign_name"]) or self.default_campaign,
            "created_at": created,
            "first_contacted_at": values["first_contacted_at"],
            "converted_at": (values["converted_at"] or created or self.now)
            if status == "converted" else None,
            "abandon_reason": (values["note"] or _("Importé comme abandonné"))[:500]
            if status == "abandoned" else None,
        }
        if "given" in values["consents"].values():
            # The file's date of the consent, or none: a consent date is a proof, never made up.
            lead["consent_contact"], lead["consent_at"] = True, values["consent_at"]
        return lead

    def _new_lead(self, number, values, duplicate):
        now = self.now
        lead = self._lead_values(values)
        owner_id = values["owner_id"] or self.default_owner
        if owner_id is None and not duplicate:
            owner_id, rule_id = self.assigner.owner_for(lead["source_id"], lead["campaign_id"])
            if owner_id is not None:
                self.assigned_by_rule[number] = rule_id
        lead["created_at"] = lead["created_at"] or now
        lead["updated_at"] = now
        # Retention runs from the contact the file records (its date, else the import).
        lead["last_contact_at"] = min(lead["created_at"], now)
        lead["owner_id"] = owner_id
        lead["possible_duplicate"] = duplicate
        lead.setdefault("consent_contact", False)
        lead.setdefault("consent_at", None)
        lead["import_batch_id"] = self.batch_id
        lead["import_row"] = number
        self._pend_consents(number, values, ("row", number))
        return lead

    def _pend_consents(self, number, values, target):
        if values["consents"]:
            self.pending_consents.append((number, target, values["consents"],
                                          values["consent_at"]))

    def _drop_suppressed_consents(self, checked):
        """The suppression list, read once per chunk for the rows that give a consent: a
        person who withdrew or was erased keeps no "given" from a file (record_consent's rule,
        without a query per row). The row is still imported, with a warning."""
        region = self.checker.region
        giving = [(values, digests(values["email"], values["phone"], region).values())
                  for _, _, values in checked if "given" in values["consents"].values()]
        wanted = {digest for _, found in giving for digest in found}
        suppressed = set()
        for part in _in_batches(wanted):
            suppressed.update(self.session.execute(
                select(Suppression.digest).where(Suppression.digest.in_(part))).scalars())
        for values, found in giving:
            if suppressed.intersection(found):
                values["consents"] = {channel: state for channel, state
                                      in values["consents"].items() if state != "given"}
                values["warnings"] = (values["warnings"] or []) + [suppressed_message()]

    def _record_consents(self):
        """The records of the chunk's consents, in bulk, once their leads have ids; the
        summary of leads an update gave a refusal is computed again from their records."""
        pending, self.pending_consents = self.pending_consents, []
        if not pending:
            return
        rows = self._rows_already_imported(
            [key for _, (kind, key), _, _ in pending if kind == "row"])
        records, refusals = [], set()
        for number, (kind, key), states, stated_at in pending:
            lead_id = key if kind == "lead" else rows[key]
            if (kind == "lead" or key != number) and "given" not in states.values():
                refusals.add(lead_id)
            records.extend({"lead_id": lead_id, "channel": channel, "state": state,
                            "stated_at": stated_at, "method": "import",
                            "import_batch_id": self.batch_id, "import_row": number,
                            "recorded_at": self.now} for channel, state in sorted(states.items()))
        self.consent_inserter.insert(records)
        self.consent_inserter.wait()
        for lead in self.session.query(Lead).filter(Lead.id.in_(refusals)) if refusals else ():
            summarise(self.session, lead)


def count_data_rows(path, settings, header_row):
    return max(0, count_rows(path, settings) - header_row - 1)


def run_batch(session, batch, checkpoint, region="FR"):
    """Run (or run again) an import batch to the end.

    `checkpoint(batch)` is called once the batch is marked running, after every chunk, and at
    the end: the caller commits there (a service never commits)."""
    settings = sniff(batch.stored_path, batch.encoding or "auto", batch.delimiter or "auto")
    batch.status, batch.error, batch.processed_rows = "running", None, 0
    stem = os.path.splitext(batch.stored_path)[0]
    batch.rejected_path = batch.rejected_path or stem + "-rejets.csv"
    batch.warnings_path = batch.warnings_path or stem + "-avertissements.csv"
    batch.total_rows = count_data_rows(batch.stored_path, settings, batch.header_row)
    checkpoint(batch)
    counts = BatchRun(session, batch, region, checkpoint).run(settings)
    batch.status, batch.finished_at = "done", utcnow()
    checkpoint(batch)
    return counts


def undo_batch(session, batch):
    """Remove the leads the import created (updated leads keep their new values), then the
    sources and campaigns it created that nothing uses any more."""
    created = Lead.import_batch_id == batch.id
    with recounting(session, condition=created):
        removed = session.query(Lead).filter(created).delete(synchronize_session=False)
    remove_unused_names(session, batch.created_names)
    batch.status, batch.undone_at = "undone", utcnow()
    return removed
