"""FAB's SQLA interface, with the list queries a large lead table needs."""
from flask import current_app
from flask_appbuilder.models.sqla.filters import FilterRelationOneToManyEqual, SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from sqlalchemy import Integer, false, func, inspect, select
from sqlalchemy.orm import MANYTOONE
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.services.errors import ConflictError, DomainError
from app.input_limits import db_id


class BoundedCount(int):
    """A row count that stopped counting: the true total is at least this many."""

    capped = True


class FilterForeignKeyEqual(FilterRelationOneToManyEqual):
    """FAB's relation filter, comparing the foreign key itself instead of loading the row."""

    def apply(self, query, value):
        relation = getattr(self.model, self.column_name).property
        if relation.direction is not MANYTOONE or len(relation.local_columns) != 1:
            return super().apply(query, value)
        (foreign_key,) = relation.local_columns
        key = db_id(value if isinstance(value, int) else str(value))
        return query.filter(false() if key is None else foreign_key == key)


class CRMFilterConverter(SQLAFilterConverter):
    conversion_table = tuple(
        (kind, [FilterForeignKeyEqual if f is FilterRelationOneToManyEqual else f for f in filters])
        for kind, filters in SQLAFilterConverter.conversion_table
    )


class CRMInterface(SQLAInterface):
    """Counts only as far as the pager needs and turns database errors into clean messages.

    FAB counts every matching row over a subquery on every page. Here the count stops at the
    current page plus a look-ahead (CRM_COUNT_LOOKAHEAD rows), so a filter that matches a
    million leads costs an index walk of a few thousand entries; the list then says
    "more than N".
    """

    filter_converter_class = CRMFilterConverter

    def __init__(self, obj, session=None):
        super().__init__(obj, session)
        self.FilterRelationOneToManyEqual = FilterForeignKeyEqual  # related tabs use it too

    def query_count(self, query, filters=None, select_columns=None, page=None, page_size=None):
        # Relations selected for display do not change the count: leave their joins out.
        inner = self._apply_inner_all(query, filters, aliases_mapping={})
        limit = (page or 0) * (page_size or 0) + current_app.config.get("CRM_COUNT_LOOKAHEAD", 10_000)
        ids = inner.with_entities(self._pk_column()).order_by(None).limit(limit + 1).subquery()
        count = self.session.execute(select(func.count()).select_from(ids)).scalar_one()
        return BoundedCount(limit) if count > limit else count

    def get(self, id, filters=None, select_columns=None, outer_default_load=False):
        """None (a 404) for an id no row can have: beyond the integer range the database
        raises instead of finding nothing."""
        (pk, *others) = self.obj.__mapper__.primary_key
        if not others and isinstance(pk.type, Integer):
            id = db_id(id)
            if id is None:
                return None
        return super().get(id, filters, select_columns, outer_default_load)

    def _pk_column(self):
        (pk,) = self.obj.__mapper__.primary_key
        return pk

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        """Count, then page through primary keys alone (an index walk, however deep the page),
        and join the related rows for the page's keys only: one statement each."""
        query = self.session.query(self.obj)
        count = self.query_count(query, filters, page=page, page_size=page_size)
        pk = self._pk_column()
        page_ids = self._apply_inner_all(query, filters, order_column, order_direction, page,
                                         page_size, aliases_mapping={}).with_entities(pk)
        rows = self.apply_all(query.filter(pk.in_(page_ids.scalar_subquery())), None,
                              order_column, order_direction, None, None, select_columns,
                              outer_default_load).all()
        # With select_columns FAB's query yields rows that wrap the model under its name.
        if rows and hasattr(rows[0], self.obj.__name__):
            rows = [getattr(row, self.obj.__name__) for row in rows]
        return count, rows

    def ids_around(self, filters, order_column, order_direction, index):
        """Primary keys at positions index-1, index, index+1 of the ordered, filtered list."""
        pk = self._pk_column()
        query = self._apply_inner_all(self.session.query(self.obj), filters, order_column,
                                      order_direction, None, None, aliases_mapping={})
        start = max(index - 1, 0)
        return [row[0] for row in query.with_entities(pk).offset(start).limit(index + 2 - start)]

    def _check_related(self, item):
        """marshmallow-sqlalchemy turns an unknown related id into a new, empty object."""
        for relation in inspect(type(item)).relationships:
            if relation.uselist:
                continue
            value = getattr(item, relation.key, None)
            if value is not None and inspect(value).transient:
                raise DomainError(_("Élément lié introuvable : %(field)s", field=relation.key),
                                  field=relation.key)

    def _write(self, operation, item):
        try:
            self._check_related(item)
            operation(item)
        except DomainError:
            self.session.rollback()
            raise
        except IntegrityError as exc:
            self.session.rollback()
            current_app.logger.info("Integrity error on %s: %s", self.obj.__name__, exc.orig)
            raise ConflictError(_("Cet enregistrement existe déjà ou fait référence à une donnée "
                                "absente : rien n'a été enregistré.")) from exc
        except SQLAlchemyError as exc:
            self.session.rollback()
            current_app.logger.exception("Database error on %s", self.obj.__name__)
            raise DomainError(_("Erreur de base de données : rien n'a été enregistré.")) from exc

    def add(self, item, commit=True):
        self._write(lambda obj: SQLAInterface.add(self, obj, commit), item)

    def stage(self, item):
        """Add and flush, not commit: what the same save writes next needs the row's id, and
        the caller's one commit follows. Errors are mapped like add's."""
        def _stage(obj):
            self.session.add(obj)
            self.session.flush()
        self._write(_stage, item)

    def edit(self, item, commit=True):
        # FAB wraps edit errors in its DatabaseException: unwrap to map them like add's.
        def _edit(obj):
            self.session.merge(obj)
            if commit:
                self.session.commit()
        self._write(_edit, item)

    def delete(self, item, commit=True):
        def _delete(obj):
            self.session.delete(obj)
            if commit:
                self.session.commit()
        self._write(_delete, item)
