"""The REST API (flask-smorest): blueprints, JSON errors, and the self-hosted docs page."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify, request, send_from_directory
from flask_smorest.arguments import ArgumentsMixin
from werkzeug.exceptions import HTTPException

from ..errors import ServiceError
from ..extensions import csrf
from . import cases, labelling, processes, reference, silent_procedures, tasks

log = logging.getLogger(__name__)

# Each schema decides what an unknown field means, in the query string too (webargs would
# drop unknown query parameters): the API's schemas refuse them, so that a misspelt filter
# is answered 422 rather than ignored.
ArgumentsMixin.ARGUMENTS_PARSER.unknown = None


def _json_error(status: int, message: str, errors: dict | None = None):
    body = {"code": status, "status": _phrase(status), "message": message}
    if errors:
        body["errors"] = _text_keys(errors)
    return jsonify(body), status


def _text_keys(errors):
    """Field messages with every key as text: marshmallow keys a list's items by their index,
    beside names such as `_schema`, and JSON output sorts keys, which mixed types break."""
    if isinstance(errors, dict):
        return {str(key): _text_keys(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_text_keys(value) for value in errors]
    return errors


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _is_api() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def error_response(status: int, message: str, errors: dict | None = None, headers: dict | None = None):
    """The answer to a refused request: JSON under `/api`, the error page elsewhere."""
    if _is_api():
        body, status = _json_error(status, message, errors)
    else:
        from ..web import error_page

        body, status = error_page(status, message)
    return body, status, headers or {}


def _docs_blueprint() -> Blueprint:
    """Swagger UI from the swagger-ui-bundle package: nothing comes from a CDN."""
    import swagger_ui_bundle

    docs = Blueprint("api_docs", __name__, url_prefix="/api/docs")
    dist = swagger_ui_bundle.swagger_ui_path

    @docs.route("")
    def index():
        return (
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Rabat Process API</title>"
            "<link rel=\"stylesheet\" href=\"/api/docs/static/swagger-ui.css\"></head>"
            "<body><div id=\"swagger-ui\"></div>"
            "<script src=\"/api/docs/static/swagger-ui-bundle.js\"></script>"
            "<script src=\"/api/docs/init.js\"></script></body></html>"
        )

    @docs.route("/init.js")
    def init_js():
        script = "window.ui = SwaggerUIBundle({url: '/api/openapi.json', dom_id: '#swagger-ui'});"
        return script, 200, {"Content-Type": "text/javascript; charset=utf-8"}

    @docs.route("/static/<path:filename>")
    def static(filename):
        return send_from_directory(dist, filename)

    return docs


def register(app: Flask, api) -> None:
    from flask_smorest.spec.plugins import integerconverter2paramschema

    from forms.labelling import Euros

    from ..input_guard import DatabaseId

    # Before the blueprints: their documentation is written as they are registered.
    api.register_converter(DatabaseId, integerconverter2paramschema)
    api.register_field(Euros, None, None)  # its type is the `oneOf` it documents
    for module in (processes, cases, tasks, silent_procedures, labelling, reference):
        api.register_blueprint(module.blp)
        csrf.exempt(module.blp)  # token-authenticated: no cookies, so no CSRF
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    app.register_blueprint(_docs_blueprint())

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):
        return error_response(error.status, error.message, error.errors, getattr(error, "headers", None))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        if _is_api():
            data = getattr(error, "data", None) or {}
            errors = data.get("messages") or data.get("errors")
            message = data.get("message") or error.description or _phrase(error.code or 500)
            return error_response(error.code or 500, message, errors, headers)
        return error_response(error.code or 500, error.description, None, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        log.exception("unexpected error on %s %s", request.method, request.path)
        from ..extensions import db

        db.session.rollback()
        if _is_api():
            return _json_error(500, "An unexpected error occurred; nothing was changed.")
        from ..web import error_page

        return error_page(500, "An unexpected error occurred; nothing was changed.")
