"""`flask --app service db ...` and `flask_migrate.upgrade` (Flask-Migrate), loaded when used.

Flask-Migrate brings Alembic, Mako and Pygments: about 11 MB of memory in every process,
which no request needs. The `db` group is registered at start and imports them only when a
command of it is listed or run; `app.extensions["migrate"]` becomes Flask-Migrate's own the
first time something reads it (`setup`, the tests' and benchmarks' `upgrade`).
"""
from __future__ import annotations

import click


class _DatabaseCommands(click.Group):
    """Flask-Migrate's `db` group, with its options, imported on first use."""

    def __init__(self, app):
        super().__init__("db", help="Database migrations (Flask-Migrate): upgrade, migrate, current...",
                         callback=self._options, params=[
                             click.Option(["-d", "--directory"], default=None,
                                          help='Migration script directory (default is "migrations")'),
                             click.Option(["-x", "--x-arg"], multiple=True,
                                          help="Additional arguments consumed by custom env.py scripts")])
        self._app = app

    def _options(self, directory, x_arg):
        return self._commands().callback(directory=directory, x_arg=x_arg)

    def _commands(self) -> click.Group:
        from flask_migrate.cli import db as commands

        _configuration(self._app)
        return commands

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._commands().get_command(ctx, name)


class _NotYet:
    """Stands for Flask-Migrate's configuration until it is first read."""

    def __init__(self, app, db, directory: str):
        self._app, self._db, self._directory = app, db, directory

    def __getattr__(self, name):
        return getattr(_configuration(self._app), name)


def _configuration(app):
    """Flask-Migrate's configuration of `app`, made the first time it is asked for."""
    configuration = app.extensions["migrate"]
    if isinstance(configuration, _NotYet):
        from flask_migrate import Migrate

        Migrate(app, configuration._db, directory=configuration._directory)
        configuration = app.extensions["migrate"]
    return configuration


def register(app, db, directory: str) -> None:
    app.cli.add_command(_DatabaseCommands(app))
    app.extensions["migrate"] = _NotYet(app, db, directory)
