"""Project base classes for generated screens and REST APIs."""
import re

from flask import abort, flash, redirect, request
from flask_appbuilder import BaseView, ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.exceptions import InvalidOperationFilterFABException
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from app.input_limits import MAX_PAGE, InvalidInput, db_id, in_db_int_range
from app.services.errors import ConflictError, DomainError
from app.timezones import parse_datetime
from models import User
from views.api_schema import CRMModel2SchemaConverter
from views.datamodel import CRMInterface
from views.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from views.idempotency import idempotent
from views.request_args import capped_page_size
from views.scoping import scope_filter
from views.security_screens import KnownActionsOnly

_FILTER_ARG = re.compile(r"^_flt_(\d{1,3})_(.+)$")
FAB_COMPARISONS = {"eq", "neq", "gt", "lt"}  # FAB's operators on date-time columns


def scoped_relations(datamodel, columns, given):
    """Query filters of a form's or an API's related fields: each related model's row-level
    rule (a rep's lead choices are their own leads), unless the view sets its own. FAB lists
    every row of a related table otherwise, in form selects, filter dropdowns and `_info`."""
    filters = dict(given or {})
    for column in columns:
        if column not in filters and datamodel.is_relation(column):
            rule = scope_filter(datamodel.get_related_model(column))
            if rule:
                filters[column] = rule
    return filters


# Labels of the related rows' columns that APIs list ("source.name": "Source : nom").
RELATED_LABELS = {"id": _l("identifiant"), "name": _l("nom"), "last_name": _l("nom"),
                  "username": _l("identifiant de connexion")}


def blank_if_none(value):
    return "" if value is None else value


