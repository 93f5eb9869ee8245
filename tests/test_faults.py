"""Faults survived, with real processes: a scheduler killed with `kill -9`, a sender stuck on
its SMTP server then killed, the SMTP server down across a deadline, database connections cut
by the server, a database kept locked.

Each test starts `flask --app service ...` processes on the test database and bounds every
wait in time; real time passes here (the processes keep the wall clock).
"""
from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from notifications.models import OutboxMessage
from notifications.outbox import queue_email
from service import cases
from service.extensions import db
from service.models import AuditEntry, Case, CaseTimer
from service.procedures.labelling.models import LabellingRequest
from service.procedures.silent_procedure.models import SilentProcedure
from service.scheduler import Scheduler
from tests.helpers import PRODUCT_BPMN, TEST_BPMN, bearer
from tests.smtp import SmtpServer, free_port

REPO = Path(__file__).resolve().parent.parent
STARTUP = 60  # seconds a process may take to start on a busy machine


class ServiceProcess:
    """`flask --app service <args>` on the test database; its output is read as it comes."""

    def __init__(self, args: list[str], database_uri: str, bpmn_dirs: list[Path], **settings):
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
        env.update({"FLASK_SQLALCHEMY_DATABASE_URI": database_uri, "FLASK_SECRET_KEY": "test-secret",
                    "FLASK_MAIL_DELIVERY": "capture", "FLASK_SCHEDULER_POLL_SECONDS": "0.2",
                    "FLASK_BPMN_DIRS": os.pathsep.join(map(str, bpmn_dirs)), "PYTHONUNBUFFERED": "1"})
        env.update({f"FLASK_{name}": value if isinstance(value, str) else json.dumps(value)
                    for name, value in settings.items()})
        self.popen = subprocess.Popen([sys.executable, "-m", "flask", "--app", "service", *args], cwd=REPO, env=env,
                                      text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = STARTUP) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.popen.poll() is not None:
                    break
                continue
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no {pattern!r} from {self.popen.args}:\n" + "".join(self.output[-40:]))

    def signal(self, signum) -> None:
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signum)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)


@pytest.fixture
def processes(database_uri, tmp_path):
    """Start service processes on the test database; all are stopped at the end. They run
    the product's processes and the test process `deadline_watch` (a timer, no form)."""
    started: list[ServiceProcess] = []
    extra = tmp_path / "bpmn"
    extra.mkdir()
    shutil.copy(TEST_BPMN / "deadline.bpmn", extra / "deadline.bpmn")

    def start(*args, **settings) -> ServiceProcess:
        process = ServiceProcess(list(args), settings.pop("database_uri", database_uri), [PRODUCT_BPMN, extra],
                                 **settings)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def wall_clock(frozen_clock):
    """The app's clock back on real time: the processes started here keep the wall clock."""
    frozen_clock.reset()
    return frozen_clock


def scheduler_owner(process: ServiceProcess) -> str:
    return process.wait_for(r"Scheduler (\S+) running").group(1)


