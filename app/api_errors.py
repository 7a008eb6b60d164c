"""One body for every error of the REST API: {"message": "<French text>", "errors": {field:
[messages]}}, `errors` only when fields are at fault (and `existing_id` when a duplicate names
the row it would duplicate).

FAB answers its 422s with {"message": {field: [...]}}, its login with a dict too, and
Flask-JWT-Extended with {"msg": ...} and a 422 for a malformed token: each is brought to the
one shape here, once, after the response is built, whatever produced it."""
from flask import jsonify, request
from flask_babel import gettext as _

API_PREFIX = "/api/"


def error_body(message, errors=None, **extra):
    body = {"message": str(message)}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def _field_errors(mapping):
    """{field: [texts]} from FAB's and marshmallow's nested messages."""
    errors = {}
    for field, value in mapping.items():
        if isinstance(value, dict):
            texts = [f"{key}: {text}" for key, texts in value.items()
                     for text in (texts if isinstance(texts, list) else [texts])]
        else:
            texts = [str(text) for text in (value if isinstance(value, list) else [value])]
        errors[str(field)] = texts
    return errors


def normalised(body, status):
    """The one error shape for `body`, a JSON error answer as some library wrote it."""
    if not isinstance(body, dict):
        return error_body(_("La demande est invalide."))
    message = body.get("message", body.get("msg"))
    extra = {"existing_id": body["existing_id"]} if "existing_id" in body else {}
    if isinstance(message, dict):
        extra.pop("existing_id", None)
        existing = message.get("existing_id")
        errors = _field_errors({k: v for k, v in message.items() if k != "existing_id"})
        if existing is not None:
            extra["existing_id"] = existing
        general = errors.pop("_schema", None)
        text = general[0] if general else _("Données invalides : voyez le détail par champ.")
        return error_body(text, errors, **extra)
    if not isinstance(message, str) or "msg" in body:  # the JWT library's English
        message = _bad_token() if status == 401 else _("La demande est invalide.")
    return error_body(message, body.get("errors"), **extra)


def _bad_token():
    return _("Authentification requise : jeton absent, invalide ou expiré.")


def unauthorized(*_args):
    """Flask-JWT-Extended's answer to a missing, malformed, expired or refused token."""
    return jsonify(error_body(_bad_token())), 401


def register(app):
    @app.after_request
    def one_error_shape(response):
        if (request.path.startswith(API_PREFIX) and response.status_code >= 400
                and response.is_json):
            body = response.get_json(silent=True)
            shaped = normalised(body, response.status_code)
            if shaped != body:
                response.set_data(app.json.dumps(shaped))
        return response


def register_jwt(manager):
    """Every token problem is a 401 (the library answers 422 for a malformed one)."""
    for loader in (manager.unauthorized_loader, manager.invalid_token_loader,
                   manager.expired_token_loader, manager.needs_fresh_token_loader,
                   manager.user_lookup_error_loader):
        loader(unauthorized)
