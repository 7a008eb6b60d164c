"""Error pages and JSON errors: translated, never a stack trace."""
from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, SecurityError

from app.body_limits import too_large_message
from app.extensions import db
from app.input_limits import db_id


def _wants_json():
    return request.path.startswith(("/api/", "/lookup/", "/webhooks/")) or (
        request.accept_mimetypes.best == "application/json"
    )


def _render(status, message, page=True):
    if _wants_json():
        return jsonify(message=message), status
    if not page:
        return message, status, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("error.html", status=status, message=message), status


DEFAULT_MESSAGES = {
    400: lambda: _("La demande est invalide."),
    401: lambda: _("Authentification requise."),
    403: lambda: _("Accès refusé."),
    404: lambda: _("Page ou élément introuvable."),
    405: lambda: _("Méthode non autorisée."),
    413: too_large_message,
    429: lambda: _("Trop de tentatives : réessayez dans un moment."),
}


def _path_names_an_impossible_id():
    return any(isinstance(value, str) and value.isdigit() and db_id(value) is None
               for value in (request.view_args or {}).values())


def register(app):
    @app.errorhandler(HTTPException)
    def http_error(exc):
        message = DEFAULT_MESSAGES.get(exc.code, lambda: exc.name)()
        # Our own aborts carry a translated description; Werkzeug's defaults are English.
        if exc.description and exc.description != type(exc).description:
            message = exc.description
        # A Host outside TRUSTED_HOSTS (SecurityError) leaves no URL adapter: no page links.
        if isinstance(exc, SecurityError):
            return _render(400, _("Nom d'hôte non autorisé."), page=False)
        return _render(exc.code or 500, message)

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        # The CSRF check runs before FAB's before_request sets g.user, which the page reads.
        g.user = current_user
        return _render(400, _("Le formulaire a expiré ou n'est pas valide : "
                              "rechargez la page et recommencez."))

    # A number beyond what the database stores (an id or a filter value of 20 digits): SQLite
    # refuses to bind it (OverflowError), PostgreSQL raises a data exception (SQLSTATE 22...).
    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(exc):
        db.session.rollback()
        app.logger.info("Value out of range on %s: %s", request.path, exc)
        if _path_names_an_impossible_id():  # FAB's own views (users, roles) look ids up raw
            return _render(404, DEFAULT_MESSAGES[404]())
        return _render(400, _("Valeur invalide ou hors limites : rien n'a été enregistré."))

    @app.errorhandler(Exception)
    def unexpected(exc):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        return _render(500, _("Une erreur inattendue s'est produite. Elle a été enregistrée."))
