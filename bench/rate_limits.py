"""What counting the rate limits in the database costs a request, on SQLite and PostgreSQL.

    .venv/bin/python bench/rate_limits.py [--requests 500] [--databases sqlite,postgresql]

Times `GET /api/tasks` (a bearer token looked up, an empty list answered) through the app,
in process, with the rate limits off and on (`database://`: two counters per API request, per
account and per client address, each one UPSERT on its own connection). Reports the median
and 95th percentile per request and the difference. PostgreSQL is `TEST_POSTGRESQL_URL`
(its `public` schema is dropped and recreated).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from bench.engine import fresh_database  # noqa: E402
from service import MIGRATIONS, create_app  # noqa: E402
from service.accounts import issue_token, save_contact  # noqa: E402
from service.extensions import db  # noqa: E402


def timings(uri: str, requests: int, limits: bool) -> list[float]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "SCHEDULER": "off",
                      "RATELIMIT_ENABLED": limits, "RATELIMIT_API_PER_ACCOUNT": "1000000 per minute",
                      "RATELIMIT_API_PER_ADDRESS": "1000000 per minute"})
    with app.app_context():
        token = issue_token(save_contact(f"bench-{limits}@example.org", roles=["secretariat"]))
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(20):  # warm up
        client.get("/api/tasks", headers=headers)
    spent = []
    for _ in range(requests):
        started = time.perf_counter()
        assert client.get("/api/tasks", headers=headers).status_code == 200
        spent.append((time.perf_counter() - started) * 1000)
    with app.app_context():
        db.engine.dispose()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--databases", default="sqlite,postgresql")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in arguments.databases.split(","):
            uri = fresh_database(name, Path(folder))
            app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "SCHEDULER": "off"})
            with app.app_context():
                upgrade(directory=MIGRATIONS)
                db.engine.dispose()
            off = timings(uri, arguments.requests, limits=False)
            on = timings(uri, arguments.requests, limits=True)
            p95 = lambda values: statistics.quantiles(values, n=20)[-1]  # noqa: E731
            print(f"{name}: limits off median {statistics.median(off):.2f} ms, p95 {p95(off):.2f} ms; "
                  f"on median {statistics.median(on):.2f} ms, p95 {p95(on):.2f} ms; "
                  f"cost {statistics.median(on) - statistics.median(off):+.2f} ms per request")


if __name__ == "__main__":
    main()
