"""Benchmark of the desk and the lists at scale: about 100,000 cases in the database.

    .venv/bin/python bench/desk.py [--quick] [--silent 99000] [--labelling 10000] [--repeat 7]
                                   [--databases sqlite,postgresql] [--only register,coverage]

A few real cases are made through the API (a silent procedure launched, labelling requests
filed, submitted, accepted and labelled, a thematic meeting recorded); then their rows are
copied in bulk with SQLAlchemy Core (one INSERT per few thousand rows, never through the
workflow engine) until the database holds `--silent` silent procedures and `--labelling`
labelling requests, as the desk and the lists see them: the case, the procedure's row, its
desk line, its open task or timer, an audit entry, a labelled initiative's Action Plan actions.
The copies carry no workflow state (no list reads it); the case page is measured on a real case.

For every page and API list it reports (not asserted; see docs/performance.md, issue 13) the
median wall time and CPU time in ms over `--repeat` requests after one warm-up, the number of
SQL statements, and the size of the answer in KiB (the pages of silent procedures, labelling
requests and the register: three runs at most, they may still list every row). PostgreSQL is TEST_POSTGRESQL_URL, its
schema dropped first: give it a database of its own. `--quick`: 5,000 and 1,000 cases, 3 runs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from service import MIGRATIONS, create_app  # noqa: E402
from service.accounts import issue_token, save_contact  # noqa: E402
from service.extensions import db  # noqa: E402
from service.scheduler import Scheduler  # noqa: E402
from workflows import clock  # noqa: E402

POSTGRESQL_URL = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
CHUNK = 5000
PASSWORD = "a long passphrase"


def fresh_database(name: str, folder: Path) -> str:
    if name == "sqlite":
        return "sqlite:///" + str(folder / "desk.sqlite")
    engine = sa.create_engine(POSTGRESQL_URL)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRESQL_URL


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def prepare(app) -> dict:
    """Schema, reference data, accounts; the real cases the copies are made from."""
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        from service import reference_data

        reference_data.load()
        tokens = {"officer": issue_token(save_contact("officer@example.org", roles=["secretariat"], language="en",
                                                      name="Officer", password=PASSWORD)),
                  "partner": issue_token(save_contact("focal.sn@example.org", roles=["partner"], partner_code="SN",
                                                      language="en", name="Focal point", password=PASSWORD))}
        for code in ("NG", "BE", "MA", "FR", "ES"):
            save_contact(f"member.{code.lower()}@example.org", roles=["committee-member"], partner_code=code,
                         language="en", name=f"Member {code}")
        db.session.commit()
    client = app.test_client()
    officer, partner = bearer(tokens["officer"]), bearer(tokens["partner"])
    scheduler = Scheduler(app, owner="bench")
    request = {"title": "Diaspora entrepreneurship fund", "type": "bilateral_project", "lead_partner": "SN",
               "partners": ["FR"], "implementing_organisations": ["Agence"], "start_date": "2026-04-01",
               "end_date": "2027-09-30", "location": "Dakar", "budget_eur": "250000.00",
               "funding_source": "Bilateral", "summary": "Seed funding.", "expected_results": "40 businesses.",
               "actions": [3, 20], "gcm_objectives": [19], "contact_name": "Awa Diop",
               "contact_email": "awa.diop@example.org"}
    ids = {}
    for name in ("labelled", "submitted"):
        made = client.post("/api/labelling-requests", json=request, headers=partner).get_json()
        assert client.post(f"/api/labelling-requests/{made['id']}/submit", headers=partner).status_code == 200
        ids[name] = made["id"]
    accepted = client.post(f"/api/labelling-requests/{ids['labelled']}/review", headers=officer, json={
        "decision": "accept", "deadline": "2026-03-20T17:00", "timezone": "Europe/Brussels"})
    assert accepted.status_code == 200, accepted.get_json()
    clock.freeze(T0 + timedelta(days=19))
    scheduler.run_once()
    scheduler.run_once()
    launched = client.post("/api/silent-procedures", headers=officer, json={
        "subject": "Conclusions of the thematic meeting", "text": "The Steering Committee endorses them.",
        "proposed_decision": "Endorse.", "deadline": "2026-04-10T17:00", "timezone": "Europe/Brussels",
        "committees": ["steering-committee"]})
    assert launched.status_code == 201, launched.get_json()
    meeting = client.post("/api/thematic-meetings", headers=officer, json={
        "title": "Missing migrants", "co_chairs": ["CH", "GM"], "start_date": "2026-03-10",
        "end_date": "2026-03-11", "place": "Geneva", "participants": 90, "countries": 34,
        "conclusions": "A network of focal points.", "objectives": [5], "actions": [16, 17]})
    assert meeting.status_code == 201, meeting.get_json()
    scheduler.run_once()
    return {"tokens": tokens, "silent": launched.get_json()["id"], **ids, "meeting": meeting.get_json()["id"]}


class Copier:
    """Copies of rows, with new ids, inserted in chunks through one Core connection."""

    def __init__(self, connection):
        self.connection = connection
        self.metadata = db.metadata

    def table(self, name: str) -> sa.Table:
        return self.metadata.tables[name]

    def one(self, name: str, **where) -> dict:
        table = self.table(name)
        query = sa.select(table).where(*[table.c[k] == v for k, v in where.items()])
        return dict(self.connection.execute(query).mappings().first())

    def next_id(self, name: str) -> int:
        table = self.table(name)
        return (self.connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1

    def insert(self, name: str, rows: list[dict]) -> None:
        table = self.table(name)
        for start in range(0, len(rows), CHUNK):
            self.connection.execute(table.insert(), rows[start:start + CHUNK])

    def reset_sequences(self) -> None:
        if self.connection.dialect.name != "postgresql":
            return
        for name in ("cases", "silent_procedures", "labelling_requests", "audit_entries", "case_timers",
                     "thematic_meetings", "referent_action_plan_links"):
            self.connection.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))


def fill(app, made: dict, silent: int, labelling: int) -> None:
    """Copy the real cases' rows until the database holds `silent` and `labelling` cases."""
    with app.app_context(), db.engine.begin() as connection:
        copy = Copier(connection)
        sp = copy.one("silent_procedures", id=made["silent"])
        sp_case = copy.one("cases", id=sp["case_id"])
        sp_line = copy.one("desk_lines", case_id=sp["case_id"])
        sp_timer = copy.one("case_timers", case_id=sp["case_id"])
        lr = {name: copy.one("labelling_requests", id=made[name]) for name in ("labelled", "submitted")}
        lr_case = copy.one("cases", id=lr["submitted"]["case_id"])
        lr_line = copy.one("desk_lines", case_id=lr["submitted"]["case_id"])
        lr_task = copy.one("case_tasks", case_id=lr["submitted"]["case_id"])
        audit = copy.one("audit_entries", case_id=sp["case_id"])
        actions = connection.execute(sa.text(
            "SELECT actions.id, actions.objective_id FROM actions JOIN objectives ON objectives.id = actions.objective_id"
            " JOIN domains ON domains.id = objectives.domain_id JOIN action_plans"
            " ON action_plans.code = domains.action_plan_code WHERE action_plans.current ORDER BY actions.number")).all()
        case_id, sp_id, lr_id = copy.next_id("cases"), copy.next_id("silent_procedures"), copy.next_id(
            "labelling_requests")
        audit_id, timer_id = copy.next_id("audit_entries"), copy.next_id("case_timers")
        cases, procedures, lines, timers, tasks, requests, links, audits = [], [], [], [], [], [], [], []

        def new_case(template, number, *, running, at):
            cases.append({**template, "id": number, "state": "{}", "status": "running" if running else "completed",
                          "created_at": at, "updated_at": at, "completed_at": None if running else at, "version": 1})
            audits.append({**audit, "id": audit_id + len(audits), "case_id": number, "at": at})

        now = clock.now()
        for n in range(silent - 1):
            at = now - timedelta(days=900) + timedelta(minutes=12 * n)
            running = n % 100 == 0  # one in a hundred still open
            deadline = at + timedelta(days=10) if not running else now + timedelta(hours=1 + n % 2000)
            new_case(sp_case, case_id, running=running, at=at)
            status = "open" if running else ("adopted" if n % 7 else "silence_broken")
            procedures.append({**sp, "id": sp_id + n, "case_id": case_id, "subject": f"Conclusions {n}",
                               "status": status, "launched_at": at, "deadline_at": deadline,
                               "closed_at": None if running else deadline, "relaunch_of_id": None})
            lines.append({**sp_line, "case_id": case_id, "subject_id": sp_id + n, "title": f"Conclusions {n}",
                          "status": status, "open": running, "deadline_at": deadline, "updated_at": at,
                          "path": f"/silent-procedures/{sp_id + n}", "not_answered": n % 5})
            if running:
                timers.append({**sp_timer, "id": timer_id + len(timers), "case_id": case_id, "due_at": deadline,
                               "claimed_by": None, "claimed_until": None})
            case_id += 1
        for n in range(labelling - 2):
            at = now - timedelta(days=700) + timedelta(minutes=30 * n)
            labelled = n % 2 == 0
            new_case(lr_case, case_id, running=True, at=at)
            template = lr["labelled" if labelled else "submitted"]
            requests.append({**template, "id": lr_id + n, "case_id": case_id, "title": f"Initiative {n}",
                             "created_at": at, "updated_at": at, "submitted_at": at, "silent_procedure_id": None,
                             "labelled_at": at + timedelta(days=20) if labelled else None,
                             "actions": [], "partners": ["FR"], "version": 1})
            for action_id, objective_id in {actions[(n + k * 7) % len(actions)] for k in range(1 + n % 3)}:
                links.append({"request_id": lr_id + n, "action_id": action_id, "objective_id": objective_id})
            if not labelled:
                lines.append({**lr_line, "case_id": case_id, "subject_id": lr_id + n, "title": f"Initiative {n}",
                              "updated_at": at, "deadline_at": None if n % 4 else at + timedelta(days=30),
                              "path": f"/labelling/{lr_id + n}"})
                tasks.append({**lr_task, "id": str(uuid.uuid4()), "case_id": case_id, "created_at": at})
            case_id += 1
        for name, rows in (("cases", cases), ("silent_procedures", procedures), ("labelling_requests", requests),
                           ("labelling_request_actions", links), ("desk_lines", lines), ("case_timers", timers),
                           ("case_tasks", tasks), ("audit_entries", audits)):
            copy.insert(name, rows)
        copy.reset_sequences()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Statistics for the planner, as autovacuum would gather them in a while; outside the
            # filling transaction (autovacuum may be at work on the same tables: tried again).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for attempt in range(3):
                    try:
                        connection.execute(sa.text("ANALYZE"))
                        break
                    except sa.exc.OperationalError:
                        time.sleep(1)


