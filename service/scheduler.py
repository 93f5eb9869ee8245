"""The scheduler: fires due timers and delivers the outbox, waking when something is due.

It keeps one APScheduler date job and moves it to the earliest due instant (a timer or a
pending e-mail), or to the poll interval at the latest, so a timer written by another process
is seen within `SCHEDULER_POLL_SECONDS`, and a timer written in this process wakes it at once.
APScheduler's job store is in memory and never shared between processes: the claims in the
database are what make two schedulers safe.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta, timezone

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler

from notifications import sender
from workflows import clock

from . import health, rounds, timers, training_clock

log = logging.getLogger(__name__)

# SpiffWorkflow fires strictly after the due instant: wake just after it.
_PAST_DUE = timedelta(milliseconds=1)


def scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leases:
    """The timers and e-mails a scheduler is working on now: their claims are renewed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._held: dict[str, set[int]] = {"timers": set(), "messages": set()}

    def hold(self, kind: str, ids) -> None:
        with self._lock:
            self._held[kind].update(ids)

    def release(self, kind: str, row_id: int) -> None:
        with self._lock:
            self._held[kind].discard(row_id)

    def held(self, kind: str) -> list[int]:
        with self._lock:
            return sorted(self._held[kind])


class Scheduler:
    """Fires timers and sends e-mail for one app, in a background thread.

    While it runs, a heartbeat renews its claims every third of `SCHEDULER_LEASE_SECONDS`:
    a live scheduler keeps what it is working on however long that takes, and the work of a
    dead one (killed, its machine gone) is taken over by another when the lease lapses.
    """

    def __init__(self, app, owner: str | None = None):
        self.app = app
        self.owner = owner or scheduler_id()
        self.leases = Leases()
        self._scheduler = BackgroundScheduler(timezone=timezone.utc)
        self._lock = threading.Lock()
        self._running_tick = False
        self._woken = False
        self._next_run = datetime.now(timezone.utc)
        #: Called after each background round with (cases moved, e-mails sent).
        self.on_round = None
        self._last_beat: datetime | None = None

    def run_once(self) -> tuple[int, int]:
        """One round: fire due timers, deliver due e-mail. Returns (cases moved, e-mails sent)."""
        with self.app.app_context():
            training_clock.load()
            done = rounds.run(self.owner, self.leases)
            self.beat(round_finished=True)
            return done

    def beat(self, round_finished: bool = False) -> None:
        """Record the heartbeat monitoring reads (at most every SCHEDULER_HEARTBEAT_SECONDS)."""
        now = datetime.now(timezone.utc)
        every = timedelta(seconds=self.app.config["SCHEDULER_HEARTBEAT_SECONDS"])
        if self._last_beat is not None and now - self._last_beat < every:
            return
        with self.app.app_context():
            health.beat(self.owner, round_finished=round_finished)
        self._last_beat = now

    def renew_leases(self) -> tuple[int, int]:
        """The heartbeat: extend the claims on what this scheduler is working on now."""
        with self.app.app_context():
            until = clock.now() + timedelta(seconds=self.app.config["SCHEDULER_LEASE_SECONDS"])
            return (timers.renew(self.owner, self.leases.held("timers"), until),
                    sender.renew(self.owner, self.leases.held("messages"), until))

    def _heartbeat(self) -> None:
        try:
            self.renew_leases()
            self.beat()
        except Exception:  # a missed beat shortens nothing yet; the next one tries again
            log.exception("could not renew the scheduler's claims")

    def next_wake(self) -> datetime:
        """Real (wall-clock) instant of the next round."""
        poll = timedelta(seconds=self.app.config["SCHEDULER_POLL_SECONDS"])
        with self.app.app_context():
            due = [t for t in (timers.next_due(), sender.next_attempt_due()) if t is not None]
        app_now = clock.now()
        wait = poll
        if due:
            wait = max(timedelta(0), min(poll, min(due) + _PAST_DUE - app_now))
        # The app clock may be moved; APScheduler runs on the wall clock.
        return datetime.now(timezone.utc) + wait

    def _tick(self) -> None:
        with self._lock:
            self._running_tick, self._woken = True, False
        try:
            moved, sent = self.run_once()
            if self.on_round is not None:
                self.on_round(moved, sent)
        except Exception:  # keep the scheduler alive; the failure is logged
            log.exception("scheduler round failed")
        finally:
            try:
                self._next_run = self.next_wake()
            except Exception:
                log.exception("could not compute the next wake-up")
                self._next_run = datetime.now(timezone.utc) + timedelta(seconds=1)

    def _after_tick(self, event) -> None:
        """Plan the next round once APScheduler counts this one as finished: a job added from
        inside the running round, due at once, would be skipped as a second instance, and the
        scheduler would never wake again."""
        if event.job_id != "tick":
            return
        with self._lock:
            self._running_tick = False
            woken = self._woken
        self._schedule(datetime.now(timezone.utc) if woken else self._next_run)

    def _schedule(self, run_at: datetime) -> None:
        if not self._scheduler.running:
            return
        self._scheduler.add_job(
            self._tick, "date", run_date=run_at, id="tick", replace_existing=True,
            misfire_grace_time=None, max_instances=1,
        )

    def start(self) -> None:
        """Start, running a first round at once (timers that fell due while down fire now)."""
        self._scheduler.add_listener(self._after_tick, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self._scheduler.start()
        self._scheduler.add_job(
            self._heartbeat, "interval", seconds=self.app.config["SCHEDULER_LEASE_SECONDS"] / 3, id="heartbeat",
            max_instances=1, coalesce=True, misfire_grace_time=None,
        )
        self._schedule(datetime.now(timezone.utc))

    def wake(self) -> None:
        """Something was written (a timer, an e-mail): look again now."""
        with self._lock:
            if self._running_tick:
                self._woken = True
                return
        self._schedule(datetime.now(timezone.utc))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
