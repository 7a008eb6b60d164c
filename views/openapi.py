"""The OpenAPI document, made to say what the API does. FAB's describes one shared `q` for every
list (any column, any operator, any page), ids as strings, `_info` columns as an object, related
fields as anything, and only some of the errors: each is corrected here, once, from what the
API classes themselves declare (columns, filters, page size, choices)."""
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.api.manager import OpenApi

from app.input_limits import DB_INT_MAX, MAX_PAGE
from views.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER

ERROR_SCHEMA = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "Ce qui ne va pas, en français."},
        "errors": {"type": "object", "description": "Par champ, ses messages.",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "existing_id": {"type": "integer", "description": "L'élément que ceci dupliquerait."},
    },
}
ERRORS = {
    "400": "Demande invalide (paramètre, filtre, JSON)",
    "401": "Jeton absent, invalide ou expiré",
    "403": "Droit manquant pour ce rôle",
    "404": "Élément introuvable ou hors de votre périmètre",
    "405": "Méthode non autorisée sur cette adresse",
    "409": "Doublon : l'élément existe déjà",
    "413": "Corps de la demande trop volumineux",
    "415": "Type de contenu non accepté",
    "422": "Données refusées (règle métier ou champ invalide)",
    "429": "Trop de tentatives",
    "500": "Erreur inattendue",
}
ID = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}
_LIST_OPERATORS = ("in", "not_in")
_WRITES = ("post", "put", "patch", "delete")
_LIST_KEYS = ["list_columns", "order_columns", "label_columns", "description_columns",
              "list_title", "none"]
_INFO_KEYS = ["add_columns", "edit_columns", "filters", "permissions", "add_title", "edit_title",
              "none"]
_ITEM_KEYS = ["show_columns", "description_columns", "label_columns", "show_title", "none"]


class CRMOpenApi(OpenApi):
    """FAB's /api/<version>/_openapi, corrected (same permission name as FAB's)."""

    class_permission_name = "OpenApi"

    def response(self, code, **kwargs):
        """FAB's `get` answers the whole document through here."""
        if code == 200 and "paths" in kwargs:
            corrected(kwargs, self.appbuilder.baseviews)
        return super().response(code, **kwargs)


