"""Memory of one process: after start, and while it runs 100,000 steps through the service.

    .venv/bin/python bench/memory.py                   # 100,000 steps on SQLite, a few minutes
    .venv/bin/python bench/memory.py --steps 20000 --databases sqlite,postgresql

PostgreSQL is TEST_POSTGRESQL_URL (its `public` schema is dropped and made again). The steps
go through `cases.complete_task` (the service layer, each its own transaction) on 3,000 cases
of a 40-user-task chain taken in random order, so that the workflow cache (256 workflows,
8 MB of states by default) fills and evicts all the time; each finished case is replaced by a
new one. The RSS is read from /proc every 10,000 steps; the last line printed is one JSON
object (MB, seconds, milliseconds). The steps run in a child process that imports the
service only (this one prepares the database with Alembic, which the service never loads).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES, STEPS_PER_CASE = 3_000, 40


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS")).split()[1]) / 1024


def run(database: str, steps: int, folder: Path) -> dict:
    """Prepare the database here, step in a child process; the child's figures."""
    sys.path.insert(0, str(ROOT / "bench"))
    import run as bench
    from service import create_app

    (folder / "bpmn").mkdir(exist_ok=True)
    (folder / "bpmn" / "approval_chain.bpmn").write_text(bench.chain_bpmn(STEPS_PER_CASE))
    uri = bench.fresh_database(database, folder)
    settings = bench.settings(uri, [str(folder / "bpmn")])
    bench.prepare(create_app(settings))
    figures = {"rss_after_start_mb": round(bench.memory_after_start(uri), 1)}
    child = subprocess.run([sys.executable, __file__, "--child", json.dumps({**settings, "steps": steps})],
                           capture_output=True, text=True)
    sys.stderr.write(child.stderr[-2000:])
    child.check_returncode()
    figures.update(json.loads(child.stdout.strip().splitlines()[-1]))
    return figures


def step_in_this_process(settings: dict) -> dict:
    import sqlalchemy as sa

    from service import cases, create_app
    from service.accounts import save_contact
    from service.extensions import db
    from service.models import CaseTask, Contact

    steps = settings.pop("steps")
    app = create_app(settings)
    random.seed(14)
    figures = {}
    with app.app_context():
        officer = save_contact("memory@example.org", roles=["secretariat"])
        db.session.commit()
        officer_id = officer.id
        figures["rss_before_cases_mb"] = round(rss_mb(), 1)
        started_cpu, started = time.process_time(), time.perf_counter()
        open_cases = []
        for _ in range(CASES):
            open_cases.append(cases.start_case("approval_chain", {}, db.session.get(Contact, officer_id)).id)
            db.session.expunge_all()
        figures["rss_after_cases_mb"] = round(rss_mb(), 1)
        task_of = sa.select(CaseTask.id).where(CaseTask.case_id == sa.bindparam("case_id"))
        samples = []
        for step in range(1, steps + 1):
            slot = random.randrange(len(open_cases))
            task_id = db.session.scalar(task_of, {"case_id": open_cases[slot]})
            if task_id is None:  # finished: a new case takes its place
                open_cases[slot] = cases.start_case("approval_chain", {}, db.session.get(Contact, officer_id)).id
                task_id = db.session.scalar(task_of, {"case_id": open_cases[slot]})
            cases.complete_task(task_id, {}, db.session.get(Contact, officer_id))
            db.session.expunge_all()  # a request's session ends with it; this loop's must not grow
            if step % 10_000 == 0 or step == steps:
                cache = app.extensions["workflow_cache"]
                samples.append({"steps": step, "rss_mb": round(rss_mb(), 1), "cached": len(cache),
                                "cached_state_mb": round(cache.weight / 1e6, 1)})
                print(samples[-1], file=sys.stderr, flush=True)
    figures.update({
        "steps": steps, "cases": CASES, "samples": samples,
        "rss_after_steps_mb": samples[-1]["rss_mb"],
        "cpu_ms_per_step": round((time.process_time() - started_cpu) * 1000 / steps, 2),
        "seconds": round(time.perf_counter() - started, 1),
    })
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(step_in_this_process(json.loads(args.child))))
        return
    results = {"python": sys.version.split()[0], "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as folder:
            results[database] = run(database, args.steps, Path(folder))
    first = results[args.databases.split(",")[0]]
    print(json.dumps({"rss_after_start_mb": first["rss_after_start_mb"],
                      "rss_after_100k_steps_mb": first["rss_after_steps_mb"] if args.steps >= 100_000 else None,
                      "rss_after_steps_mb": first["rss_after_steps_mb"], "details": results}))


if __name__ == "__main__":
    main()
