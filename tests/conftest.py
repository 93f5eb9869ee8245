"""Fixtures: a real database (SQLite and PostgreSQL, every test on both), the app, clients.

`TEST_DATABASES` chooses the databases (default `sqlite,postgresql`); PostgreSQL is read from
`TEST_POSTGRESQL_URL` (default: the `test` database on 127.0.0.1:5432). PostgreSQL is never
skipped silently: if it is selected and unreachable, the tests using it fail.
"""
from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

import tests.forms_for_tests  # noqa: F401 - registers the test forms
from service import MIGRATIONS, create_app
from service.accounts import issue_token, save_contact
from service.extensions import db
from service.models import reference as reference_models
from tests.helpers import BASE_URL, PRODUCT_BPMN, T0, TEST_BPMN
from workflows import clock

POSTGRESQL_URL = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = [d.strip() for d in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",") if d.strip()]

# Reference data (loaded once) stays; every other table is emptied after each test.
REFERENCE_TABLES = {model.__tablename__ for model in vars(reference_models).values()
                    if isinstance(model, type) and hasattr(model, "__tablename__")}


def _mutable_tables() -> list[str]:
    """Every table a test may write to, children before parents."""
    return [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]


def _prepare(uri: str) -> None:
    """A fresh schema, migrated, with the reference data loaded."""
    engine = sa.create_engine(uri)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        from service import reference_data

        reference_data.load()
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_uri(request, tmp_path_factory):
    if request.param == "sqlite":
        uri = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    elif request.param == "postgresql":
        uri = POSTGRESQL_URL
    else:
        raise ValueError(f"unknown test database {request.param!r}")
    _prepare(uri)
    return uri


@pytest.fixture
def make_app(database_uri, tmp_path):
    """Build apps on the test database (several may share it, like several processes)."""
    apps = []

    def build(**overrides):
        config = {
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "BPMN_DIRS": [str(PRODUCT_BPMN), str(TEST_BPMN)],
            "PUBLIC_BASE_URL": BASE_URL,
            "MAIL_DELIVERY": "capture",
            "SCHEDULER_POLL_SECONDS": 0.2,
            "RATELIMIT_ENABLED": False,  # the limits' own tests turn them on
        }
        config.update(overrides)
        app = create_app(config)
        app.instance_path = str(tmp_path)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    engine = sa.create_engine(database_uri)
    with engine.begin() as connection:
        for table in _mutable_tables():
            connection.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()


def _empty_mutable_tables(uri: str) -> None:
    engine = sa.create_engine(uri)
    with engine.begin() as connection:
        for table in _mutable_tables():
            connection.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()


@pytest.fixture
def reference_restored(database_uri):
    """For a test that edits the reference data: afterwards, the files' data again (what the
    test added removed, what it changed loaded back), for the tests that follow."""
    yield
    _empty_mutable_tables(database_uri)  # the history too: `load` then overwrites every item
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        from service import reference_data
        from service.models import Action, Committee, Domain, Objective, Partner

        reference_data.load()
        db.session.flush()
        added = set(reference_data._database_items()) - set(reference_data._file_items(reference_data.REFERENCE_DIR))
        for kind, key in added:
            if kind == "action":
                plan, _, number = key.split("/")
                db.session.execute(sa.delete(Action).where(Action.number == int(number), Action.objective_id.in_(
                    sa.select(Objective.id).join(Domain).where(Domain.action_plan_code == plan))))
            elif kind == "committee":
                db.session.delete(db.session.get(Committee, key))
            elif kind == "partner":
                db.session.delete(db.session.get(Partner, key))
        db.session.commit()
        assert reference_data.differences() == []
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every test starts at T0 with the clock stopped; tests move it with `clock.advance`."""
    clock.freeze(T0)
    yield clock
    clock.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_account(app):
    """Create an account and return (contact id, API token)."""

    def create(email: str, *roles: str, partner: str | None = None, language: str = "en", password=None):
        with app.app_context():
            contact = save_contact(email, roles=roles, partner_code=partner, language=language,
                                   name=email.split("@")[0], password=password)
            token = issue_token(contact)
            db.session.commit()
            return contact.id, token

    return create


@pytest.fixture
def smtp_server():
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


# Browser tests: Debian's Chromium driven by Playwright, against the app served on loopback.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_app(make_app):
    """The app served over HTTP on a free loopback port, links pointing at it."""
    app = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"Chromium is not installed at {CHROMIUM} (.ci/run installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
