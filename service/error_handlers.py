"""Errors answered as JSON on the API and as pages elsewhere: a 4xx with its message (and its
headers, such as `Retry-After`), never a stack trace; an unexpected error rolls back and says
nothing was changed."""
from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from .errors import ServiceError
from .extensions import db

log = logging.getLogger(__name__)


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
        from .web import error_page

        body, status = error_page(status, message)
    return body, status, headers or {}


def register(app: Flask) -> None:
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
        db.session.rollback()
        return error_response(500, gettext("An unexpected error occurred; nothing was changed."))
