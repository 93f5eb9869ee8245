"""Errors the service layer raises; the API and the web pages turn them into 4xx answers."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400
    #: Extra response headers (e.g. Retry-After).
    headers: dict[str, str] = {}

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    """Someone else changed the case first (or the task is no longer open)."""

    status = 409


class InvalidInput(ServiceError):
    """Field-level messages in `errors`."""

    status = 422


class TooLarge(ServiceError):
    """The request (or one document in it) is larger than the service accepts."""

    status = 413


class Unavailable(ServiceError):
    """The database could not be reached or was busy: try again in a moment."""

    status = 503
    headers = {"Retry-After": "1"}
