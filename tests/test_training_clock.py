"""The training clock: moved forward from the desk or the command line, everything due fires
in order at its own time; refused where e-mail is really sent."""
from datetime import datetime, timedelta, timezone

import pytest

from service import ConfigurationError
from tests.helpers import LAUNCH, bearer, csrf_token, sign_in
from workflows import clock


def test_a_movable_clock_is_refused_where_e_mail_is_really_sent(make_app):
    with pytest.raises(ConfigurationError):
        make_app(CLOCK="movable", MAIL_DELIVERY="smtp")


def test_the_secretariat_rehearses_a_silent_procedure_in_a_minute(make_app, make_account):
    clock.reset()  # a training installation runs on real time, moved forward
    app = make_app(CLOCK="movable")
    _, officer = make_account("clerk@example.org", "secretariat", password="a long passphrase")
    make_account("ng@example.org", "committee-member", partner="NG")
    client = app.test_client()
    deadline = (datetime.now(timezone.utc) + timedelta(days=5)).astimezone(timezone.utc)
    launched = client.post("/api/silent-procedures", headers=bearer(officer), json={
        **LAUNCH, "deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "timezone": "UTC"}).get_json()
    sign_in(client, "clerk@example.org")
    desk = client.get("/desk?lang=en").get_data(as_text=True)
    assert "Move the clock" in desk
    bad = client.post("/desk/clock", data={"csrf_token": csrf_token(desk), "duration": "a fortnight"},
                      follow_redirects=True)
    assert "Not a duration" in bad.get_data(as_text=True)
    moved = client.post("/desk/clock", data={"csrf_token": csrf_token(desk), "duration": "P6D"}, follow_redirects=True)
    assert "The clock moved forward" in moved.get_data(as_text=True)
    assert clock.now() > deadline
    state = client.get(f"/api/silent-procedures/{launched['id']}/record", headers=bearer(officer)).get_json()
    assert state["status"] == "adopted"
    # Each reminder went at its own time, before the deadline: the order was kept.
    subjects = [m["subject"] for m in state["emails"] if m["to"] == "ng@example.org"]
    assert sum("Reminder" in s for s in subjects) == 2 and "Adopted" in subjects[-1]
    # The command line shares the same clock.
    before = clock.now()
    result = app.test_cli_runner().invoke(args=["clock", "advance", "P1D"])
    assert result.exit_code == 0, result.output
    assert clock.now() - before >= timedelta(days=1)
    assert app.test_cli_runner().invoke(args=["clock", "advance", "P-1D"]).exit_code != 0


def test_the_clock_does_not_move_on_a_real_installation(app, client, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    sign_in(client, "clerk@example.org")
    desk = client.get("/desk?lang=en").get_data(as_text=True)
    assert "Move the clock" not in desk
    refused = client.post("/desk/clock", data={"csrf_token": csrf_token(desk), "duration": "P1D"}, follow_redirects=True)
    assert "training installation" in refused.get_data(as_text=True)
    assert app.test_cli_runner().invoke(args=["clock", "advance", "P1D"]).exit_code != 0
