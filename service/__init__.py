"""The Flask service: `create_app()` builds it; `flask --app service run` serves it."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask

import forms
import forms.lookups
import notifications.models  # noqa: F401 - the outbox table belongs to the schema
from config import Defaults
from workflows.definitions import DefinitionRegistry

from . import database_faults, effects, extensions, i18n, input_guard, migration_commands, rate_limits, reference, sessions
from .extensions import csrf, db, mail
from .models import ROLES
from .procedure import Procedure
from .procedures import PROCEDURES
from .workflow_cache import WorkflowCache

MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")


class ConfigurationError(RuntimeError):
    pass


def _configure(app: Flask, overrides: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "rabat.sqlite")
    if not app.config.get("SECRET_KEY"):
        if app.debug or app.testing or app.config["MAIL_DELIVERY"] == "capture":
            # A development instance: a key per instance folder, kept out of the repository.
            key_file = Path(app.instance_path) / "secret_key"
            os.makedirs(app.instance_path, exist_ok=True)
            if not key_file.exists():
                key_file.write_text(os.urandom(32).hex())
            app.config["SECRET_KEY"] = key_file.read_text().strip()
        else:
            raise ConfigurationError("FLASK_SECRET_KEY must be set when e-mail is really sent.")
    if app.config["MAIL_DELIVERY"] not in ("capture", "smtp"):
        raise ConfigurationError("FLASK_MAIL_DELIVERY must be 'capture' or 'smtp'.")
    if app.config["CLOCK"] not in ("real", "movable"):
        raise ConfigurationError("FLASK_CLOCK must be 'real' or 'movable'.")
    if app.config["CLOCK"] == "movable" and app.config["MAIL_DELIVERY"] == "smtp":
        raise ConfigurationError("A movable clock is for training: it cannot run with FLASK_MAIL_DELIVERY=smtp.")
    if isinstance(app.config["BPMN_DIRS"], str):
        app.config["BPMN_DIRS"] = [p for p in app.config["BPMN_DIRS"].split(os.pathsep) if p]
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        # psycopg 3 is the driver we ship.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    database_faults.engine_options(app.config)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _sqlite_pragmas(app: Flask) -> None:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _on_connect(connection, _record):
            cursor = connection.cursor()
            # WAL lets the scheduler and the web process read while the other writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()


def _embedded_scheduler_wanted(app: Flask) -> bool:
    """Embed the scheduler only under `flask run` (not in other commands or under WSGI servers)."""
    if app.config["SCHEDULER"] != "embedded" or app.testing:
        return False
    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return False
    # With the reloader, only the child process serves.
    return not app.debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def _register_procedures(app: Flask, procedures: tuple[Procedure, ...]) -> None:
    """What the engine and the doors need to know of each procedure: its service-task
    operations, its link purposes, and the processes it owns."""
    from .web.contact_pages import LINK_PURPOSES

    operations = dict(effects.OPERATIONS)
    # The shared link purposes (the invitation to choose a password), then the procedures'.
    purposes, owners = dict(LINK_PURPOSES), {}
    for procedure in procedures:
        for name, handler in procedure.operations.items():
            if name in operations:
                raise ConfigurationError(f"Two declarations of the service-task operation {name!r}.")
            operations[name] = handler
        for name, purpose in procedure.link_purposes.items():
            if name in purposes:
                raise ConfigurationError(f"Two declarations of the link purpose {name!r}.")
            purposes[name] = purpose
        for process_id in procedure.processes:
            owners[process_id] = procedure
    app.extensions.update(operations=operations, link_purposes=purposes, process_owners=owners,
                          procedures=procedures)


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: settings, database, procedures, BPMN definitions (checked), API, pages, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, overrides)
    forms.lookups.provide(reference)
    _register_procedures(app, PROCEDURES)

    # Every BPMN file is parsed and checked now: a broken one stops start-up.
    app.extensions["definitions"] = DefinitionRegistry(
        app.config["BPMN_DIRS"], set(forms.FORMS), set(ROLES), set(app.extensions["operations"])
    )

    app.extensions["workflow_cache"] = WorkflowCache(app.config["WORKFLOW_CACHE_SIZE"],
                                                     app.config["WORKFLOW_CACHE_STATE_BYTES"])
    # Request hooks run in this order: rate limits, refused input, CSRF, the signed-in session.
    rate_limits.init(app)
    input_guard.register(app)
    db.init_app(app)
    _sqlite_pragmas(app)
    migration_commands.register(app, db, MIGRATIONS)
    mail.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    sessions.register(app)
    extensions.api.init_app(app)

    from . import api, cli, error_handlers, web

    api.register(app, extensions.api, PROCEDURES)
    web.register(app, PROCEDURES)
    error_handlers.register(app)
    cli.register(app)
    rate_limits.apply(app)
    database_faults.register(app)

    if _embedded_scheduler_wanted(app):
        from .scheduler import Scheduler

        scheduler = Scheduler(app)
        app.extensions["scheduler"] = scheduler
        scheduler.start()
    return app
