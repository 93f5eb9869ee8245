"""Durable timers: due times kept in the database, fired once, after their due instant only."""
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from service import cases, timers
from service.extensions import db
from service.models import AuditEntry, Case, CaseTimer
from service.scheduler import Scheduler
from tests.helpers import T0

DEADLINE = T0 + timedelta(days=3)


def start_deadline_case(app, deadline=DEADLINE):
    with app.app_context():
        case = cases.start_case("deadline_watch", {"deadline": deadline.isoformat()}, "test")
        return case.id


def case_state(app, case_id):
    with app.app_context():
        case = db.session.get(Case, case_id)
        fired = db.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.action == "timer_fired")
        ).all()
        waiting = db.session.scalars(select(CaseTimer).where(CaseTimer.case_id == case_id)).all()
        return case.status, case.data.get("outcome"), len(fired), [t.due_at for t in waiting]


def test_a_waiting_timer_is_kept_with_its_due_time(app):
    case_id = start_deadline_case(app)
    status, outcome, fired, due = case_state(app, case_id)
    assert (status, outcome, fired) == ("running", None, 0)
    assert due == [DEADLINE]  # the timer inside the event-based gateway, in UTC


def test_timer_fires_only_after_its_due_instant_and_once(app, frozen_clock):
    case_id = start_deadline_case(app)
    scheduler = Scheduler(app, owner="A")

    frozen_clock.freeze(DEADLINE - timedelta(seconds=1))
    assert scheduler.run_once() == (0, 0)
    frozen_clock.freeze(DEADLINE)  # exactly at the due instant: not yet
    assert scheduler.run_once() == (0, 0)
    assert case_state(app, case_id)[:3] == ("running", None, 0)

    frozen_clock.advance(timedelta(milliseconds=1))
    assert scheduler.run_once()[0] == 1
    assert case_state(app, case_id) == ("completed", "adopted", 1, [])

    frozen_clock.advance(timedelta(hours=1))
    assert scheduler.run_once() == (0, 0)
    assert case_state(app, case_id)[2] == 1


def test_overdue_timers_fire_when_a_scheduler_starts_again(app, frozen_clock):
    early = start_deadline_case(app, DEADLINE)
    late = start_deadline_case(app, DEADLINE + timedelta(days=1))
    # The scheduler was down for two days: on its first round everything overdue fires.
    frozen_clock.advance(timedelta(days=5))
    assert Scheduler(app, owner="restarted").run_once()[0] == 2
    assert case_state(app, early)[:3] == ("completed", "adopted", 1)
    assert case_state(app, late)[:3] == ("completed", "adopted", 1)


def test_a_timer_claimed_by_a_scheduler_that_died_fires_after_the_lease(app, frozen_clock):
    case_id = start_deadline_case(app)
    frozen_clock.freeze(DEADLINE + timedelta(seconds=1))
    with app.app_context():
        claimed = timers.claim_due("dead-scheduler")  # claimed, then the process died
        assert [c for _, c in claimed] == [case_id]
    survivor = Scheduler(app, owner="survivor")
    assert survivor.run_once()[0] == 0  # still leased to the dead one
    frozen_clock.advance(timedelta(seconds=app.config["SCHEDULER_LEASE_SECONDS"] + 1))
    assert survivor.run_once()[0] == 1
    assert case_state(app, case_id) == ("completed", "adopted", 1, [])


def test_two_schedulers_fire_each_timer_once(make_app, frozen_clock):
    # Two apps on one database stand for two scheduler processes.
    first, second = make_app(), make_app()
    case_ids = [start_deadline_case(first, DEADLINE + timedelta(minutes=i)) for i in range(6)]
    frozen_clock.freeze(DEADLINE + timedelta(hours=1))
    barrier = threading.Barrier(2)
    results = {}

    def run(name, app):
        scheduler = Scheduler(app, owner=name)
        barrier.wait()
        results[name] = scheduler.run_once()[0]

    threads = [threading.Thread(target=run, args=(n, a)) for n, a in (("one", first), ("two", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results["one"] + results["two"] == 6
    for case_id in case_ids:
        assert case_state(first, case_id) == ("completed", "adopted", 1, [])


def test_a_message_before_the_deadline_wins_and_removes_the_timer(app, frozen_clock):
    case_id = start_deadline_case(app)
    with app.app_context():
        cases.deliver_message(case_id, "objection", {"reason": "Not acceptable"}, "test")
    assert case_state(app, case_id) == ("completed", "silence_broken", 0, [])
    frozen_clock.freeze(DEADLINE + timedelta(days=1))
    assert Scheduler(app, owner="A").run_once() == (0, 0)
    assert case_state(app, case_id)[1] == "silence_broken"


def test_the_scheduler_wakes_at_the_earliest_due_time(app, frozen_clock):
    start_deadline_case(app, T0 + timedelta(seconds=30))
    scheduler = Scheduler(app, owner="A")
    wall_before = datetime.now(timezone.utc)
    wake = scheduler.next_wake()
    # Poll interval 0.2 s in tests: the next look is no later than that...
    assert wake - wall_before <= timedelta(seconds=0.3)
    # ...and once the clock is 0.1 s before the due instant, it wakes just after it.
    frozen_clock.freeze(T0 + timedelta(seconds=29.9))
    wall_before = datetime.now(timezone.utc)
    wake = scheduler.next_wake()
    assert timedelta(seconds=0.09) <= wake - wall_before <= timedelta(seconds=0.15)


def test_the_background_scheduler_fires_an_overdue_timer_by_itself(app, frozen_clock):
    case_id = start_deadline_case(app)
    frozen_clock.freeze(DEADLINE + timedelta(minutes=5))
    scheduler = Scheduler(app, owner="background")
    fired = threading.Event()
    scheduler.on_round = lambda moved, sent: moved and fired.set()
    scheduler.start()
    try:
        assert fired.wait(timeout=20), "the scheduler thread did not fire the overdue timer"
    finally:
        scheduler.shutdown()
    assert case_state(app, case_id)[:2] == ("completed", "adopted")
