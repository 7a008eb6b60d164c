"""`flask crm rotate-key`: every sealed value of the database re-sealed with the newest key."""
from collections import Counter

from sqlalchemy import Text, and_, literal, select, type_coerce, update

import models
from app.services.secrets_box import reseal
from models.sealed import Sealed


def sealed_columns():
    """Every (table, column) of type Sealed: a credential added later is rotated too."""
    return [(table, column) for table in models.metadata.sorted_tables
            for column in table.columns if isinstance(column.type, Sealed)]


def rotate_secrets(session):
    """Re-seal each value not sealed with the newest key. Returns the counts of "rotated",
    "current" (already sealed with it) and "unreadable" values. Idempotent."""
    counts = Counter(rotated=0, current=0, unreadable=0)
    for table, column in sealed_columns():
        keys = list(table.primary_key.columns)
        raw = type_coerce(column, Text)  # the token as stored, not opened
        for *ids, token in session.execute(select(*keys, raw).where(column.is_not(None))):
            new_token, outcome = reseal(token)
            counts[outcome] += 1
            if outcome == "rotated":
                session.execute(update(table).where(and_(*(k == v for k, v in zip(keys, ids))))
                                .values({column.name: literal(new_token, Text)}))
    return dict(counts)
