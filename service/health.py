"""Is the background work done? The scheduler's last heartbeat, the timers due and not yet
fired, and the outbox (pending, failing, the oldest pending), for the desk and for monitoring.

The heartbeat is the scheduler's bookkeeping, like its claims: it commits on its own, outside
any use case (a use case would wake the scheduler it is written by). It is wall-clock time, so
a training clock moved forward does not make a live scheduler look dead; what is due is read
on the service's clock.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, insert, select, update

from notifications.models import OutboxMessage
from workflows import clock

from .extensions import db
from .models import CaseTimer, SchedulerHeartbeat

#: Rows of schedulers gone for this long are cleared (each start is a new scheduler).
FORGET_AFTER = timedelta(days=1)


def _wall_now() -> datetime:
    return datetime.now(timezone.utc)


def beat(owner: str, *, round_finished: bool = False) -> None:
    """Record that this scheduler is alive (and, with `round_finished`, that it just finished a round)."""
    now = _wall_now()
    values = {"beat_at": now, **({"round_at": now} if round_finished else {})}
    if not db.session.execute(update(SchedulerHeartbeat).where(SchedulerHeartbeat.owner == owner)
                              .values(**values)).rowcount:
        db.session.execute(insert(SchedulerHeartbeat).values(owner=owner, **values))
        db.session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.beat_at < now - FORGET_AFTER))
    db.session.commit()


def report() -> dict:
    """Where the background work stands, in counts and instants only (no address, no error text)."""
    late_after = timedelta(seconds=current_app.config["HEALTH_SCHEDULER_LATE_SECONDS"])
    wall_now, now = _wall_now(), clock.now()
    last_beat, last_round = db.session.execute(
        select(func.max(SchedulerHeartbeat.beat_at), func.max(SchedulerHeartbeat.round_at))).one()
    timers_due, oldest_due = db.session.execute(
        select(func.count(), func.min(CaseTimer.due_at)).where(CaseTimer.due_at <= now)).one()
    pending = OutboxMessage.status == "pending"
    outbox_pending, outbox_failing, oldest_pending = db.session.execute(
        select(func.count(), func.count().filter(OutboxMessage.attempts > 0), func.min(OutboxMessage.created_at))
        .where(pending)).one()
    last_beat, last_round = _utc(last_beat), _utc(last_round)
    scheduler_alive = last_beat is not None and wall_now - last_beat <= late_after
    # Something is due for longer than a late heartbeat would explain: the work is not being done.
    stuck = [t for t in (_utc(oldest_due), _utc(oldest_pending))
             if t is not None and now - t > late_after]
    return {
        "status": "ok" if scheduler_alive and not stuck else "degraded",
        "checked_at": now,
        "scheduler": {"alive": scheduler_alive, "last_heartbeat_at": last_beat, "last_round_at": last_round,
                      "seconds_since_heartbeat": round((wall_now - last_beat).total_seconds(), 1)
                      if last_beat else None},
        "timers": {"due": timers_due, "oldest_due_at": _utc(oldest_due)},
        "outbox": {"pending": outbox_pending, "failing": outbox_failing, "oldest_pending_at": _utc(oldest_pending)},
    }


def _utc(moment: datetime | None) -> datetime | None:
    """Aggregates (max, min) come back without the column's type on SQLite: naive UTC text."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
