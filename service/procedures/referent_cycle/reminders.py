"""When the referents are reminded of a roadmap or report: the schedule the BPMN process walks.

Before the due date, at `REFERENT_REMINDERS` (default P14D and P3D before); at the due date an
escalation (the referents, the Secretariat and the current Presidency); then every week while
it is still awaited, until the bound: the period's end for the roadmap, one period's length
after its due date for the report. The last entry, at the bound, closes the wait (the
deliverable is recorded as missing), so every case ends.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from workflows import clock

WEEK = timedelta(days=7)
#: Weekly reminders stop after a year even if the bound is later (a loop turn per reminder).
MAX_OVERDUE_REMINDERS = 52


def offsets() -> list[str]:
    return [o.strip() for o in current_app.config["REFERENT_REMINDERS"].split(",") if o.strip()]


def schedule(due: datetime, after: datetime, bound: datetime) -> list[dict]:
    """The reminders of a deliverable due at `due` whose wait starts at `after` and ends at
    `bound`: [{at: ISO instant, kind: reminder | escalation | overdue | close}], close last."""
    entries: set[tuple[datetime, str]] = set()
    for offset in offsets():
        moment = due - clock.duration(offset, due)
        if after < moment < due and moment < bound:
            entries.add((moment, "reminder"))
    if after <= due < bound:
        entries.add((due, "escalation"))
    moment = due + WEEK
    for _ in range(MAX_OVERDUE_REMINDERS):
        if moment >= bound:
            break
        if moment > after:
            entries.add((moment, "overdue"))
        moment += WEEK
    ordered = [{"at": at.isoformat(), "kind": kind} for at, kind in sorted(entries)]
    return ordered + [{"at": bound.isoformat(), "kind": "close"}]


def resume_at(entries: list[dict], now: datetime) -> int | None:
    """The index of the first entry still ahead of `now` (None when the wait is over)."""
    for index, entry in enumerate(entries):
        if datetime.fromisoformat(entry["at"]) > now:
            return index
    return None
