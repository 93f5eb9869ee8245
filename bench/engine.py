"""Benchmark of the engine through the service layer, on SQLite and PostgreSQL.

    .venv/bin/python bench/engine.py [--steps 35] [--repeats 10] [--cases 100] [--timers 50] [--databases sqlite,postgresql]

Superseded by bench/run.py for the figures of issue 14: the "bare" baseline here embeds the
spec in each state (SpiffWorkflow's default), which costs more than the service's own
restore, and its "commit alone" rewrites an unchanged value; run.py's floor does neither.

Reports (not asserted; see docs/performance.md):
- per-step time of `cases.complete_task` on a chain of N user tasks, by position in the case
  (growth with the case's history), against bare SpiffWorkflow (deserialize -> complete ->
  serialize, plus one commit of the state on the same database);
- approval cases per second over real HTTP (start + 2 completions of `two_step_review`);
- timer lateness: real clock, background scheduler, deadlines spread over 3 s;
- memory (RSS) of a fresh process after `create_app()`.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

import tests.forms_for_tests  # noqa: E402,F401
from service import MIGRATIONS, cases, create_app  # noqa: E402
from service.accounts import issue_token, save_contact  # noqa: E402
from service.extensions import db  # noqa: E402
from service.models import AuditEntry, CaseTask  # noqa: E402
from workflows import clock, engine  # noqa: E402

# SpiffWorkflow's own serializer (spec embedded in each state): the baseline.
BARE = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
PG_URL = os.environ.get("TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def chain_bpmn(steps: int) -> str:
    tasks, flows, previous = [], [], "start"
    for i in range(1, steps + 1):
        tasks.append(f'<bpmn:userTask id="step_{i}" name="Step {i}" />')
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="step_{i}" />')
        previous = f"step_{i}"
    flows.append(f'<bpmn:sequenceFlow id="f_end" sourceRef="{previous}" targetRef="end" />')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="approval_chain" isExecutable="true">
    <bpmn:startEvent id="start" />
    {''.join(tasks)}
    <bpmn:endEvent id="end" />
    {''.join(flows)}
  </bpmn:process>
</bpmn:definitions>"""


def fresh_database(name: str, folder: Path) -> str:
    if name == "sqlite":
        return "sqlite:///" + str(folder / "bench.sqlite")
    engine_ = sa.create_engine(PG_URL)
    with engine_.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine_.dispose()
    return PG_URL


def make_app(uri: str, bpmn_dirs: list[str], **extra):
    config = {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "BPMN_DIRS": bpmn_dirs,
              "MAIL_DELIVERY": "capture", "SCHEDULER": "off",
              "RATELIMIT_ENABLED": False}  # what the limits cost: bench/rate_limits.py
    config.update(extra)
    return create_app(config)


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median": statistics.median(ordered), "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]}


