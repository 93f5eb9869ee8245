"""Every figure of the performance targets in one run, baselines measured in the same run.

    .venv/bin/python bench/run.py --quick          # < 5 minutes on 2 shared cores
    .venv/bin/python bench/run.py                  # the objection load for 60 s, more repeats

PostgreSQL: TEST_POSTGRESQL_URL (its `public` schema is dropped and made again). The last
line printed is one JSON object (milliseconds, ratios, per second, MB); the lines before it
say the same for a person. Nothing here is asserted: docs/performance.md reads the figures.

What is measured (CPU time of this process beside wall time, medians unless said):
- step: `cases.complete_task` on a 40-task case, the workflow cached (and, apart, uncached),
  interleaved with the bare cycle: SpiffWorkflow alone, the state without its spec
  (deserialized with the parsed spec), one task completed, one row written, one commit;
  the commit's wall time apart (the disk's fsync);
- history: the same step after about 40 and about 1,000 tasks run (a loop of one user task;
  the service prunes finished turns), beside SpiffWorkflow alone unpruned at the same points,
  and whether the case goes on past SpiffWorkflow's tree-depth limit (about 500 turns);
- HTTP: gunicorn, 2 workers, approval cases (`two_step_review`: start, submit, review) from
  16 clients; the workers' CPU per case (from /proc); SQL statements per request;
- objection: 20 clients POSTing objection links (GET the page, then POST its form; the POST
  timed), then 20 members objecting to one procedure in the same instant;
- memory: RSS of a fresh process after `create_app()` and two requests (after 100,000 steps:
  bench/memory.py).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

import tests.forms_for_tests  # noqa: E402,F401
from service import MIGRATIONS, cases, create_app, links, reference_data  # noqa: E402
from service.accounts import issue_token, save_contact  # noqa: E402
from service.extensions import db  # noqa: E402
from service.models import ActionLink, AuditEntry, Case, CaseTask, Committee, CommitteeMember, Partner  # noqa: E402
from workflows import clock, engine  # noqa: E402

PG_URL = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret"
COMMITTEE = "bench-committee"
MEMBERS = 20  # partners in the bench committee, one contact each
# The objection load posts links of procedures with 4 members: one POST in 4 breaks silence
# (the heavy path: the message to the case, everyone's notice), the others are recorded late.
SMALL_COMMITTEE, SMALL = "bench-committee-4", 4
# 200: counted; 409: recorded, not counted (silence already broken), said on the page.
ANSWERED = (200, 409)


# --- processes of the benchmark ---------------------------------------------------------------

def chain_bpmn(steps: int) -> str:
    tasks, flows, previous = [], [], "start"
    for i in range(1, steps + 1):
        tasks.append(f'<bpmn:userTask id="step_{i}" name="Step {i}" />')
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="step_{i}" />')
        previous = f"step_{i}"
    flows.append(f'<bpmn:sequenceFlow id="f_end" sourceRef="{previous}" targetRef="end" />')
    return _definitions("approval_chain", "".join(tasks) + "".join(flows))


LOOP = """<bpmn:userTask id="turn" name="Turn" />
    <bpmn:exclusiveGateway id="again_q" default="f_end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="turn" />
    <bpmn:sequenceFlow id="f2" sourceRef="turn" targetRef="again_q" />
    <bpmn:sequenceFlow id="f_again" sourceRef="again_q" targetRef="turn">
      <bpmn:conditionExpression>again</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_end" sourceRef="again_q" targetRef="end" />"""


