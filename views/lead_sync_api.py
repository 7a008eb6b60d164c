"""The lead API's sync endpoints: what changed since a cursor, and what was deleted."""
from flask import current_app, request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import gettext as _

from app.extensions import db
from app.input_limits import InvalidInput
from app.services.errors import DomainError
from app.services.lead_sync import changed_leads, deleted_leads, start_cursor
from app.timezones import format_rfc3339
from models.audit import API_READ
from views.privacy.audit_trail import audit_reads
from views.scoping import current_viewer


class LeadSyncEndpoints:
    """Mixed into LeadApi (same permission as its list: can_get)."""

    def _sync_page(self, pull):
        """Parse the cursor arguments (a 400 when bad), pull one page for the request's
        viewer."""
        args = request.args
        size = args.get("page_size", str(self.max_page_size))
        if not (size.isascii() and size.isdigit() and 1 <= int(size) <= self.max_page_size):
            raise InvalidInput(_("page_size doit être un entier de 1 à %(max)d.",
                                 max=self.max_page_size))
        try:
            start = start_cursor(args.get("cursor"), args.get("since"))
        except DomainError as exc:
            raise InvalidInput(exc.message) from None
        return pull(db.session, current_viewer(), start, int(size),
                    current_app.config["CRM_SYNC_SETTLE_SECONDS"])

    @expose("/changes", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def changes(self):
        """Leads written after a cursor, oldest first (OpenAPI: SYNC_OPERATIONS)."""
        page = self._sync_page(changed_leads)
        result = self.show_model_schema.dump(page.rows, many=True)
        audit_reads(API_READ, [row.id for row in page.rows], via="changes")
        return self.response(200, result=result,
                             next_cursor=page.next_cursor, has_more=page.has_more)

    @expose("/deleted", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def deleted(self):
        """Tombstones of the leads deleted after a cursor, oldest first."""
        page = self._sync_page(deleted_leads)
        return self.response(200, result=[
            {"id": row.lead_id, "external_id": row.external_id, "gclid": row.gclid,
             "fbclid": row.fbclid, "deleted_at": format_rfc3339(row.deleted_at)} for row in page.rows],
            next_cursor=page.next_cursor, has_more=page.has_more)

    def add_api_spec(self, api_spec):
        super().add_api_spec(api_spec)
        tags = [self.openapi_spec_tag or self.__class__.__name__]
        for name, (description, item) in SYNC_OPERATIONS.items():
            path = f"{self.route_base}/{name}"
            item = item or {"$ref": f"#/components/schemas/{self.__class__.__name__}.get"}
            api_spec._paths.setdefault(path, {})["get"] = _sync_operation(description, item, tags)


_NULLABLE_TEXT = {"type": "string", "nullable": True}
SYNC_OPERATIONS = {
    # None: the lead as GET /api/v1/lead/<id> shows it.
    "changes": ("Les prospects créés ou modifiés après le curseur, dans l'ordre (updated_at, "
                "id). Sans curseur ni `since` : depuis le début.", None),
    "deleted": ("Les prospects supprimés après le curseur, dans l'ordre (deleted_at, id) : un "
                "commercial voit ceux qui étaient les siens quand ils ont été supprimés.",
                {"type": "object", "properties": {
                    "id": {"type": "integer"}, "external_id": _NULLABLE_TEXT,
                    "gclid": _NULLABLE_TEXT, "fbclid": _NULLABLE_TEXT,
                    "deleted_at": {"type": "string", "format": "date-time"}}}),
}


def _sync_operation(description, item, tags):
    """The OpenAPI operation of a sync endpoint (written here: FAB reads YAML docstrings)."""
    page = {"type": "object", "properties": {
        "result": {"type": "array", "items": item},
        "next_cursor": _NULLABLE_TEXT, "has_more": {"type": "boolean"}}}
    return {
        "description": description, "tags": tags,
        "parameters": [
            {"in": "query", "name": "cursor", "required": False,
             "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 200},
             "description": "Le `next_cursor` de la réponse précédente, tel quel."},
            {"in": "query", "name": "since", "required": False,
             "schema": {"type": "string", "format": "date-time"},
             "description": "Premier appel : à partir de cet instant (RFC 3339)."},
            {"in": "query", "name": "page_size", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 100}}],
        "responses": {
            "200": {"description": "Une page et le curseur suivant",
                    "content": {"application/json": {"schema": page}}},
            "400": {"$ref": "#/components/responses/400"},
            "401": {"$ref": "#/components/responses/401"}},
    }
