"""Monitoring: the scheduler's heartbeat, timers due and not fired, the outbox, as GET /api/health
(open, counts only) and on the Secretariat's desk."""
from datetime import timedelta

import pytest

from service.scheduler import Scheduler
from tests.helpers import LAUNCH, T0, bearer, sign_in


@pytest.fixture
def office(make_app, make_account):
    # SMTP on a port nobody listens on: every e-mail fails and stays pending.
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9, SCHEDULER_HEARTBEAT_SECONDS=0)
    officer = make_account("clerk@example.org", "secretariat", password="a long passphrase")[1]
    for email, partner in (("ng@example.org", "NG"), ("be@example.org", "BE")):
        make_account(email, "committee-member", partner=partner)
    return app, app.test_client(), officer


def test_health_says_when_the_scheduler_is_down_and_what_waits(office, frozen_clock):
    app, client, officer = office
    down = client.get("/api/health")  # no token: a monitoring probe holds none
    assert down.status_code == 503
    body = down.get_json()
    assert body["status"] == "degraded" and body["scheduler"] == {
        "alive": False, "last_heartbeat_at": None, "last_round_at": None, "seconds_since_heartbeat": None}

    scheduler = Scheduler(app, owner="test")
    scheduler.run_once()
    up = client.get("/api/health")
    assert up.status_code == 200, up.get_json()
    assert up.get_json()["scheduler"]["alive"] and up.get_json()["scheduler"]["last_round_at"]
    assert up.get_json()["timers"]["due"] == 0 and up.get_json()["outbox"]["pending"] == 0

    launched = client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(officer))
    assert launched.status_code == 201
    waiting = client.get("/api/health").get_json()
    assert waiting["outbox"]["pending"] == 2 and waiting["outbox"]["failing"] == 0
    scheduler.run_once()  # SMTP refuses: the notices stay pending, failing
    failing = client.get("/api/health").get_json()
    assert failing["outbox"]["pending"] == 2 and failing["outbox"]["failing"] == 1  # the round stops at the first refusal
    assert failing["outbox"]["oldest_pending_at"].startswith("2026-03-02T09:00")
    text = client.get("/api/health").get_data(as_text=True)
    assert "@" not in text and "Connection" not in text and "test" not in text  # no address, error or host

    # Past the deadline (and its reminders), with the scheduler not running: timers wait.
    frozen_clock.freeze(T0 + timedelta(days=9))
    late = client.get("/api/health")
    assert late.status_code == 503 and late.get_json()["timers"]["due"] >= 1
    scheduler.run_once()
    assert client.get("/api/health").get_json()["timers"]["due"] == 0


def test_the_desk_shows_the_background_work(office):
    app, client, officer = office
    client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(officer))
    sign_in(client, "clerk@example.org")
    page = client.get("/desk?lang=en").get_data(as_text=True)
    assert "Background work: needs attention" in page and "Scheduler: no heartbeat recorded." in page
    assert "2 e-mails waiting to be sent" in page
    Scheduler(app, owner="test").run_once()
    page = client.get("/desk?lang=en").get_data(as_text=True)
    assert "Scheduler: last heartbeat" in page and "1 failing" in page