def _definitions(process_id: str, body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{process_id}" targetNamespace="x">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:endEvent id="end" />
    {body}
  </bpmn:process>
</bpmn:definitions>"""


# --- small tools ------------------------------------------------------------------------------

def median(values) -> float | None:
    return round(statistics.median(values), 3) if values else None


def p95(values) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], 1)


class Clocks:
    """CPU time of this process and wall time, read together."""

    def __init__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def elapsed(self) -> tuple[float, float]:
        return (time.process_time() - self.cpu) * 1000, (time.perf_counter() - self.wall) * 1000


class Statements:
    """Counts the SQL statements an engine runs, and the wall time of its commits."""

    def __init__(self, engine_):
        self.count = 0
        self.commit_ms = 0.0
        self._started = None
        event.listen(engine_, "before_cursor_execute", self._statement)
        event.listen(engine_, "commit", self._commit_begins)

    def _statement(self, *args):
        self.count += 1

    def _commit_begins(self, connection):
        self._started = time.perf_counter()

    def commit_ended(self):
        if self._started is not None:
            self.commit_ms += (time.perf_counter() - self._started) * 1000
            self._started = None

    def reset(self):
        self.count, self.commit_ms, self._started = 0, 0.0, None


def fresh_database(name: str, folder: Path) -> str:
    if name == "sqlite":
        return "sqlite:///" + str(folder / "bench.sqlite")
    engine_ = sa.create_engine(PG_URL)
    with engine_.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine_.dispose()
    return PG_URL


def settings(uri: str, bpmn_dirs: list[str]) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": SECRET, "BPMN_DIRS": bpmn_dirs,
            "MAIL_DELIVERY": "capture", "SCHEDULER": "off", "PUBLIC_BASE_URL": "http://127.0.0.1",
            # What the limits cost is bench/rate_limits.py; 20 clients on one address would hit them.
            "RATELIMIT_ENABLED": False}


def prepare(app) -> dict[str, str]:
    """Schema, reference data, the bench committee (20 partners, one contact each) and the
    accounts; their API tokens."""
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        reference_data.load()
        partners = list(db.session.scalars(sa.select(Partner.code).where(Partner.kind == "country",
                                                                         Partner.status == "partner")
                                           .order_by(Partner.code).limit(MEMBERS)))
        for code, members in ((COMMITTEE, partners), (SMALL_COMMITTEE, partners[:SMALL])):
            committee = Committee(code=code, name_en=f"Bench committee of {len(members)}",
                                  name_fr=f"Comité de {len(members)} du banc d'essai")
            committee.members = [CommitteeMember(partner_code=partner) for partner in members]
            db.session.add(committee)
        for code in partners:
            save_contact(f"member.{code.lower()}@example.org", roles=["committee-member"], partner_code=code,
                         language="fr" if len(code) % 2 else "en")
        officer = save_contact("officer@example.org", roles=["secretariat"])
        partner = save_contact("focal@example.org", roles=["partner"], partner_code="SN")
        tokens = {"officer": issue_token(officer), "partner": issue_token(partner)}
        db.session.commit()
    return tokens


# --- the step, against the bare cycle, interleaved ---------------------------------------------

def bench_steps(app, steps: int, repeats: int) -> dict:
    cached, uncached, bare = [], [], []  # (cpu, wall, statements, commit wall) per step
    with app.app_context():
        counter = Statements(db.engine)
        event.listen(db.session, "after_commit", lambda session: counter.commit_ended())
        officer = save_contact("bench@example.org", roles=["secretariat"])
        db.session.commit()
        definition = cases.registry().get("approval_chain")
        with db.engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_state (id INTEGER PRIMARY KEY, state TEXT)"))
            connection.execute(sa.text("DELETE FROM bench_state"))
            connection.execute(sa.text("INSERT INTO bench_state (id, state) VALUES (1, '')"))
        raw = db.engine.connect()
        write = sa.text("UPDATE bench_state SET state = :s WHERE id = 1")
        tasks_in_case = 0
        for repeat in range(repeats):
            for label, out in (("cached", cached), ("bare", bare), ("uncached", uncached)):
                if label == "bare":
                    services = engine.Services(cases.operations())
                    state = engine.dump(engine.start(definition.spec, definition.subprocess_specs, {}, services))
                    for _ in range(steps):
                        clocks = Clocks()
                        workflow = engine.restore(state, definition.spec, definition.subprocess_specs, services)
                        task = workflow.get_tasks(state=engine.TaskState.READY, manual=True)[0]
                        task.run()
                        workflow.do_engine_steps()
                        state = engine.dump(workflow)
                        raw.execute(write, {"s": state})
                        committing = time.perf_counter()
                        raw.commit()
                        commit_ms = (time.perf_counter() - committing) * 1000
                        cpu, wall = clocks.elapsed()
                        out.append((cpu, wall, 1, commit_ms))
                    continue
                case = cases.start_case("approval_chain", {}, officer)
                for _ in range(steps):
                    task_id = db.session.scalar(sa.select(CaseTask.id).where(CaseTask.case_id == case.id))
                    if label == "uncached":
                        app.extensions["workflow_cache"].clear()
                    counter.reset()
                    clocks = Clocks()
                    cases.complete_task(task_id, {}, officer)
                    cpu, wall = clocks.elapsed()
                    out.append((cpu, wall, counter.count, counter.commit_ms))
                if label == "cached":
                    tasks_in_case = len(cases.workflow_for_reading(case).tasks)
        raw.close()
        state_kib = len(db.session.scalar(sa.select(Case.state).order_by(Case.id.desc()).limit(1)) or "") / 1024
    column = lambda rows, i: [row[i] for row in rows]  # noqa: E731
    return {
        "tasks_in_case": tasks_in_case,
        "state_kib": round(state_kib, 1),
        "step_cpu_ms": median(column(cached, 0)),
        "step_wall_ms": median(column(cached, 1)),
        "step_commit_wall_ms": median(column(cached, 3)),
        "step_statements": median(column(cached, 2)),
        "step_uncached_cpu_ms": median(column(uncached, 0)),
        "step_uncached_wall_ms": median(column(uncached, 1)),
        "bare_cpu_ms": median(column(bare, 0)),
        "bare_wall_ms": median(column(bare, 1)),
        "bare_commit_wall_ms": median(column(bare, 3)),
        "step_over_bare_cpu": round(statistics.median(column(cached, 0)) / statistics.median(column(bare, 0)), 2),
    }


# --- history: a step at 40 and at about 1,000 tasks -------------------------------------------

def bench_history(app, turns: int, sample: int) -> dict:
    """A loop of one user task: each turn runs two tasks (the task and its gateway). The step
    is measured after about 40 tasks on one case, and after about 1,000 on another, whose first
    turns are run by the engine alone in memory (as fast as it goes) and written as its state.
    The service prunes finished turns (`workflows.history`): the tasks run and the tasks its
    state holds are both reported; and, beside it, SpiffWorkflow alone (no pruning, the state
    kept whole: restore, step, serialize) at the same two points."""
    with app.app_context():
        officer = save_contact("history@example.org", roles=["secretariat"])
        db.session.commit()
        short = cases.start_case("history_loop", {}, officer).id
        at_40 = [timed_turn(short, officer) for _ in range(19 + sample)][-sample:]
        first_tasks = len(cases.workflow_for_reading(db.session.get(Case, short)).tasks)
        long = cases.start_case("history_loop", {}, officer).id
        grow(db.session.get(Case, long), turns - sample)
        db.session.commit()
        app.extensions["workflow_cache"].clear()
        timed_turn(long, officer)  # restores the grown state once; the next ones are cached
        at_end = [timed_turn(long, officer) for _ in range(sample)]
        case = db.session.get(Case, long)
        result = {
            "history_tasks_run": [2 * (19 + sample) + 3, 2 * turns + 3],
            "history_tasks": [first_tasks, len(cases.workflow_for_reading(case).tasks)],
            "history_state_kib": round(len(case.state) / 1024, 1),
            **bare_history(19 + sample, turns, sample),
            "step_40_cpu_ms": median([c for c, _ in at_40]),
            "step_1000_cpu_ms": median([c for c, _ in at_end]),
            "step_40_wall_ms": median([w for _, w in at_40]),
            "step_1000_wall_ms": median([w for _, w in at_end]),
        }
        # A few turns more reach SpiffWorkflow's depth limit (1,000 levels of its task tree):
        # what the case says then, and what the next completion gets.
        stop, errors = None, []
        for turn in range(turns + 1, turns + 10):
            try:
                if timed_turn(long, officer) is None:
                    stop = turn
                    break
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                stop, errors = turn, [f"{type(error).__name__}: {error}"]
                break
        case = db.session.get(Case, long)
        recorded = list(db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.case_id == long, AuditEntry.action.notin_(("task_completed", "case_started")))))
        result["depth_limit"] = {"no_open_task_at_turn": stop, "status": case.status, "recorded": recorded,
                                 "errors": errors}
    result["step_1000_over_40"] = round(result["step_1000_cpu_ms"] / result["step_40_cpu_ms"], 2)
    return result


def bare_history(short: int, long: int, sample: int) -> dict:
    """SpiffWorkflow alone on the same loop, unpruned: CPU ms of restore + one turn + serialize
    after `short` and after `long` turns, and the state's size then."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    definition = cases.registry().get("history_loop")
    figures = {}
    for label, turns_ in (("40", short), ("1000", long)):
        workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
        workflow.do_engine_steps()
        times = []
        for turn in range(turns_ + sample):
            clocks = Clocks()
            if turn >= turns_:
                workflow = engine.restore(state, definition.spec, definition.subprocess_specs, engine.Services())
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data["again"] = True
            task.run()
            workflow.do_engine_steps()
            state = engine.SERIALIZER.serialize_json(workflow)
            if turn >= turns_:
                times.append(clocks.elapsed()[0])
        figures[f"bare_step_{label}_cpu_ms"] = median(times)
        figures[f"bare_history_tasks_{label}"] = len(workflow.tasks)
    figures["bare_state_kib_1000"] = round(len(state) / 1024, 1)
    figures["bare_1000_over_40"] = round(figures["bare_step_1000_cpu_ms"] / figures["bare_step_40_cpu_ms"], 2)
    return figures


def timed_turn(case_id: int, officer) -> tuple[float, float] | None:
    task_id = db.session.scalar(sa.select(CaseTask.id).where(CaseTask.case_id == case_id))
    if task_id is None:
        return None
    clocks = Clocks()
    cases.complete_task(task_id, {"again": True}, officer)
    return clocks.elapsed()


def grow(case, turns: int) -> None:
    """Run `turns` turns of a loop case with the engine alone, and write its state and task row."""
    workflow = cases.workflow_for_reading(case)
    for _ in range(turns):
        engine.complete_user_task(workflow, engine.ready_user_tasks(workflow)[0].id, {"again": True})
    task = engine.ready_user_tasks(workflow)[0]
    cases_table, tasks_table = Case.__table__, CaseTask.__table__
    db.session.execute(sa.update(cases_table).where(cases_table.c.id == case.id).values(
        state=engine.dump(workflow), version=cases_table.c.version + 1))
    db.session.execute(sa.delete(tasks_table).where(tasks_table.c.case_id == case.id))
    db.session.execute(sa.insert(tasks_table).values(
        id=task.id, case_id=case.id, bpmn_id=task.bpmn_id, name=task.name, lane=task.lane, form=task.form,
        created_at=clock.now()))
    db.session.expire(case)


# --- statements per request, in process -------------------------------------------------------

def bench_statements(app, tokens: dict[str, str]) -> dict:
    with app.app_context():
        counter = Statements(db.engine)
    client = app.test_client()
    officer = {"Authorization": f"Bearer {tokens['officer']}"}
    partner = {"Authorization": f"Bearer {tokens['partner']}"}
    approval = []
    for _ in range(3):
        counter.reset()
        case = client.post("/api/cases", json={"process": "two_step_review",
                                               "data": {"requester_email": "a@example.org"}}, headers=officer).get_json()
        approval.append(counter.count)
        counter.reset()
        case = client.post(f"/api/tasks/{case['ready_tasks'][0]['id']}/complete", json={"data": {"text": "x"}},
                           headers=partner).get_json()
        approval.append(counter.count)
        counter.reset()
        case = client.post(f"/api/tasks/{case['ready_tasks'][0]['id']}/complete", json={"data": {"approved": True}},
                           headers=officer).get_json()
        approval.append(counter.count)
        assert case["status"] == "completed", case
    tokens_ = objection_tokens(app, client, tokens, procedures=1)
    objection = []
    form = csrf(client.get(f"/act/{tokens_[0]}").get_data(as_text=True))
    for token in tokens_[:3]:  # the first breaks silence; the next ones are recorded, not counted
        client.get(f"/act/{token}")
        counter.reset()
        response = client.post(f"/act/{token}", data={"csrf_token": form, "reason": "Paragraph 3."})
        assert response.status_code in ANSWERED, response.status_code
        objection.append(counter.count)
    return {"statements_per_request": round(sum(approval) / len(approval), 1),
            "statements_per_approval_request": approval[-3:],
            "statements_per_objection_post": objection}


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def objection_tokens(app, client, tokens: dict[str, str], procedures: int, committee: str = COMMITTEE) -> list[str]:
    """Launch procedures for the bench committee (as the Secretariat, through the API); the
    tokens of their objection links, procedure by procedure."""
    deadline = (clock.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    launched = []
    for i in range(procedures):
        response = client.post("/api/silent-procedures", headers={"Authorization": f"Bearer {tokens['officer']}"},
                               json={"subject": f"Conclusions {i}", "text": "The committee endorses the conclusions.",
                                     "proposed_decision": "Endorse.", "deadline": deadline,
                                     "timezone": "Europe/Brussels", "committees": [committee]})
        assert response.status_code == 201, response.get_json()
        launched.append(response.get_json()["id"])
    with app.app_context():
        rows = db.session.scalars(sa.select(ActionLink).where(
            ActionLink.purpose == "object", ActionLink.subject_id.in_(launched)).order_by(ActionLink.id))
        return [links.token(link) for link in rows]


# --- over HTTP, with gunicorn -----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(uri: str, bpmn_dirs: list[str], workers: int = 2):
    port = free_port()
    environment = dict(os.environ, FLASK_SQLALCHEMY_DATABASE_URI=uri, FLASK_SECRET_KEY=SECRET,
                       FLASK_BPMN_DIRS=os.pathsep.join(bpmn_dirs), FLASK_MAIL_DELIVERY="capture",
                       FLASK_SCHEDULER="off", FLASK_RATELIMIT_ENABLED="false",
                       FLASK_PUBLIC_BASE_URL="http://127.0.0.1")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--pythonpath", str(ROOT), "--log-level", "warning", "--backlog", "256", "bench.wsgi:app"],
        env=environment, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = request(port, "GET", "/api/reference/partners", headers={})
                if status < 500 and len(worker_pids(server.pid)) == workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)  # waiting for the server to listen
        yield port, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def rss_mb(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("VmRSS"))
        sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, (response.read(), response.getheader("Set-Cookie"))
    finally:
        connection.close()


def approval_case(port: int, tokens: dict[str, str]) -> bool:
    def call(path, data, who):
        status, (body, _) = request(port, "POST", path, json.dumps(data).encode(), {
            "Content-Type": "application/json", "Authorization": f"Bearer {tokens[who]}"})
        if status not in (200, 201):
            raise RuntimeError(f"{status} {body[:200]!r}")
        return json.loads(body)

    case = call("/api/cases", {"process": "two_step_review", "data": {"requester_email": "a@example.org"}}, "officer")
    case = call(f"/api/tasks/{case['ready_tasks'][0]['id']}/complete", {"data": {"text": "x"}}, "partner")
    case = call(f"/api/tasks/{case['ready_tasks'][0]['id']}/complete", {"data": {"approved": True}}, "officer")
    return case["status"] == "completed"


def bench_http(port: int, master: int, tokens: dict[str, str], clients: int, seconds: float) -> dict:
    for _ in range(4):  # both workers warm (first requests load templates, specs, connections)
        approval_case(port, tokens)
    workers = worker_pids(master)
    done, errors = [], []
    stop = time.monotonic() + seconds

    def client():
        while time.monotonic() < stop:
            try:
                done.append(approval_case(port, tokens))
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors.append(str(error)[:200])

    cpu_before, started = cpu_seconds(workers), time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(workers) - cpu_before
    return {"cases": len(done), "errors": len(errors), "error_sample": errors[:3],
            "cases_per_s": round(len(done) / elapsed, 1),
            "server_cpu_ms_per_case": round(server_cpu * 1000 / max(1, len(done)), 2),
            "worker_rss_mb": rss_mb(workers)}


def post_objection(port: int, token: str, session: dict) -> tuple[int, float]:
    """GET the link's page, then POST its form: the POST's status and ms. A page shows no form
    once silence is broken; the member who had it open still posts it (the session's CSRF
    token serves any form)."""
    status, (page, cookie) = request(port, "GET", f"/act/{token}", headers=session.get("headers"))
    if status != 200:
        return status, 0.0
    if "headers" not in session:
        session.update(csrf=csrf(page.decode()), headers={"Cookie": cookie.split(";", 1)[0]})
    body = urllib.parse.urlencode({"csrf_token": session["csrf"], "reason": "Paragraph 3 must go."}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **session["headers"]}
    started = time.perf_counter()
    status, _ = request(port, "POST", f"/act/{token}", body, headers)
    return status, (time.perf_counter() - started) * 1000


def bench_objections(port: int, tokens: list[str], clients: int, seconds: float) -> dict:
    pending: queue.Queue[str] = queue.Queue()
    for token in tokens:
        pending.put(token)
    latencies, errors, counted = [], [], []
    stop = time.monotonic() + seconds

    def client():
        session: dict = {}
        while time.monotonic() < stop:
            try:
                token = pending.get_nowait()
            except queue.Empty:
                return
            try:
                status, ms = post_objection(port, token, session)
            except Exception as error:  # noqa: BLE001 - counted and reported
                errors.append(f"{type(error).__name__}: {error}"[:200])
                continue
            (latencies.append(ms) if status in ANSWERED else errors.append(str(status)))
            counted.append(status == 200)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"posts": len(latencies), "counted": sum(counted), "errors": len(errors), "error_sample": errors[:3],
            "seconds": round(elapsed, 1), "links_left": pending.qsize(),
            "p50_ms": median(latencies), "p95_ms": p95(latencies),
            "max_ms": round(max(latencies), 1) if latencies else None}


