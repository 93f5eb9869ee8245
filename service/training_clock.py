"""The training clock: with `FLASK_CLOCK=movable`, the Secretariat moves the service's time
forward (from the desk, or `flask --app service clock advance P14D`) and everything that falls
due fires in order, each at its own due time: how a new officer rehearses a year of procedures
in an afternoon, and how a tester checks a deadline.

Never in production: `create_app` refuses a movable clock when e-mail is really sent. The
offset is a database row, so the web process, the scheduler and the command line share it.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext

from workflows import clock

from .errors import Forbidden, InvalidInput
from .extensions import db
from .models import Contact, TrainingClock
from .unit_of_work import use_case

#: The longest move at once, and the most timers fired on the way (a safety bound).
LONGEST_MOVE = timedelta(days=800)
MOST_ROUNDS = 10_000
_PAST_DUE = timedelta(milliseconds=1)


def movable() -> bool:
    return current_app.config["CLOCK"] == "movable"


def load() -> None:
    """Set this process's clock from the shared offset (a training installation only)."""
    if not movable():
        return
    row = db.session.get(TrainingClock, 1)
    clock.set_offset(timedelta(seconds=row.offset_seconds) if row else timedelta(0))


@use_case
def _save(offset: timedelta, actor: str) -> None:
    row = db.session.get(TrainingClock, 1)
    if row is None:
        row = TrainingClock(id=1, offset_seconds=0.0)
        db.session.add(row)
    row.offset_seconds, row.moved_at, row.moved_by = offset.total_seconds(), clock.now(), actor


def advance(delta: timedelta, actor: Contact | str, fire=None) -> int:
    """Move the clock forward by `delta`, firing everything due on the way in order, each at its
    own time; returns how many cases moved. `fire` runs one round (the scheduler's)."""
    if not movable():
        raise Forbidden(gettext("The clock can only be moved on a training installation (FLASK_CLOCK=movable)."))
    if isinstance(actor, Contact) and not actor.has_role("secretariat"):
        raise Forbidden(gettext("Only the Secretariat may do this."))
    if delta <= timedelta(0) or delta > LONGEST_MOVE:
        message = gettext("Move the clock forward by a positive duration of at most %(days)s days.",
                          days=LONGEST_MOVE.days)
        raise InvalidInput(message, {"duration": [message]})
    from notifications import sender

    from . import rounds, timers

    if fire is None:
        def fire():
            return rounds.run("training-clock")

    load()
    who = actor.email if isinstance(actor, Contact) else actor
    target = clock.now() + delta
    moved = 0
    for _ in range(MOST_ROUNDS):
        due = [t for t in (timers.next_due(), sender.next_attempt_due()) if t is not None]
        step_to = min(due) + _PAST_DUE if due else None
        if step_to is None or step_to > target:
            break
        if step_to > clock.now():
            _move_to(step_to, who)
        moved += fire()[0]
    _move_to(target, who)
    fire()
    return moved


def _move_to(instant, who: str) -> None:
    offset = clock.offset() + (instant - clock.now())
    _save(offset, who)
    clock.set_offset(offset)
