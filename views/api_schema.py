"""How the REST APIs turn model columns into marshmallow fields, where FAB's default is wrong:
date-times are RFC 3339 both ways, and a column's default is the value of an omitted field."""
from functools import partial

from flask_appbuilder.api.convert import Model2SchemaConverter
from marshmallow import ValidationError, fields

from app.services.errors import DomainError
from app.timezones import format_rfc3339, parse_datetime


class RFC3339DateTime(fields.DateTime):
    """Reads what app.timezones.parse_datetime reads (an offset is honoured, naive text is
    wall time in the CRM's zone); writes naive UTC with its offset. FAB's field dropped the
    offset on input and wrote naive text, which RFC 3339 "date-time" does not allow."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_datetime(value, attr)
        except DomainError as exc:
            raise ValidationError(exc.message) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return format_rfc3339(value)


class CRMModel2SchemaConverter(Model2SchemaConverter):
    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        if datamodel.is_relation(column.name) or column.name not in datamodel.list_columns:
            return field
        if isinstance(field, fields.DateTime):
            field = _rfc3339_like(field)
        # The column default is applied at flush, after the pre_add checks have read None
        # ("Statut de rendez-vous inconnu : None"): load it as the field's default instead.
        default = datamodel.list_columns[column.name].default
        if default is not None and not field.dump_only and (default.is_scalar or
                                                             default.is_callable):
            # SQLAlchemy wraps a callable default to take the execution context (unused here).
            field.load_default = default.arg if default.is_scalar else partial(default.arg, None)
            field.required = False
        return field


def _rfc3339_like(field):
    copy = RFC3339DateTime(required=field.required, allow_none=field.allow_none,
                           dump_only=field.dump_only, load_only=field.load_only,
                           validate=list(field.validators), metadata=field.metadata)
    copy.unique = getattr(field, "unique", False)
    return copy
