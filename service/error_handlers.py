"""Errors answered as JSON on the API and as pages elsewhere: a 4xx with its message, and
never a stack trace; an unexpected error rolls back and says nothing was changed."""
from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from .errors import ServiceError
from .extensions import db
from .web import error_page

log = logging.getLogger(__name__)


def _json_error(status: int, message: str, errors: dict | None = None):
    body = {"code": status, "status": _phrase(status), "message": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _is_api() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def register(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):
        if _is_api():
            return _json_error(error.status, error.message, error.errors)
        return error_page(error.status, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if _is_api():
            data = getattr(error, "data", None) or {}
            errors = data.get("messages") or data.get("errors")
            message = data.get("message") or error.description or _phrase(error.code or 500)
            return _json_error(error.code or 500, message, errors)
        return error_page(error.code or 500, error.description)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        log.exception("unexpected error on %s %s", request.method, request.path)
        db.session.rollback()
        if _is_api():
            return _json_error(500, gettext("An unexpected error occurred; nothing was changed."))
        return error_page(500, gettext("An unexpected error occurred; nothing was changed."))