def corrected(spec, views):
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    components["responses"] = {
        code: {"description": text,
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for code, text in ERRORS.items()}
    apis = {f"/api/v1/{view.resource_name}/": view for view in views
            if isinstance(view, ModelRestApi)}
    for path, operations in spec["paths"].items():
        api = next((a for prefix, a in apis.items() if path.startswith(prefix)), None)
        for method, operation in operations.items():
            _declare_errors(path, method, operation)
            if method == "post" and path.startswith("/api/v1/sheet/"):  # all @idempotent
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
            if api is not None:
                _model_operation(api, path, method, operation, schemas)
    for api in apis.values():
        _bodies(api, schemas)
        _shown_extras(api, schemas)
    _not_blank(spec["paths"], schemas)
    _menu_and_login(spec["paths"])


def _shown_extras(api, schemas):
    """Values an API's GET adds to the model's columns (`openapi_shown_extra`: name -> schema),
    which FAB's generated schema, closed by additionalProperties, would otherwise refuse."""
    shown = schemas.get(f"{api.__class__.__name__}.get")
    if shown is not None and getattr(api, "openapi_shown_extra", None):
        shown.setdefault("properties", {}).update(api.openapi_shown_extra)


def _declare_errors(path, method, operation):
    codes = ["400", "401", "403", "500"]
    if "{" in path:
        codes += ["404", "405"]
    if method in _WRITES:
        codes += ["404", "413", "415", "422"]
    if method in ("post", "put", "delete"):
        codes.append("409")  # a duplicate, or a row others still refer to
    if path.startswith("/api/v1/security/"):
        codes = ["400", "401", "413", "415", "429", "500"]
    responses = operation.setdefault("responses", {})
    for code in codes:
        responses[code] = {"$ref": f"#/components/responses/{code}"}
    for code in [c for c in responses if c.startswith(("4", "5")) and c not in codes]:
        responses[code] = {"$ref": f"#/components/responses/{code}"}


def _model_operation(api, path, method, operation, schemas):
    name = type(api).__name__
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            parameter["schema"] = dict(ID)
        elif parameter.get("name") == "q":
            kind = ("info" if path.endswith("/_info") else "item" if "{" in path else "list")
            schemas[f"{name}.q_{kind}"] = _q_schema(api, kind)
            parameter["content"]["application/json"]["schema"] = {
                "$ref": f"#/components/schemas/{name}.q_{kind}"}
    ok = operation["responses"].get("200") or operation["responses"].get("201")
    body = ok.get("content", {}).get("application/json", {}).get("schema", {}) if ok else {}
    properties = body.get("properties", {})
    if "ids" in properties:
        properties["ids"]["items"] = {"type": "integer"}
    if "id" in properties:
        properties["id"] = {"type": "integer", "description": "L'identifiant de l'élément."}
    if method in ("post", "put") and "result" in properties:
        # What was stored, as the body was written, except decimals, read back as texts.
        properties["result"] = {"type": "object", "description": "L'élément enregistré."}
    for key in ("add_columns", "edit_columns"):
        if key in properties:
            properties[key] = {"type": "array", "items": {"$ref": "#/components/schemas/FieldInfo"}}
            schemas["FieldInfo"] = FIELD_INFO


FIELD_INFO = {
    "type": "object",
    "properties": {
        "name": {"type": "string"}, "label": {"type": "string"},
        "description": {"type": "string"}, "type": {"type": "string"},
        "required": {"type": "boolean"}, "unique": {"type": "boolean"},
        "count": {"type": "integer"},
        "values": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "value": {"type": "string"}}}},
        "validate": {"type": "array", "items": {"type": "string"}},
    },
}


def _q_schema(api, kind):
    if kind == "info":
        paging = {"type": "object", "additionalProperties": False, "properties": {
            "page": {"type": "integer"}, "page_size": {"type": "integer"}}}
        return {"type": "object", "additionalProperties": False, "properties": {
            key: {"type": "object", "additionalProperties": False,
                  "properties": {c: paging for c in columns if api.datamodel.is_relation(c)}}
            for key, columns in (("add_columns", api.add_columns),
                                 ("edit_columns", api.edit_columns))} | {
            "keys": {"type": "array", "items": {"enum": _INFO_KEYS}}}}
    if kind == "item":
        return {"type": "object", "additionalProperties": False, "properties": {
            "columns": {"type": "array", "items": {"enum": list(api.show_columns)}},
            "keys": {"type": "array", "items": {"enum": _ITEM_KEYS}}}}
    return {"type": "object", "additionalProperties": False,
            "not": {"required": ["columns", "select_columns"]}, "properties": {
        "page": {"type": "integer", "minimum": 0, "maximum": MAX_PAGE},
        "page_size": {"type": "integer", "minimum": 1, "maximum": api.max_page_size},
        "order_column": {"enum": list(api.order_columns)},
        "order_direction": {"enum": ["asc", "desc"]},
        "columns": {"type": "array", "items": {"enum": list(api.list_columns)}},
        "select_columns": {"type": "array", "items": {"enum": list(api.list_columns)}},
        "keys": {"type": "array", "items": {"enum": _LIST_KEYS}},
        "filters": {"type": "array", "items": {"oneOf": _filter_schemas(api)}},
    }}


