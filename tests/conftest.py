"""Fixtures: a real database (SQLite and PostgreSQL, every test on both), the app, clients.

`TEST_DATABASES` chooses the databases (default `sqlite,postgresql`); PostgreSQL is read from
`TEST_POSTGRESQL_URL` (default: the `test` database on 127.0.0.1:5432). PostgreSQL is never
skipped silently: if it is selected and unreachable, the tests using it fail.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

import tests.forms_for_tests  # noqa: F401 - registers the test forms
from service import MIGRATIONS, create_app
from service.accounts import issue_token, save_contact
from service.extensions import db
from workflows import clock

HERE = Path(__file__).resolve().parent
TEST_BPMN = HERE / "bpmn"
PRODUCT_BPMN = HERE.parent / "workflows" / "bpmn"
POSTGRESQL_URL = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = [d.strip() for d in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",") if d.strip()]

# Tables a test may write to; reference data (loaded once) stays.
MUTABLE_TABLES = [
    "outbox_messages", "labelling_requests", "action_links", "procedure_documents", "procedure_responses", "procedure_recipients", "deadline_extensions",
    "silent_procedures", "audit_entries", "case_timers", "case_tasks", "cases", "process_versions",
    "api_tokens", "contact_roles", "contacts",
]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


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
            "PUBLIC_BASE_URL": "https://rabat.example.org",
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
        for table in MUTABLE_TABLES:
            connection.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()


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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def smtp_server():
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def csrf_token(page: str) -> str:
    """The CSRF token of the (first) form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


def sign_in(client, email: str, password: str = "a long passphrase"):
    """Sign a test client in through the sign-in page (CSRF included)."""
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