class Counter:
    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


def sign_in(client, email: str) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302


def measure(app, made: dict, repeat: int, only: list[str] | None = None) -> dict:
    officer = app.test_client()
    sign_in(officer, "officer@example.org")
    token = bearer(made["tokens"]["officer"])
    with app.app_context():
        engine = db.engine
        sp_case = db.session.execute(sa.text(f"SELECT case_id FROM silent_procedures WHERE id = {made['silent']}")).scalar()
        db.session.remove()
    counter = Counter(engine)
    targets = [
        ("desk", "/desk", None),
        ("desk, labelling only", "/desk?procedure=labelling", None),
        ("coverage", "/coverage", None),
        ("coverage, one action's records", "/coverage/records?action=3", None),
        ("coverage CSV", "/coverage.csv", None),
        ("case page", f"/cases/{sp_case}", None),
        ("GET /api/cases", "/api/cases", token),
        ("GET /api/tasks", "/api/tasks", token),
        ("GET /api/labelling-requests", "/api/labelling-requests", token),
        ("GET /api/labelled-initiatives", "/api/labelled-initiatives", None),
        ("GET /api/labelled-initiatives?domain=2", "/api/labelled-initiatives?domain=2", None),
        ("GET /api/silent-procedures", "/api/silent-procedures", token),
        ("GET /api/coverage", "/api/coverage", token),
        ("GET /api/health", "/api/health", None),
        ("silent procedures page", "/silent-procedures", None),
        ("labelling requests page", "/labelling", None),
        ("register page", "/register", None),
    ]
    results = {}
    for name, path, headers in targets:
        if only and not any(word in name for word in only):
            continue
        client = officer if headers is None else app.test_client()
        walls, cpus, queries, size, status = [], [], [], 0, None
        runs = min(repeat, 3) if path in ("/silent-procedures", "/labelling", "/register") else repeat
        for run in range(runs + 1):
            counter.count = 0
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            status, size = response.status_code, len(response.data)
            if run:  # the first is the warm-up
                walls.append(wall * 1000)
                cpus.append(cpu * 1000)
                queries.append(counter.count)
        results[name] = {"status": status, "wall_ms": round(statistics.median(walls), 1),
                         "cpu_ms": round(statistics.median(cpus), 1), "queries": max(queries),
                         "kib": round(size / 1024, 1)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="5,000 silent procedures, 1,000 requests, 3 runs")
    parser.add_argument("--silent", type=int, default=99_000)
    parser.add_argument("--labelling", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--only", help="measure only the pages whose name holds one of these words (comma-separated)")
    args = parser.parse_args()
    if args.quick:
        args.silent, args.labelling, args.repeat = 5_000, 1_000, 3
    results = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "silent_procedures": args.silent,
               "labelling_requests": args.labelling}
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.databases.split(","):
            uri = fresh_database(name, Path(scratch))
            app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "SCHEDULER": "off",
                              "MAIL_DELIVERY": "capture", "RATELIMIT_ENABLED": False})
            app.instance_path = scratch
            clock.freeze(T0)
            made = prepare(app)
            started = time.perf_counter()
            fill(app, made, args.silent, args.labelling)
            Scheduler(app, owner="bench").beat()  # a live scheduler, as in production
            results[name] = {"fill_s": round(time.perf_counter() - started, 1), **measure(app, made, args.repeat, args.only.split(",") if args.only else None)}
            with app.app_context():
                db.engine.dispose()
            print(json.dumps({name: results[name]}, indent=2), file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
