"""Firing due timers: find them, claim them, fire them once through the service layer.

A timer row is claimed with a conditional UPDATE (and, on PostgreSQL, picked with
`FOR UPDATE SKIP LOCKED`), so with two schedulers each timer goes to one of them. A claim is a
lease of `SCHEDULER_LEASE_SECONDS`, renewed by its scheduler while it works on the timer: if
the scheduler dies, another one takes the timer when the lease ends, seconds later.
Firing goes through `cases.fire_due_timers`, whose commit is guarded by the case's version, so
even a timer fired twice (a lease that ran out mid-way) changes the case once.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from workflows import clock

from . import cases
from .errors import Conflict
from .unit_of_work import use_case, with_retries
from .extensions import db
from .models import CaseTimer

log = logging.getLogger(__name__)


def _claimable(now: datetime):
    return or_(CaseTimer.claimed_until.is_(None), CaseTimer.claimed_until < now)


@use_case
def claim_due(owner: str, limit: int = 100) -> list[tuple[int, int]]:
    """Claim up to `limit` due timers for `owner`; (timer id, case id) of those claimed."""
    now = clock.now()
    lease_end = now + timedelta(seconds=current_app.config["SCHEDULER_LEASE_SECONDS"])
    # SpiffWorkflow fires a timer only strictly after its due instant: so do we.
    candidates = db.session.execute(
        select(CaseTimer.id, CaseTimer.case_id)
        .where(CaseTimer.due_at < now, _claimable(now))
        .order_by(CaseTimer.due_at, CaseTimer.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for timer_id, case_id in candidates:
        result = db.session.execute(
            update(CaseTimer)
            .where(CaseTimer.id == timer_id, _claimable(now))
            .values(claimed_by=owner, claimed_until=lease_end, attempts=CaseTimer.attempts + 1)
        )
        if result.rowcount == 1:
            claimed.append((timer_id, case_id))
    return claimed


def fire_due(owner: str, leases=None) -> int:
    """Fire every due timer this scheduler can claim; return how many cases moved on.

    `leases` (the scheduler's) holds the claimed timers until each is done, so that their
    claims are renewed meanwhile."""
    moved = 0
    claimed = claim_due(owner)
    if leases is not None:
        leases.hold("timers", [timer_id for timer_id, _ in claimed])
    for timer_id, case_id in claimed:
        try:
            if with_retries(cases.fire_due_timers, case_id):
                moved += 1
            else:
                _release(timer_id, owner, "nothing was due when the case was loaded")
        except Conflict:
            _release(timer_id, owner, "the case kept changing; will retry")
        except Exception as error:  # one broken case must not stop the others
            log.exception("timer %s of case %s failed", timer_id, case_id)
            _release(timer_id, owner, f"{type(error).__name__}: {error}", retry_later=True)
        finally:
            if leases is not None:
                leases.release("timers", timer_id)
    return moved


@use_case
def _release(timer_id: int, owner: str, reason: str, retry_later: bool = False) -> None:
    """Leave a note on a claimed timer: it may be retried in a second, or after
    `SCHEDULER_RETRY_SECONDS` when firing it failed."""
    wait = current_app.config["SCHEDULER_RETRY_SECONDS"] if retry_later else 1
    db.session.execute(
        update(CaseTimer).where(CaseTimer.id == timer_id, CaseTimer.claimed_by == owner)
        .values(last_error=reason[:2000], claimed_until=clock.now() + timedelta(seconds=wait))
    )


def renew(owner: str, timer_ids: list[int], until: datetime) -> int:
    """Extend this scheduler's claims on timers it is still working on; how many it kept."""
    if not timer_ids:
        return 0
    result = db.session.execute(
        update(CaseTimer).where(CaseTimer.id.in_(timer_ids), CaseTimer.claimed_by == owner).values(claimed_until=until)
    )
    db.session.commit()
    return result.rowcount


def next_due() -> datetime | None:
    """The earliest instant at which some timer could be claimed, or None."""
    now = clock.now()
    unclaimed = db.session.scalar(
        select(CaseTimer.due_at).where(_claimable(now)).order_by(CaseTimer.due_at).limit(1)
    )
    lease_end = db.session.scalar(
        select(CaseTimer.claimed_until)
        .where(CaseTimer.claimed_until.is_not(None), CaseTimer.claimed_until >= now)
        .order_by(CaseTimer.claimed_until)
        .limit(1)
    )
    db.session.commit()
    found = [t for t in (unclaimed, lease_end) if t is not None]
    return min(found) if found else None
