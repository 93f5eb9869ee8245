"""The unit of work: one use case, one transaction, one commit.

Every use case of every procedure is a function decorated with `@use_case`. The decorator
opens the unit of work, runs the function, and commits once at the end; the function itself
never commits nor rolls back: it raises to refuse (nothing is written) and returns to accept
(everything it wrote is committed together: rows, workflow state, task and timer rows, audit
entries, outbox e-mails). A use case called from another joins the outer one, so an entry
that does two things ("save and submit") still makes one commit.

After the commit, the restored workflows go back to the in-process cache under the cases'
new versions, the rows whose values the use case wrote keep them (the answer that follows
need not read them again), and the scheduler (timers and outbox sender) is woken.
"""
from __future__ import annotations

import functools
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict
from .extensions import db


@dataclass
class UnitOfWork:
    """What one use case keeps until its commit: the workflows it moved, by case."""

    workflows: dict[int, tuple[int, Any]] = field(default_factory=dict)
    rows: list[Any] = field(default_factory=list)

    def written(self, row) -> None:
        """`row`'s values in memory are what this unit of work writes: keep them after the
        commit instead of expiring them (a step's answer would read its case row again)."""
        if not any(kept is row for kept in self.rows):
            self.rows.append(row)

    def keep(self, case, workflow) -> None:
        """Give `workflow` back to the cache after the commit under the case's version now,
        if the case still runs. (Read now: after the commit the row would be read again; a
        later change of the row in this unit of work makes the entry a miss, never a lie.)"""
        if case.status == "running":
            self.workflows[case.id] = (case.version, workflow)
        else:
            self.workflows.pop(case.id, None)


_current: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


def current() -> UnitOfWork:
    """The unit of work of the running use case (one must be running)."""
    unit = _current.get()
    if unit is None:
        raise RuntimeError("This must run inside a use case (@use_case).")
    return unit


def running() -> UnitOfWork | None:
    """The running use case's unit of work, or None outside one."""
    return _current.get()


def use_case(function):
    """Run `function` as one transaction; a concurrent change found at any flush is `Conflict`."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        if _current.get() is not None:
            return function(*args, **kwargs)  # joins the caller's unit of work
        unit = UnitOfWork()
        token = _current.set(unit)
        _forget_kept_rows()
        try:
            result = function(*args, **kwargs)
            if unit.rows:
                db.session.flush()  # the values kept are those the database holds
            written = [(row, _loaded_columns(row)) for row in unit.rows]
            db.session.commit()
            _keep_after_commit(written)
        except StaleDataError:
            db.session.rollback()
            raise Conflict(gettext("This case was changed by someone else at the same time; reload and try again.")) \
                from None
        except OperationalError as error:
            db.session.rollback()
            # SQLite reports a write that lost the race as a lock error.
            if "locked" in str(error.orig).lower():
                raise Conflict(gettext("This case is being changed by someone else; try again.")) from None
            raise
        except BaseException:
            db.session.rollback()
            raise
        finally:
            _current.reset(token)
        _after_commit(unit)
        return result

    return run


_KEPT = "unit_of_work_kept_rows"


def _keep_after_commit(written: list[tuple[Any, dict[str, Any]]]) -> None:
    """Put back the values a unit of work wrote into its rows, which the commit expired. They
    serve until the next use case begins, which expires them again: another process may
    have changed the rows by then."""
    kept = db.session.info.setdefault(_KEPT, [])
    for row, values in written:
        if inspect(row).persistent:
            for key, value in values.items():
                set_committed_value(row, key, value)
            kept.append(row)


def _forget_kept_rows() -> None:
    for row in db.session.info.pop(_KEPT, []):
        if inspect(row).persistent:
            db.session.expire(row)


def _loaded_columns(row) -> dict[str, Any]:
    state = inspect(row)
    return {attribute.key: state.dict[attribute.key] for attribute in state.mapper.column_attrs
            if attribute.key in state.dict}


def with_retries(function, *args, **kwargs):
    """Run a use case again (up to CONFLICT_RETRIES) when it loses an optimistic-lock race.

    For work done for a person who cannot be asked to retry (a response from an e-mail link,
    a timer): each attempt is a new unit of work with a new receipt time."""
    attempts = current_app.config["CONFLICT_RETRIES"]
    for attempt in range(attempts):
        try:
            return function(*args, **kwargs)
        except Conflict:
            if attempt == attempts - 1:
                raise


def _after_commit(unit: UnitOfWork) -> None:
    cache = current_app.extensions.get("workflow_cache")
    if cache is not None:
        for case_id, (version, workflow) in unit.workflows.items():
            cache.give_back(case_id, version, workflow, getattr(workflow, "weight", 0))
    scheduler = current_app.extensions.get("scheduler")
    if scheduler is not None:
        scheduler.wake()