class CRMModelView(KnownActionsOnly, ModelView):
    """ModelView with capped page sizes, checked sort columns and row-level-safe actions."""

    list_widget_template = "crm/widgets/list.html"
    page_size = 25

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # A subclass per view: setting `template` on FAB's ListWidget would change every view.
        self.list_widget = type("CRMListWidget", (self.list_widget,),
                                {"template": self.list_widget_template})
        # Detail pages show an empty cell, not "None", for a missing value.
        self.formatters_columns = {**{col: blank_if_none for col in self.show_columns},
                                   **self.formatters_columns}

    def _init_forms(self):
        self.search_form_query_rel_fields = scoped_relations(
            self.datamodel, self.search_columns, self.search_form_query_rel_fields)
        self.add_form_query_rel_fields = scoped_relations(
            self.datamodel, self.add_columns, self.add_form_query_rel_fields)
        self.edit_form_query_rel_fields = scoped_relations(
            self.datamodel, self.edit_columns, self.edit_form_query_rel_fields)
        super()._init_forms()

    def _get_list_widget(self, filters, order_column="", order_direction="", page=None,
                         page_size=None, **kwargs):
        if order_column and order_column not in self.order_columns:
            abort(400, description=_("Colonne de tri inconnue : %(name)s", name=order_column))
        return super()._get_list_widget(filters, order_column=order_column,
                                        order_direction=order_direction, page=page,
                                        page_size=capped_page_size(page_size), **kwargs)

    def _list(self, **kwargs):
        self._check_filter_args()
        return super()._list(**kwargs)

    def _check_filter_args(self):
        """FAB skips a `_flt_<n>_<column>` naming no filter of the list: refuse it by name."""
        search_filters = self._filters.get_search_filters()
        for name in request.args:
            if not name.startswith("_flt_"):
                continue
            match = _FILTER_ARG.match(name)
            if not match or len(search_filters.get(match[2], ())) <= int(match[1]):
                abort(400, description=_("Filtre inconnu : %(name)s", name=name[:60]))

    # FAB catches a pre_add/pre_update error, flashes it and redirects; the refused object may
    # still hang off a related row in the session. Drop it before anything else reads.
    def _add(self):
        widget = super()._add()
        if widget is None:
            self.datamodel.session.rollback()
        return widget

    def _edit(self, pk):
        widgets = super()._edit(pk)
        if widgets is None:
            self.datamodel.session.rollback()
        return widgets

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """FAB's detail page, with the item itself in the template context."""
        item = self.get_scoped_item(pk)
        widgets = self._show(pk)
        return self.render_template(self.show_template, pk=pk, item=item, title=self.show_title,
                                    widgets=widgets, related_views=self._related_views)

    def get_scoped_item(self, pk):
        """The item if the base filters (row-level rules) let the user see it, else 404."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

    # FAB's action endpoints load items without the base filters: a rep could act on any row.
    def action(self, name, pk):
        self.get_scoped_item(pk)
        return super().action(name, pk)

    def action_post(self):
        for pk in request.form.getlist("rowid"):
            self.get_scoped_item(pk)
        return super().action_post()

    def _delete(self, pk):
        item = self.get_scoped_item(pk)
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
            self.post_delete(item)
            flash(str(self.delete_row_message), "success")
        except DomainError as exc:
            flash(exc.message, "danger")
        self.update_redirect()

    def post_delete_redirect(self):
        return redirect(self.get_redirect())


class CRMModelRestApi(ModelRestApi):
    """ModelRestApi whose domain and database errors answer 422 with a clean message, whose
    pages, filters and related ids are checked before they reach the database, and whose
    related fields (`_info` values, POST and PUT) follow the row-level rule. Its schemas
    come from views/api_schema.py (RFC 3339 date-times, column defaults)."""

    max_page_size = 100
    model2schemaconverter = CRMModel2SchemaConverter
    # Columns an integrator looks rows up by: {column: (operators kept, normaliser)}. Only
    # those operators are offered (the others would scan the table), and each value is
    # normalised as the forms store it before it reaches the query.
    lookup_filters = {}
    # What the OpenAPI document declares beyond the model (views/openapi.py): the values a
    # column takes, and the format of a text column ("email").
    enum_columns = {}
    format_columns = {}

    def _gen_labels_columns(self, list_columns):
        """French labels where the API class gives none (FAB writes "Source Name", "Ends At"):
        a related row's column is named after the relation, a technical name stays as is."""
        self.label_columns = dict(self.label_columns)  # the class's dict is the screen's too
        for column in list_columns:
            if self.label_columns.get(column):
                continue
            relation, _dot, attribute = column.rpartition(".")
            if column == "id":
                self.label_columns[column] = _l("Numéro")
            elif relation and attribute in RELATED_LABELS:
                self.label_columns[column] = _l(
                    "%(relation)s : %(column)s", relation=self.label_columns.get(relation, relation),
                    column=RELATED_LABELS[attribute])
            else:
                self.label_columns[column] = column

    def _init_model_schemas(self):
        """A field without a default (views/api_schema.py loads defaults) that may not be empty
        is required; the OpenAPI document shows it."""
        super()._init_model_schemas()
        columns = self.datamodel.obj.__table__.columns
        for name, schema_field in self.add_model_schema.fields.items():
            if name in columns and columns[name].default is None and not columns[name].nullable:
                schema_field.required = True

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        """FAB passes an empty description through gettext, which answers the catalogue's
        header ("Project-Id-Version: ..."): empty stays empty."""
        info = super()._get_field_info(field, filter_rel_field, page, page_size)
        description = self.description_columns.get(field.name)
        info["description"] = _(str(description)) if description else ""
        return info

    def _sanitize_page_args(self, page, page_size):
        if page is not None and not 0 <= page <= MAX_PAGE:
            raise InvalidInput(_("Numéro de page invalide : %(page)s", page=str(page)[:20]))
        return super()._sanitize_page_args(page, page_size)

    def _handle_filters_args(self, rison_args):
        """FAB silently skips an unknown operator (the list then shows every row)."""
        search_filters = self._filters.get_search_filters()
        for spec in rison_args.get("filters", []):
            operators = {f.arg_name for f in search_filters.get(spec["col"], ())}
            if operators and spec["opr"] not in operators:
                raise InvalidOperationFilterFABException(
                    _("Opérateur de filtre inconnu : %(opr)s", opr=spec["opr"][:40]))
            values = spec["value"] if isinstance(spec["value"], list) else [spec["value"]]
            if any(isinstance(v, int) and not in_db_int_range(v) for v in values):
                raise InvalidOperationFilterFABException(
                    _("Valeur de filtre hors limites : %(col)s", col=spec["col"][:40]))
        self._read_datetime_filters(rison_args)
        self._normalise_lookup_values(rison_args)
        return super()._handle_filters_args(rison_args)

    def _normalise_lookup_values(self, rison_args):
        """Each value of a lookup column as stored (a 400 for one that cannot be)."""
        for spec in rison_args.get("filters", []):
            if spec.get("col") not in self.lookup_filters:
                continue
            normalise = self.lookup_filters[spec["col"]][1]
            values = spec["value"]
            if isinstance(values, list) != (spec["opr"] == "in"):
                raise InvalidOperationFilterFABException(
                    _("Filtre invalide : %(name)s", name=spec["col"][:40]))
            try:
                spec["value"] = ([normalise(v) for v in values] if isinstance(values, list)
                                 else normalise(values))
            except DomainError as exc:
                raise InvalidOperationFilterFABException(exc.message) from None

    def _keep_lookup_operators(self):
        search_filters = self._filters.get_search_filters()
        for column, (operators, _normalise) in self.lookup_filters.items():
            search_filters[column] = [f for f in search_filters.get(column, ())
                                      if f.arg_name in operators]

    def pre_get_list(self, data):
        """The datamodel stops counting past a look-ahead (views/datamodel.py): say so."""
        super().pre_get_list(data)
        data["count_is_exact"] = not getattr(data["count"], "capped", False)

    def add_api_spec(self, api_spec):
        super().add_api_spec(api_spec)
        self._document_count_and_idempotency(api_spec)

    def _document_count_and_idempotency(self, api_spec):
        """FAB's operations come from its docstrings: add what this class answers and reads."""
        operations = api_spec._paths.get(self.route_base + "/", {})
        listed = operations.get("get", {}).get("responses", {}).get("200")
        if listed:
            properties = listed["content"]["application/json"]["schema"]["properties"]
            properties["count_is_exact"] = {
                "type": "boolean",
                "description": "false : le comptage s'est arrêté à `count` (il y en a plus)."}
        if "post" in operations:
            operations["post"].setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)

    def _read_datetime_filters(self, rison_args):
        """The value of FAB's own comparisons on a date-time column reads like a date-time
        field (offset honoured, naive text is Paris wall time). FAB's dateutil compared an
        offset's wall time with UTC columns and turned garbage into a filter on NULL. The
        project's own filters (a day for `created_from`) read their values themselves."""
        for spec in rison_args.get("filters", []):
            if (spec["col"] not in self.lookup_filters and spec["opr"] in FAB_COMPARISONS
                    and self.datamodel.is_datetime(spec["col"])):
                try:
                    spec["value"] = parse_datetime(spec["value"], spec["col"])
                except DomainError as exc:
                    raise InvalidOperationFilterFABException(exc.message) from None

    def _related_ids_error(self):
        """A related object is named by its id: an object, a text or an id beyond the
        integer range in its place would reach the database (a 500)."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None
        for name, value in body.items():
            if not self.datamodel.is_relation(name) or value is None:
                continue
            ids = value if isinstance(value, list) else [value]
            if not all(isinstance(i, int) and db_id(i) is not None for i in ids):
                return self.response_422(message={name: [_("Identifiant d'élément lié invalide.")]})
        return None

    def _init_properties(self):
        super()._init_properties()
        self._keep_lookup_operators()
        self.add_query_rel_fields = scoped_relations(
            self.datamodel, self.add_columns, self.add_query_rel_fields)
        self.edit_query_rel_fields = scoped_relations(
            self.datamodel, self.edit_columns, self.edit_query_rel_fields)

    def _hidden_relation(self, rel_fields):
        """The first related field of the JSON body naming a row the user may not see (FAB
        loads related ids without any filter), as a 422 response; else None."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None
        for column, rule in rel_fields.items():
            if self.datamodel.get_related_model(column) is User:
                continue  # whom a row is given to: the lifecycles' owner rule decides
            value = body.get(column)
            for pk in value if isinstance(value, list) else [value]:
                if db_id(pk) is None:
                    continue  # absent or null (malformed ids were refused before)
                related = self.datamodel.get_related_interface(column)
                if related.get(pk, related.get_filters().add_filter_list(rule)) is None:
                    return self.response_422(message={column: [_("Élément introuvable.")]})
        return None

    def _headless(self, parent):
        try:
            return parent()
        except ConflictError as exc:
            self.datamodel.session.rollback()
            return self.response(409, message=exc.as_api_message())
        except DomainError as exc:
            self.datamodel.session.rollback()
            return self.response_422(message=exc.as_api_message())
        except ValidationError as exc:
            self.datamodel.session.rollback()
            return self.response_422(message=exc.messages)

    def _refused_body(self, rel_fields):
        return self._related_ids_error() or self._hidden_relation(rel_fields)

    @idempotent
    def post_headless(self):
        return self._refused_body(self.add_query_rel_fields) or self._headless(
            super().post_headless)

    def put_headless(self, pk):
        return self._refused_body(self.edit_query_rel_fields) or self._headless(
            lambda: super(CRMModelRestApi, self).put_headless(pk))

    def delete_headless(self, pk):
        return self._headless(lambda: super(CRMModelRestApi, self).delete_headless(pk))


def crm_datamodel(model):
    return CRMInterface(model)


class PageView(BaseView):
    """A custom page readable by one permission, can_list, at its route's root (`index`)."""

    base_permissions = ["can_list"]
    method_permission_name = {"index": "list"}
    default_view = "index"
