"""Bulk inserts for imports: PostgreSQL's COPY; on SQLite, a staging table and one INSERT ...
SELECT run by a thread while the caller prepares the next rows.

SQLAlchemy's per-row parameter handling costs more than SQLite itself on an import of 100,000
rows; every path here runs inside the session's transaction, on its connection, and applies the
column types' own conversions and scalar defaults, so rows read back exactly as ORM rows do.
"""
import operator
import threading

from sqlalchemy import insert


def _scalar_defaults(table, given):
    defaults = {}
    for column in table.columns:
        if column.name in given or column.primary_key:
            continue
        if column.default is not None and column.default.is_scalar:
            defaults[column.name] = column.default.arg
        elif column.default is not None:
            raise ValueError(f"a bulk insert needs an explicit value for {table.name}.{column.name}")
    return defaults


class BulkInserter:
    """Inserts batches of rows (dicts with the same keys) into `table`.

    On SQLite, `insert` binds the rows into a staging table without indexes, then a thread
    moves them with one INSERT ... SELECT: sqlite3 lets go of the GIL for a statement's whole
    run, so the upkeep of the table's indexes (most of an import's database time) overlaps the
    caller's checks of the next rows. Until `wait` returns, the caller must not use the
    session. (A thread inserting row by row was tried: sqlite3 takes the GIL back for every row,
    and the threads were slower than one.)"""

    def __init__(self, session, table):
        self.session, self.table = session, table
        self.staging = None  # name of the SQLite staging table, once created
        self.thread = self.error = None

    def insert(self, rows):
        self.wait()
        if not rows:
            return
        connection = self.session.connection()
        dialect = connection.dialect
        if dialect.name not in ("postgresql", "sqlite"):
            connection.execute(insert(self.table), rows)
            return
        given = list(rows[0])
        defaults = _scalar_defaults(self.table, given)
        names = given + list(defaults)
        fixed = list(defaults.values())
        # A row's values in `given` order, in one C call (itemgetter of one key gives no tuple).
        in_order = operator.itemgetter(*given) if len(given) > 1 else lambda row: (row[given[0]],)
        quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
        raw = connection.connection.dbapi_connection
        if dialect.name == "postgresql":
            with raw.cursor() as cursor, \
                    cursor.copy(f"COPY {self.table.name} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([*in_order(row), *fixed])
            return
        converters = [(position, _memoised(process)) for position, process in enumerate(
            _bind_processor(self.table.c[name].type, dialect) for name in names) if process]
        staging = self._staging(raw, names, quoted)
        raw.executemany(f"INSERT INTO {staging} ({quoted}) VALUES ({', '.join('?' * len(names))})",
                        (_converted([*in_order(row), *fixed], converters) for row in rows))
        self.thread = threading.Thread(target=self._move, name="bulk-insert", args=(
            raw, f"INSERT INTO {self.table.name} ({quoted}) SELECT {quoted} FROM {staging}",
            staging))
        self.thread.start()

    def _staging(self, raw, names, quoted):
        """A temporary table (this connection only) with untyped columns: values stay exactly
        as bound until the INSERT ... SELECT gives them the real columns' types."""
        if self.staging is None:
            self.staging = f"temp.bulk_{self.table.name}"
            raw.execute(f"DROP TABLE IF EXISTS {self.staging}")
            raw.execute(f"CREATE TABLE {self.staging} ({quoted})")
        return self.staging

    def _move(self, raw, statement, staging):
        try:
            raw.execute(statement)
            raw.execute(f"DELETE FROM {staging}")
        except Exception as exc:  # handed to the caller's thread by wait()
            self.error = exc

    def wait(self, raising=True):
        """Block until the rows given last are in the table; raise what the insert raised."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        error, self.error = self.error, None
        if error is not None and raising:
            raise error


def _converted(values, converters):
    """Values as the column types store them (datetimes as SQLAlchemy's SQLite text)."""
    for position, process in converters:
        if values[position] is not None:
            values[position] = process(values[position])
    return values


def _memoised(process):
    """An import repeats the same few dates (its file's days, the chunk's clock reading): each
    is converted once (per call of insert)."""
    done = {}

    def converted(value):
        try:
            return done[value]
        except KeyError:
            done[value] = result = process(value)
            return result
        except TypeError:  # unhashable
            return process(value)
    return converted


def _bind_processor(column_type, dialect):
    # The dialect's own implementation of the type (SQLite's DATETIME, not the generic one).
    return column_type.dialect_impl(dialect).bind_processor(dialect)