def bench_steps(app, steps: int, repeats: int) -> dict:
    """Per-step service time by position, and bare SpiffWorkflow + one commit."""
    by_position: dict[int, list[float]] = {i: [] for i in range(1, steps + 1)}
    bare_by_position: dict[int, list[float]] = {i: [] for i in range(1, steps + 1)}
    task_counts = []
    with app.app_context():
        officer = save_contact("bench@example.org", roles=["secretariat"])
        db.session.commit()
        definition = cases.registry().get("approval_chain")
        with db.engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_state (id INTEGER PRIMARY KEY, state TEXT)"))
            connection.execute(sa.text("DELETE FROM bench_state"))
            connection.execute(sa.text("INSERT INTO bench_state (id, state) VALUES (1, '')"))
        for _ in range(repeats):
            case = cases.start_case("approval_chain", {}, officer)
            for position in range(1, steps + 1):
                task_id = db.session.scalar(sa.select(CaseTask.id).where(CaseTask.case_id == case.id))
                started = time.perf_counter()
                cases.complete_task(task_id, {}, officer)
                by_position[position].append((time.perf_counter() - started) * 1000)
            task_counts.append(len(engine.restore(case.state, definition.spec, definition.subprocess_specs,
                                                  engine.Services(cases.operations())).get_tasks()))
            # Bare SpiffWorkflow on the same BPMN, with one commit of the state per step.
            services = engine.Services(cases.operations())
            state = BARE.serialize_json(engine.start(definition.spec, definition.subprocess_specs, {}, services))
            for position in range(1, steps + 1):
                started = time.perf_counter()
                workflow = BARE.deserialize_json(state)
                task = workflow.get_tasks(state=engine.TaskState.READY, manual=True)[0]
                task.run()
                workflow.do_engine_steps()
                state = BARE.serialize_json(workflow)
                with db.engine.begin() as connection:
                    connection.execute(sa.text("UPDATE bench_state SET state = :s WHERE id = 1"), {"s": state})
                bare_by_position[position].append((time.perf_counter() - started) * 1000)
        # One commit of a state of that size, alone: the floor under any durable step.
        commit_only = []
        for _ in range(steps * repeats):
            started = time.perf_counter()
            with db.engine.begin() as connection:
                connection.execute(sa.text("UPDATE bench_state SET state = :s WHERE id = 1"), {"s": state})
            commit_only.append((time.perf_counter() - started) * 1000)
    all_steps = [v for values in by_position.values() for v in values]
    all_bare = [v for values in bare_by_position.values() for v in values]
    return {
        "tasks_in_finished_case": max(task_counts),
        "service_step_ms": quantiles(all_steps),
        "bare_step_ms": quantiles(all_bare),
        "commit_only_ms": quantiles(commit_only),
        "ratio_median": statistics.median(all_steps) / statistics.median(all_bare),
        "growth": {p: round(statistics.median(by_position[p]), 3) for p in (1, steps // 2, steps)},
        "bare_growth": {p: round(statistics.median(bare_by_position[p]), 3) for p in (1, steps // 2, steps)},
    }


def bench_http(app, cases_count: int) -> dict:
    """Approval cases per second over HTTP: start, submit, review (3 requests per case)."""
    from werkzeug.serving import make_server

    with app.app_context():
        officer = issue_token(save_contact("officer@example.org", roles=["secretariat"]))
        partner = issue_token(save_contact("focal@example.org", roles=["partner"], partner_code="SN"))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port)

    def call(path, body, token):
        connection.request("POST", path, body=json.dumps(body),
                           headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        payload = json.loads(response.read())
        assert response.status in (200, 201), payload
        return payload

    started = time.perf_counter()
    for _ in range(cases_count):
        case = call("/api/cases", {"process": "two_step_review", "data": {"requester_email": "a@example.org"}}, officer)
        case = call(f"/api/tasks/{case['ready_tasks'][0]['id']}/complete", {"data": {"text": "x"}}, partner)
        case = call(f"/api/tasks/{case['ready_tasks'][0]['id']}/complete", {"data": {"approved": True}}, officer)
        assert case["status"] == "completed"
    elapsed = time.perf_counter() - started
    server.shutdown()
    return {"cases": cases_count, "seconds": round(elapsed, 3), "cases_per_second": round(cases_count / elapsed, 1)}


def bench_timers(app, count: int) -> dict:
    """Real clock: deadlines spread over 3 s, one background scheduler; lateness per timer."""
    from service.scheduler import Scheduler

    clock.reset()
    with app.app_context():
        base = clock.now() + timedelta(seconds=1)
        due = {}
        for i in range(count):
            deadline = base + timedelta(seconds=3 * i / count)
            case = cases.start_case("deadline_watch", {"deadline": deadline.isoformat()}, "bench")
            due[case.id] = deadline
    scheduler = Scheduler(app, owner="bench")
    done = threading.Event()
    scheduler.on_round = lambda moved, sent: None
    scheduler.start()
    deadline_wall = time.monotonic() + 30
    fired = {}
    while time.monotonic() < deadline_wall and len(fired) < count:
        done.wait(0.25)  # waiting for the scheduler's thread to report, not for time to pass in a test
        with app.app_context():
            rows = db.session.execute(sa.select(AuditEntry.case_id, AuditEntry.at).where(
                AuditEntry.action == "timer_fired")).all()
            db.session.commit()
        fired = {case_id: at for case_id, at in rows if case_id in due}
    scheduler.shutdown()
    lateness = [(fired[c] - due[c]).total_seconds() * 1000 for c in fired]
    return {"timers": count, "fired": len(fired), "lateness_ms": quantiles(lateness) if lateness else None}


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=35)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--timers", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    results = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "chain").mkdir()
        (folder / "chain" / "approval_chain.bpmn").write_text(chain_bpmn(args.steps))
        bpmn_dirs = [str(folder / "chain"), str(ROOT / "workflows" / "bpmn"), str(ROOT / "tests" / "bpmn")]
        for name in args.databases.split(","):
            uri = fresh_database(name, folder)
            app = make_app(uri, bpmn_dirs)
            with app.app_context():
                upgrade(directory=MIGRATIONS)
                from service import reference_data

                reference_data.load()
                db.session.commit()
            clock.reset()
            results[name] = {
                "steps": bench_steps(app, args.steps, args.repeats),
                "http": bench_http(app, args.cases),
                "timers": bench_timers(app, args.timers),
                "rss_mb_after_start": round(memory_after_start(uri), 1),
            }
            with app.app_context():
                db.engine.dispose()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
