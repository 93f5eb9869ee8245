"""Benchmark of e-mail notices: launching a silent procedure renders one notice per contact.

    .venv/bin/python bench/notices.py [--contacts-per-member 5] [--launches 10] [--databases sqlite,postgresql]

Each member of the Steering Committee gets `--contacts-per-member` contacts, half of them
French-speaking; observers' contacts are addressed too. Reports (not asserted; see
docs/performance.md) the time of one launch over the API (the procedure's rows, the case, and
every notice rendered in its recipient's language, in one commit) and that time per notice.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from service import MIGRATIONS, create_app  # noqa: E402
from service.accounts import issue_token, save_contact  # noqa: E402
from service.extensions import db  # noqa: E402
from service.models import CommitteeMember, Partner  # noqa: E402
from workflows import clock  # noqa: E402

POSTGRESQL_URL = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def fresh_database(name: str, folder: Path) -> str:
    if name == "sqlite":
        return "sqlite:///" + str(folder / "notices.sqlite")
    engine = sa.create_engine(POSTGRESQL_URL)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRESQL_URL


def prepare(app, contacts_per_member: int) -> tuple[str, int]:
    """Reference data, an officer's token, and the contacts; returns (token, contacts addressed)."""
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        from service import reference_data

        reference_data.load()
        members = set(db.session.scalars(select(CommitteeMember.partner_code)
                                         .where(CommitteeMember.committee_code == "steering-committee")))
        observers = set(db.session.scalars(select(Partner.code).where(Partner.status == "observer")))
        addressed = 0
        for code in sorted(members | observers):
            for number in range(contacts_per_member):
                save_contact(f"member{number}.{code.lower()}@example.org", roles=["committee-member"],
                             partner_code=code, language="fr" if number % 2 else "en", name=f"Contact {number}")
                addressed += 1
        officer = save_contact("officer@example.org", roles=["secretariat"], language="en")
        token = issue_token(officer)
        db.session.commit()
        return token, addressed


def bench_launches(app, token: str, launches: int) -> list[float]:
    client = app.test_client()
    times = []
    for number in range(launches):
        body = {"subject": f"Conclusions {number}", "text": "The conclusions annexed hereto." * 20,
                "proposed_decision": "Endorse the conclusions.", "deadline": "2026-12-10T17:00",
                "timezone": "Europe/Brussels", "committees": ["steering-committee"]}
        started = time.perf_counter()
        response = client.post("/api/silent-procedures", json=body, headers={"Authorization": f"Bearer {token}"})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.get_json()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts-per-member", type=int, default=5)
    parser.add_argument("--launches", type=int, default=10)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    results = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.databases.split(","):
            uri = fresh_database(name, Path(scratch))
            app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "SCHEDULER": "off",
                              "MAIL_DELIVERY": "capture"})
            app.instance_path = scratch
            clock.reset()
            token, addressed = prepare(app, args.contacts_per_member)
            bench_launches(app, token, 2)  # warm-up: templates compiled, catalogs loaded
            times = bench_launches(app, token, args.launches)
            median = statistics.median(times)
            results[name] = {"contacts_addressed": addressed, "launch_ms_median": round(median, 1),
                             "launch_ms_max": round(max(times), 1),
                             "ms_per_notice": round(median / addressed, 2)}
            with app.app_context():
                db.engine.dispose()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