def _filter_schemas(api):
    """One schema per searchable column: its operators and the type of its value."""
    found = []
    for column, filters in api._filters.get_search_filters().items():
        value = _value_schema(api.datamodel, column)
        operators = [f.arg_name for f in filters]
        for names, value_schema in (
                ([o for o in operators if o not in _LIST_OPERATORS], value),
                ([o for o in operators if o in _LIST_OPERATORS],
                 {"type": "array", "maxItems": 100, "items": value})):
            if names:
                found.append({"type": "object", "additionalProperties": False,
                              "required": ["col", "opr", "value"], "properties": {
                                  "col": {"enum": [column]}, "opr": {"enum": names},
                                  "value": value_schema}})
    return found


def _value_schema(datamodel, column):
    if datamodel.is_relation(column):
        return dict(ID)
    if datamodel.is_boolean(column):
        return {"type": "boolean"}
    if datamodel.is_integer(column):
        return {"type": "integer", "minimum": -DB_INT_MAX, "maximum": DB_INT_MAX}
    if datamodel.is_datetime(column):
        return {"type": "string", "format": "date-time"}
    if datamodel.is_date(column):
        return {"type": "string", "format": "date"}
    if datamodel.is_numeric(column) or datamodel.is_float(column):
        return {"type": "number", "minimum": -1e12, "maximum": 1e12}
    return {"type": "string", "maxLength": 200}


def _bodies(api, schemas):
    """POST and PUT bodies: related fields are ids, declared choices are enums, required texts
    are not empty; answers carry the same choices."""
    name = type(api).__name__
    for suffix in ("post", "put", "get", "get_list"):
        schema = schemas.get(f"{name}.{suffix}")
        if not schema:
            continue
        writing = suffix in ("post", "put")
        if not writing:
            schema.pop("required", None)  # `columns` in q may leave any of them out
        for column, prop in schema.get("properties", {}).items():
            if "$ref" in prop and not writing:  # a related row may be absent
                prop["allOf"] = [{"$ref": prop.pop("$ref")}]
                prop["nullable"] = True
            if writing and api.datamodel.is_relation(column):
                nullable = api.datamodel.is_nullable(column) if hasattr(
                    api.datamodel, "is_nullable") else True
                prop.clear()
                prop.update(ID, nullable=nullable and column not in schema.get("required", []))
            if column in api.enum_columns:
                prop["enum"] = list(api.enum_columns[column]) + (
                    [None] if prop.get("nullable") else [])
                prop.pop("maxLength", None)
            if (writing and prop.get("type") == "string" and not prop.get("nullable")
                    and "enum" not in prop and "format" not in prop):
                prop["minLength"] = 1
            if prop.get("type") == "number":  # a NUMERIC(12, 2): read back as a decimal text
                if writing:
                    prop.update(minimum=-1e9, maximum=1e9)
                else:
                    prop.clear()
                    prop.update(type="string", pattern=r"^-?\d+\.\d+$", nullable=True)
            if column in api.format_columns and prop.get("type") == "string":
                prop["format"] = api.format_columns[column]


def _not_blank(paths, schemas):
    """A text that may not be empty may not be blank either: the API trims what it stores."""
    for operations in paths.values():
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            schema = body and body["schema"]
            if schema and "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            for prop in (schema or {}).get("properties", {}).values():
                if prop.get("type") == "string" and prop.get("minLength"):
                    prop["pattern"] = r"\S"


def _menu_and_login(paths):
    """FAB's menu lists separators as the string "-"; its login needs a user name and a
    password (and only the database provider is set up here)."""
    menu = paths.get("/api/v1/menu/", {}).get("get")
    if menu:
        item = (menu["responses"]["200"]["content"]["application/json"]["schema"]
                ["properties"]["result"]["items"])
        item["properties"]["childs"]["items"] = {"anyOf": [{"type": "object"}, {"type": "string"}]}
    login = paths.get("/api/v1/security/login", {}).get("post")
    if login:
        body = login["requestBody"]["content"]["application/json"]["schema"]
        body["required"] = ["username", "password", "provider"]
        body["additionalProperties"] = False
        body["properties"]["provider"]["enum"] = ["db"]
        for name in ("username", "password"):
            body["properties"][name]["minLength"] = 1
