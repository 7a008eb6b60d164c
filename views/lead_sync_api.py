"""The lead API's sync endpoints: what changed since a cursor, and what was deleted."""
from flask import current_app, request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import gettext as _

from app.extensions import db
from app.input_limits import InvalidInput
from app.services.errors import DomainError
from app.services.lead_sync import changed_leads, deleted_leads, start_cursor
from app.timezones import UTC
from views.scoping import current_viewer

def _iso(value):
    return value.replace(tzinfo=UTC).isoformat() if value else None


class LeadSyncEndpoints:
    """Mixed into LeadApi (same permission as its list: can_get)."""

    def _sync_page(self, pull):
        """Parse the cursor arguments (a 400 when bad), pull one page for the request's
        viewer."""
        args = request.args
        size = args.get("page_size", str(self.max_page_size))
        if not (size.isdigit() and 1 <= int(size) <= self.max_page_size):
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
        """Leads written after a cursor, oldest first
        ---
        get:
          description: >-
            Les prospects créés ou modifiés après le curseur, dans l'ordre (updated_at, id).
            Sans curseur ni `since` : depuis le début. Reprendre `next_cursor` à l'appel
            suivant tant que `has_more` est vrai, puis plus tard.
          parameters:
          - {in: query, name: cursor, required: false, schema: {type: string}}
          - {in: query, name: since, required: false, schema: {type: string, format: date-time}}
          - {in: query, name: page_size, required: false,
             schema: {type: integer, minimum: 1, maximum: 100, default: 100}}
          responses:
            200:
              description: Une page de prospects et le curseur suivant
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: array
                        items:
                          $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
                      next_cursor: {type: string, nullable: true}
                      has_more: {type: boolean}
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
        """
        page = self._sync_page(changed_leads)
        return self.response(200, result=self.show_model_schema.dump(page.rows, many=True),
                             next_cursor=page.next_cursor, has_more=page.has_more)

    @expose("/deleted", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def deleted(self):
        """Tombstones of deleted leads after a cursor, oldest first
        ---
        get:
          description: >-
            Les prospects supprimés après le curseur, dans l'ordre (deleted_at, id) : un
            commercial voit ceux qui étaient les siens au moment de la suppression.
          parameters:
          - {in: query, name: cursor, required: false, schema: {type: string}}
          - {in: query, name: since, required: false, schema: {type: string, format: date-time}}
          - {in: query, name: page_size, required: false,
             schema: {type: integer, minimum: 1, maximum: 100, default: 100}}
          responses:
            200:
              description: Une page de suppressions et le curseur suivant
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: array
                        items:
                          type: object
                          properties:
                            id: {type: integer}
                            external_id: {type: string, nullable: true}
                            gclid: {type: string, nullable: true}
                            fbclid: {type: string, nullable: true}
                            deleted_at: {type: string, format: date-time}
                      next_cursor: {type: string, nullable: true}
                      has_more: {type: boolean}
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
        """
        page = self._sync_page(deleted_leads)
        return self.response(200, result=[
            {"id": row.lead_id, "external_id": row.external_id, "gclid": row.gclid,
             "fbclid": row.fbclid, "deleted_at": _iso(row.deleted_at)} for row in page.rows],
            next_cursor=page.next_cursor, has_more=page.has_more)