def bench_burst(app, port: int, tokens: list[str]) -> dict:
    """Every member of one procedure objects in the same instant."""
    pages = [request(port, "GET", f"/act/{token}")[1] for token in tokens]
    barrier = threading.Barrier(len(tokens))
    results = [None] * len(tokens)

    def member(i):
        page, cookie = pages[i]
        body = urllib.parse.urlencode({"csrf_token": csrf(page.decode()), "reason": "No."}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie.split(";", 1)[0]}
        barrier.wait()
        started = time.perf_counter()
        status, _ = request(port, "POST", f"/act/{tokens[i]}", body, headers)
        results[i] = (status, (time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=member, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    from service.procedures.silent_procedure.models import ProcedureResponse, SilentProcedure

    with app.app_context():
        procedure_id = db.session.scalar(sa.select(ActionLink.subject_id).where(
            ActionLink.purpose == "object").order_by(ActionLink.id.desc()).limit(1))
        procedure = db.session.get(SilentProcedure, procedure_id)
        responses = db.session.scalars(sa.select(ProcedureResponse).where(
            ProcedureResponse.procedure_id == procedure_id)).all()
        outcome = {"status": procedure.status, "responses": len(responses),
                   "counted": sum(1 for r in responses if r.counted)}
    latencies = [ms for status, ms in results if status in ANSWERED]
    return {"members": len(tokens), "ok": len(latencies), "errors": len(tokens) - len(latencies),
            "max_ms": round(max(latencies), 1) if latencies else None, **outcome}


def memory_after_start(uri: str) -> float:
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from service import create_app\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': %r, 'SECRET_KEY': 'x', 'SCHEDULER': 'off'})\n"
        "client = app.test_client(); client.get('/api/reference/partners'); client.get('/')\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])\n"
    ) % (str(ROOT), uri)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(output.strip().splitlines()[-1]) / 1024


# --- the run ----------------------------------------------------------------------------------

_T0 = time.monotonic()


def progress(database: str, what: str) -> None:
    print(f"[{time.monotonic() - _T0:6.1f} s] {database}: {what}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 10 s of objections")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    # Enough procedures (4 links each) that the objection load lasts its time: about 120 POSTs
    # a second were served on a quiet machine (130 at most).
    repeats, http_seconds, objection_seconds, procedures = (4, 8, 10, 400) if args.quick else (10, 20, 60, 2400)
    steps, turns = 35, 495
    random.seed(14)
    results: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "quick": args.quick,
                     "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "bpmn").mkdir()
        (folder / "bpmn" / "approval_chain.bpmn").write_text(chain_bpmn(steps))
        (folder / "bpmn" / "history_loop.bpmn").write_text(_definitions("history_loop", LOOP))
        bpmn_dirs = [str(folder / "bpmn"), str(ROOT / "workflows" / "bpmn"), str(ROOT / "tests" / "bpmn")]
        for name in args.databases.split(","):
            uri = fresh_database(name, folder)
            app = create_app(settings(uri, bpmn_dirs))
            tokens = prepare(app)
            clock.reset()
            figures = {}
            progress(name, "steps")
            figures.update(bench_steps(app, steps, repeats))
            if not (args.quick and results.get("history")):  # --quick: on the first database only
                progress(name, "history")
                figures.update(bench_history(app, turns, sample=5))
                results["history"] = name
            progress(name, "statements")
            figures.update(bench_statements(app, tokens))
            progress(name, "launching procedures")
            client = app.test_client()
            link_tokens = objection_tokens(app, client, tokens, procedures, SMALL_COMMITTEE)
            random.shuffle(link_tokens)
            burst_tokens = objection_tokens(app, client, tokens, 1)
            progress(name, "over HTTP")
            with app.app_context():
                db.engine.dispose()
            with gunicorn(uri, bpmn_dirs) as (port, master):
                figures["http"] = bench_http(port, master, tokens, clients=16, seconds=http_seconds)
                figures["objection"] = bench_objections(port, link_tokens, clients=20, seconds=objection_seconds)
                figures["burst"] = bench_burst(app, port, burst_tokens)
            with app.app_context():
                db.engine.dispose()
            results[name] = figures
            print(f"{name}: step {figures['step_cpu_ms']} ms CPU / {figures['step_wall_ms']} ms wall "
                  f"(bare {figures['bare_cpu_ms']} / {figures['bare_wall_ms']}), "
                  f"{figures['http']['cases_per_s']} approval cases/s, objection p95 "
                  f"{figures['objection']['p95_ms']} ms", flush=True)
        results["rss_after_start_mb"] = round(memory_after_start(
            "sqlite:///" + str(folder / "bench.sqlite")), 1)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.monotonic() - started, 1)
    first = results.get("sqlite") or results[args.databases.split(",")[0]]
    summary = {
        "step_cpu_ms": first["step_cpu_ms"],
        "step_wall_ms": first["step_wall_ms"],
        "step_commit_wall_ms": first["step_commit_wall_ms"],
        "step_uncached_cpu_ms": first["step_uncached_cpu_ms"],
        "bare_cpu_ms": first["bare_cpu_ms"],
        "bare_wall_ms": first["bare_wall_ms"],
        "step_over_bare_cpu": first["step_over_bare_cpu"],
        "step_1000_over_40": results[results["history"]]["step_1000_over_40"],
        "bare_1000_over_40": results[results["history"]]["bare_1000_over_40"],
        "http_cases_per_s_sqlite": results.get("sqlite", {}).get("http", {}).get("cases_per_s"),
        "http_cases_per_s_postgresql": results.get("postgresql", {}).get("http", {}).get("cases_per_s"),
        "server_cpu_ms_per_case": first["http"]["server_cpu_ms_per_case"],
        "statements_per_request": first["statements_per_request"],
        "objection_p95_ms": max(r["objection"]["p95_ms"] or 0 for k, r in results.items()
                                if isinstance(r, dict) and "objection" in r),
        **{f"objection_p95_ms_{k}": r["objection"]["p95_ms"] for k, r in results.items()
           if isinstance(r, dict) and "objection" in r},
        "objection_errors": sum(r["objection"]["errors"] for k, r in results.items()
                                if isinstance(r, dict) and "objection" in r),
        "rss_after_start_mb": results["rss_after_start_mb"],
        "details": results,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
