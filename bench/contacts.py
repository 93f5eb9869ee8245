"""Benchmark of the contact base: a CSV import, the list's pages, and the API's token check.

    .venv/bin/python bench/contacts.py [--contacts 5000] [--repeats 20] [--databases sqlite,postgresql]

Reports (not asserted; see docs/performance.md) the time of a dry run and of the import of
`--contacts` contacts (one request each), of a page of the list (the first, one searched by
name, one deep in by keyset), and of an API request whose token's last use is written (at
most once a minute) against one where it is not. PostgreSQL: TEST_POSTGRESQL_URL (its schema
is dropped and recreated).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from service import MIGRATIONS, create_app  # noqa: E402
from service.accounts import issue_token, save_contact  # noqa: E402
from service.extensions import db  # noqa: E402
from workflows import clock  # noqa: E402

POSTGRESQL_URL = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PARTNERS = ["SN", "FR", "NG", "MA", "BE", "ES", "ML", "CI"]


def fresh_database(name: str, folder: Path) -> str:
    if name == "sqlite":
        return "sqlite:///" + str(folder / "contacts.sqlite")
    engine = sa.create_engine(POSTGRESQL_URL)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRESQL_URL


def csv_text(count: int) -> str:
    lines = ["name,email,partner,function,language,roles"]
    for n in range(count):
        lines.append(f"Contact {n:05d},contact{n:05d}@example.org,{PARTNERS[n % len(PARTNERS)]},Officer,"
                     f"{'fr' if n % 2 else 'en'},{'partner' if n % 3 else 'committee-member'}")
    return "\n".join(lines) + "\n"


def timed(function, repeats: int) -> float:
    """The median time of `function`, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(database: str, contacts: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        uri = fresh_database(database, Path(folder))
        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "TESTING": True,
                          "RATELIMIT_ENABLED": False, "MAIL_DELIVERY": "capture"})
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            from service import reference_data

            reference_data.load()
            officer = save_contact("officer@example.org", roles=["secretariat"], name="Officer")
            token = issue_token(officer)
            db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        text = csv_text(contacts)
        figures = {}
        start = time.perf_counter()
        answer = client.post("/api/contacts/import", json={"csv": text}, headers=headers)
        figures["dry run (ms)"] = (time.perf_counter() - start) * 1000
        assert answer.status_code == 200 and answer.get_json()["valid"], answer.get_json()
        start = time.perf_counter()
        answer = client.post("/api/contacts/import", json={"csv": text, "dry_run": False}, headers=headers)
        figures["import (ms)"] = (time.perf_counter() - start) * 1000
        assert answer.status_code == 201
        deep = f"contact{contacts * 9 // 10:05d}@example.org"
        for name, path in (("first page", "/api/contacts"), ("search", "/api/contacts?search=Contact%2004"),
                           ("partner and role", "/api/contacts?partner=SN&role=partner"),
                           ("deep page (keyset)", f"/api/contacts?after={deep}")):
            figures[f"{name} (ms)"] = timed(lambda: client.get(path, headers=headers), repeats)
        # The token's last use: written on the first request of each minute only.
        moments = iter(range(10**6))
        base = clock.now()

        def each_minute():
            clock.freeze(base + timedelta(minutes=next(moments) + 1))
            client.get("/api/account", headers=headers)

        figures["API request, last use written (ms)"] = timed(each_minute, repeats)
        figures["API request, last use not written (ms)"] = timed(
            lambda: client.get("/api/account", headers=headers), repeats)
        clock.reset()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    options = parser.parse_args()
    for database in options.databases.split(","):
        figures = run(database.strip(), options.contacts, options.repeats)
        print(database)
        for name, value in figures.items():
            print(f"  {name:42} {value:9.1f}")


if __name__ == "__main__":
    main()
