"""Bulk inserts for imports: PostgreSQL's COPY, or one DBAPI executemany elsewhere.

SQLAlchemy's per-row parameter handling costs more than SQLite itself on an import of 100,000
rows; both paths here run inside the session's transaction, on its connection, and apply the
column types' own conversions and scalar defaults, so rows read back exactly as ORM rows do.
"""
import operator

from sqlalchemy import insert


def _scalar_defaults(table, given):
    defaults = {}
    for column in table.columns:
        if column.name in given or column.primary_key:
            continue
        if column.default is not None and column.default.is_scalar:
            defaults[column.name] = column.default.arg
        elif column.default is not None:
            raise ValueError(f"bulk_insert needs an explicit value for {table.name}.{column.name}")
    return defaults


def bulk_insert(session, table, rows):
    """Insert `rows` (dicts with the same keys) into `table` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "sqlite"):
        connection.execute(insert(table), rows)
        return
    given = list(rows[0])
    # A row's values in `given` order, in one C call (itemgetter of one key gives no tuple).
    in_order = operator.itemgetter(*given) if len(given) > 1 else lambda row: (row[given[0]],)
    defaults = _scalar_defaults(table, given)
    names = given + list(defaults)
    fixed = list(defaults.values())
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    cursor = connection.connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([*in_order(row), *fixed])
        else:
            converters = [(position, _memoised(process)) for position, process in enumerate(
                _bind_processor(table.c[name].type, dialect) for name in names) if process]
            marks = ", ".join("?" * len(names))
            cursor.executemany(
                f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})",
                (_converted([*in_order(row), *fixed], converters) for row in rows))
    finally:
        cursor.close()


def _converted(values, converters):
    """Values as the column types store them (datetimes as SQLAlchemy's SQLite text)."""
    for position, process in converters:
        if values[position] is not None:
            values[position] = process(values[position])
    return values


def _memoised(process):
    """An import repeats the same few dates (its file's days, the chunk's clock reading): each
    is converted once (per call of bulk_insert)."""
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
