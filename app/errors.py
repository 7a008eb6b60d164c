"""Error pages and JSON errors: translated, never a stack trace."""
from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.body_limits import too_large_message
from app.extensions import db


def _wants_json():
    return request.path.startswith(("/api/", "/lookup/", "/webhooks/")) or (
        request.accept_mimetypes.best == "application/json"
    )


def _render(status, message):
    if _wants_json():
        return jsonify(message=message), status
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


def register(app):
    @app.errorhandler(HTTPException)
    def http_error(exc):
        message = DEFAULT_MESSAGES.get(exc.code, lambda: exc.name)()
        # Our own aborts carry a translated description; Werkzeug's defaults are English.
        if exc.description and exc.description != type(exc).description:
            message = exc.description
        return _render(exc.code or 500, message)

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        # The CSRF check runs before FAB's before_request sets g.user, which the page reads.
        g.user = current_user
        return _render(400, _("Le formulaire a expiré ou n'est pas valide : "
                              "rechargez la page et recommencez."))

    @app.errorhandler(Exception)
    def unexpected(exc):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        return _render(500, _("Une erreur inattendue s'est produite. Elle a été enregistrée."))
