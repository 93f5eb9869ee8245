"""A database that goes away or refuses a value answers 503 or 422, never 500.

- Pooled connections are checked before use (`pool_pre_ping`), so connections the server
  closed (a restart, `pg_terminate_backend`, a fail-over) are replaced, not handed out.
- A connection lost in the middle of a request: a read (GET, HEAD) is run once more on a new
  connection; anything else answers 503 with `Retry-After`, its transaction rolled back. One
  lost after the answer was made (closing the session) leaves the answer as it is.
- A database that stays busy (SQLite locked past its timeout) or unreachable: 503.
- A value the database refuses (a number out of range, a text too long for its column):
  422, nothing written.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, g, request
from flask_babel import gettext
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError, PendingRollbackError

from .extensions import db

log = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def engine_options(config: dict) -> None:
    """Check pooled connections before use (added to `SQLALCHEMY_ENGINE_OPTIONS`)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _unavailable():
    from .error_handlers import error_response

    message = gettext("The service cannot reach its database at the moment. Try again in a moment.")
    return error_response(503, message, headers={"Retry-After": "1"})


def _rolled_back() -> None:
    try:
        db.session.rollback()
    except DBAPIError:
        pass
    db.session.remove()


def _retry_read():
    """Run the view once more (its connection was lost; reads change nothing)."""
    g.database_retried = True
    for cached in ("api_contact", "signed_in"):  # rows read on the lost connection
        g.pop(cached, None)
    app = current_app._get_current_object()
    try:
        response = app.ensure_sync(app.view_functions[request.endpoint])(**(request.view_args or {}))
        return app.make_response(response)
    except (OperationalError, InterfaceError, PendingRollbackError) as error:
        log.warning("database unreachable on retry of %s %s: %s", request.method, request.path, error)
        _rolled_back()
        return _unavailable()


def register(app: Flask) -> None:
    @app.teardown_appcontext
    def _close_session(_error):
        # Runs before Flask-SQLAlchemy's own teardown: a connection lost after the answer was
        # made must not turn that answer into a 500 while the session is closed.
        try:
            db.session.remove()
        except DBAPIError as error:
            log.warning("database connection lost while closing the session: %s", error.orig)
            try:
                db.session.registry().invalidate()
            except DBAPIError:
                pass
            db.session.registry.clear()

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PendingRollbackError)
    def _operational(error: DBAPIError | PendingRollbackError):
        # PendingRollbackError: the connection was lost by an earlier statement of this request.
        lost = isinstance(error, PendingRollbackError) or error.connection_invalidated
        log.warning("database %s on %s %s: %s", "connection lost" if lost else "unavailable",
                    request.method, request.path, getattr(error, "orig", error))
        _rolled_back()
        if lost and request.method in SAFE_METHODS and not g.get("database_retried") and request.endpoint:
            return _retry_read()
        return _unavailable()

    @app.errorhandler(DataError)
    def _refused_value(error: DataError):
        log.warning("value refused by the database on %s %s: %s", request.method, request.path, error.orig)
        _rolled_back()
        from .error_handlers import error_response

        return error_response(422, gettext("A value is out of range or too long; nothing was saved."))
