"""Source, campaign and rep names of a file -> ids.

A name matches without case, accents or punctuation, through the aliases an admin gave the
source or campaign, or through the wizard's choice for this file ("map"). A source or
campaign that still matches nothing is created, and remembered so that undo can remove it."""
from sqlalchemy import select

from app.services.importing.mapping import header_key
from models import Campaign, Source, User


def _known(session, model):
    """{key: id} of every name and alias of the model's rows (a CRM has a few hundred)."""
    known = {}
    for item_id, name, aliases in session.execute(select(model.id, model.name, model.aliases)):
        for alias in (aliases or "").splitlines():
            if alias.strip():
                known.setdefault(header_key(alias), item_id)
        known[header_key(name)] = item_id  # a real name wins over another row's alias
    return known


class NameResolver:
    """Names of one kind ("source" or "campaign") -> ids, creating the ones that match nothing.

    `choices` is the admin's {key: id} for this file; `created` (a list) receives the ids of
    the rows created."""

    MODELS = {"source": (Source, {"kind": "import"}), "campaign": (Campaign, {"platform": "other"})}

    def __init__(self, session, kind, choices=None, created=None):
        self.session = session
        self.model, self.defaults = self.MODELS[kind]
        self.known = _known(session, self.model)
        self.known.update({key: int(item_id) for key, item_id in (choices or {}).items()
                           if item_id})
        self.created = created if created is not None else []

    def find(self, name):
        return self.known.get(header_key(name)) if name else None

    def id_for(self, name):
        if not name:
            return None
        found = self.find(name)
        if found is None:
            item = self.model(name=name, **self.defaults)
            self.session.add(item)
            self.session.flush()
            found = self.known[header_key(name)] = item.id
            self.created.append(item.id)
        return found


class OwnerResolver:
    """A rep written as their full name, username or e-mail -> user id (None if unknown)."""

    def __init__(self, session):
        self.known = {}
        for user_id, username, email, first, last in session.execute(
                select(User.id, User.username, User.email, User.first_name, User.last_name)):
            for text in (f"{first or ''} {last or ''}", username, email):
                if text and text.strip():
                    self.known.setdefault(header_key(text), user_id)

    def find(self, name):
        return self.known.get(header_key(name)) if name else None


def _in_use(session, table, item_id):
    """Whether a row of any table refers to this row of `table`."""
    for other in table.metadata.tables.values():
        for key in other.foreign_keys:
            if key.column.table is table and session.execute(
                    select(key.parent).where(key.parent == item_id).limit(1)).first():
                return True
    return False


def remove_unused_names(session, created_names):
    """Delete the sources and campaigns of `created_names` ({"source": [id...], ...}) that no
    row refers to any more. Campaigns first: one may be all that holds a created source."""
    for kind in ("campaign", "source"):
        model = NameResolver.MODELS[kind][0]
        for item_id in created_names.get(kind, []):
            if not _in_use(session, model.__table__, item_id):
                session.query(model).filter(model.id == item_id).delete(synchronize_session=False)