def until(condition, timeout: float, every: float = 0.05):
    """Poll `condition` until it returns something true, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(every)
    return condition()


# The scheduler ---------------------------------------------------------------------------------

def test_a_live_scheduler_renews_its_claims_and_a_dead_ones_lapse(app, frozen_clock):
    """In one process: what a scheduler works on stays claimed; nothing else is renewed."""
    with app.app_context():
        case_id = cases.start_case("deadline_watch", {"deadline": frozen_clock.now().isoformat()}, "test").id
    frozen_clock.advance(timedelta(seconds=1))
    alive = Scheduler(app, owner="alive")
    with app.app_context():
        from service import timers

        [(timer_id, _)] = timers.claim_due("alive")
        alive.leases.hold("timers", [timer_id])
    lease = app.config["SCHEDULER_LEASE_SECONDS"]
    survivor = Scheduler(app, owner="survivor")
    for _ in range(5):  # however long the work takes, the claim is renewed
        frozen_clock.advance(timedelta(seconds=lease * 0.9))
        assert alive.renew_leases() == (1, 0)
        assert survivor.run_once() == (0, 0)
    alive.leases.release("timers", timer_id)  # the work ended without firing (say, a crash)
    assert alive.renew_leases() == (0, 0)
    frozen_clock.advance(timedelta(seconds=lease + 0.1))
    assert survivor.run_once()[0] == 1
    with app.app_context():
        assert db.session.get(Case, case_id).status == "completed"


def test_a_killed_schedulers_timers_fire_within_seconds_of_its_death(app, processes, wall_clock):
    first, second = processes("scheduler"), processes("scheduler")
    owners = {scheduler_owner(first): first, scheduler_owner(second): second}
    due = datetime.now(timezone.utc) + timedelta(seconds=3)
    with app.app_context():
        case_ids = [cases.start_case("deadline_watch", {"deadline": due.isoformat()}, "test").id for _ in range(12)]

    def claimed_by():
        with app.app_context():
            return db.session.scalar(select(CaseTimer.claimed_by).where(CaseTimer.claimed_by.is_not(None)).limit(1))

    owner = until(claimed_by, timeout=30, every=0.002)
    assert owner in owners, "no scheduler claimed the due timers"
    victim = owners.pop(owner)
    victim.signal(signal.SIGKILL)
    died = datetime.now(timezone.utc)
    with app.app_context():
        left = db.session.scalars(select(CaseTimer.case_id).where(CaseTimer.claimed_by == owner)).all()
    assert left, "the killed scheduler had fired everything already; nothing was left to take over"

    def all_fired():
        with app.app_context():
            running = db.session.scalar(select(sa.func.count()).select_from(Case)
                                        .where(Case.id.in_(case_ids), Case.status == "running"))
            return running == 0

    assert until(all_fired, timeout=30), "timers of the killed scheduler were not taken over"
    with app.app_context():
        fired = db.session.execute(select(AuditEntry.case_id, AuditEntry.at).where(
            AuditEntry.case_id.in_(case_ids), AuditEntry.action == "timer_fired")).all()
        outcomes = {db.session.get(Case, case_id).data["outcome"] for case_id in case_ids}
    assert sorted(case_id for case_id, _ in fired) == sorted(case_ids)  # each fired, and once
    assert outcomes == {"adopted"}
    taken_over = [at for case_id, at in fired if case_id in left]
    print(f"{len(taken_over)} timers taken over, the last {max(taken_over) - died} after the kill")
    assert max(taken_over) - died <= timedelta(seconds=5), max(taken_over) - died


# The outbox -------------------------------------------------------------------------------------

class StallingSmtp:
    """A mail server that accepts connections and never answers."""

    def __init__(self):
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def stalling_smtp():
    server = StallingSmtp()
    yield server
    server.close()


def test_a_sender_stuck_on_its_smtp_server_keeps_its_message_and_a_dead_ones_goes_once(
        app, processes, wall_clock, smtp_server, stalling_smtp):
    stuck = processes("scheduler", MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=stalling_smtp.port,
                      MAIL_TIMEOUT=120)
    stuck_owner = scheduler_owner(stuck)
    with app.app_context():
        message = queue_email(template="case_notice", to_email="member@example.org", language="en",
                              values={"name": "Member", "process_name": "Test", "case_id": 1, "message": "hello",
                                      "case_url": "https://rabat.example.org/cases/1"})
        db.session.commit()
        row_id, message_id = message.id, message.message_id

    def claim():
        with app.app_context():
            row = db.session.get(OutboxMessage, row_id)
            return (row.claimed_by, row.claimed_until) if row.claimed_by else None

    assert until(claim, timeout=30)[0] == stuck_owner
    other = processes("scheduler", MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    scheduler_owner(other)
    lease = app.config["SCHEDULER_LEASE_SECONDS"]
    first_lease_end = claim()[1]
    # Twice the lease: the stuck sender is alive, its claim renewed, the other leaves it alone.
    deadline = time.monotonic() + 2 * lease
    while time.monotonic() < deadline:
        owner, lease_end = claim()
        assert owner == stuck_owner and smtp_server.messages == []
        time.sleep(0.25)
    assert lease_end > first_lease_end + timedelta(seconds=lease)

    stuck.signal(signal.SIGKILL)
    died = datetime.now(timezone.utc)

    def sent():
        with app.app_context():
            row = db.session.get(OutboxMessage, row_id)
            return (row.status, row.sent_at) if row.status == "sent" else None

    row = until(sent, timeout=30)
    assert row, "the killed sender's message was not taken over:\n" + "".join(other.output[-30:])
    sent_at = row[1]
    print(f"message taken over and sent {sent_at - died} after the kill")
    assert sent_at - died <= timedelta(seconds=5), sent_at - died
    assert [m["Message-ID"] for m in smtp_server.messages] == [message_id]


def test_smtp_down_across_a_deadline_every_notice_goes_once_when_it_is_back(
        make_app, make_account, processes, wall_clock):
    port = free_port()  # nothing listens there yet
    processes("scheduler", MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
              MAIL_RETRY_BASE=1, MAIL_RETRY_CAP=2).wait_for("running")
    app = make_app(SILENT_PROCEDURE_MIN_DURATION="PT1S")
    _, officer = make_account("officer@example.org", "secretariat")
    for email, partner in (("ng@example.org", "NG"), ("be@example.org", "BE"), ("sn@example.org", "SN"),
                           ("ma@example.org", "MA"), ("iom@example.org", "IOM")):
        make_account(email, "committee-member", partner=partner)
    deadline = datetime.now(ZoneInfo("Europe/Brussels")) + timedelta(seconds=4)
    launched = app.test_client().post("/api/silent-procedures", headers=bearer(officer), json={
        "subject": "Conclusions", "text": "The text.", "proposed_decision": "Endorse.",
        "deadline": deadline.replace(tzinfo=None, microsecond=0).isoformat(), "timezone": "Europe/Brussels",
        "committees": ["steering-committee"]})
    assert launched.status_code == 201, launched.get_json()

    def outbox():
        with app.app_context():
            return db.session.execute(select(OutboxMessage.status, OutboxMessage.attempts,
                                             OutboxMessage.message_id)).all()

    def adopted():
        with app.app_context():
            return db.session.get(SilentProcedure, launched.get_json()["id"]).status == "adopted"

    assert until(adopted, timeout=30), "the deadline did not pass with the mail server down"
    assert until(lambda: all(attempts > 0 for _, attempts, _ in outbox()), timeout=30)  # each tried, and failed
    assert {status for status, _, _ in outbox()} == {"pending"}

    server = SmtpServer()
    server.port = port
    server.start()
    try:
        assert until(lambda: {status for status, _, _ in outbox()} == {"sent"}, timeout=30), "not every notice went"
        rows = outbox()
        assert len(rows) >= 10  # the notices of the launch and of the outcome
        assert sorted(m["Message-ID"] for m in server.messages) == sorted(message_id for _, _, message_id in rows)
    finally:
        server.stop()


# The database ----------------------------------------------------------------------------------

def request(port: int, method: str, path: str, token: str | None = None, body: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", **(bearer(token) if token else {})}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, response.getheader("Retry-After"), payload


def serve(processes, database_uri, **settings) -> tuple[int, ServiceProcess]:
    port = free_port()
    server = processes("run", "--port", str(port), database_uri=database_uri, SCHEDULER="off", **settings)
    server.wait_for(r"Running on http://127\.0\.0\.1:%d" % port)
    return port, server


DRAFT = {"title": "Diaspora fund", "type": "bilateral_project"}


def test_a_database_fault_never_gives_a_500(app, processes, database_uri, make_account):
    """PostgreSQL: the server cuts the connections (`pg_terminate_backend`). SQLite: another
    process keeps the database locked longer than the timeout. Answers: 503 or success."""
    _, officer = make_account("officer@example.org", "secretariat", password="a long passphrase")
    _, partner = make_account("focal.sn@example.org", "partner", partner="SN")
    if database_uri.startswith("postgresql"):
        connections_cut(app, processes, database_uri, officer, partner)
    else:
        database_locked(processes, database_uri, partner)


def drafts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(sa.func.count()).select_from(LabellingRequest))


def connections_cut(app, processes, database_uri, officer, partner):
    name = "rabat-fault-test"
    port, server = serve(processes, f"{database_uri}?application_name={name}")
    admin = sa.create_engine(database_uri)

    def cut() -> int:
        with admin.begin() as connection:
            return len(connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name}).all())

    calls = [("GET", "/api/reference/partners", None, None), ("GET", "/api/tasks", officer, None),
             ("POST", "/api/labelling-requests", partner, DRAFT), ("GET", "/api/labelling-requests", partner, None)]
    for method, path, token, body in calls:
        assert request(port, method, path, token, body)[0] in (200, 201)
    assert cut() > 0  # every pooled connection of the server is gone
    after = [request(port, *calls[(n + 2) % len(calls)])[0] for n in range(30)]  # a write first
    assert set(after) <= {200, 201}, after  # checked before use, replaced

    # Connections cut while requests are running: a read is retried, a write answers 503.
    before = drafts(app)
    statuses: list[tuple[str, int, str | None]] = []
    stop = threading.Event()

    def client(offset):
        for n in range(40):
            method, path, token, body = calls[(n + offset) % len(calls)]
            status, retry_after, _ = request(port, method, path, token, body)
            statuses.append((method, status, retry_after))

    def cutter():
        for _ in range(500):
            if stop.is_set():
                return
            cut()
            time.sleep(0.02)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(3)]
    cutting = threading.Thread(target=cutter)
    cutting.start()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(120)
    stop.set()
    cutting.join(30)
    admin.dispose()
    assert len(statuses) == 120
    print("answers while connections were cut:", Counter(f"{method} {status}" for method, status, _ in statuses))
    assert {status for _, status, _ in statuses} <= {200, 201, 503}, "".join(server.output[-60:])
    assert all(retry == "1" for _, status, retry in statuses if status == 503)
    created = sum(1 for method, status, _ in statuses if method == "POST" and status == 201)
    unsure = sum(1 for method, status, _ in statuses if method == "POST" and status == 503)
    # Every draft answered 201 was saved; a 503 saved nothing or (the commit's answer lost) one.
    assert created <= drafts(app) - before <= created + unsure


def database_locked(processes, database_uri, partner):
    port, _ = serve(processes, database_uri, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.5}})

    def sign_in():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/sign-in")
        page = connection.getresponse()
        cookie = page.getheader("Set-Cookie").split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
        form = f"email=officer%40example.org&password=a+long+passphrase&csrf_token={token}"
        connection.request("POST", "/sign-in", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        answer = connection.getresponse()
        body = answer.read().decode()
        connection.close()
        return answer.status, answer.getheader("Retry-After"), body

    holder = sqlite3.connect(database_uri.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than the timeout
    try:
        status, retry_after, body = sign_in()
        assert (status, retry_after) == (503, "1") and "Try again in a moment" in body
        assert request(port, "GET", "/api/labelling-requests", partner)[0] == 200  # reads go on
        assert request(port, "POST", "/api/labelling-requests", partner, DRAFT)[0] == 409  # "try again"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sign_in()[0] == 302
    assert request(port, "POST", "/api/labelling-requests", partner, DRAFT)[0] == 201
