"""The Secretariat's desk: every open matter of every procedure, deadlines first.

A procedure keeps its cases' desk lines (`note`) in the same unit of work as the step that
changes them; the desk reads them with one indexed query, filtered and paginated in SQL
(keyset on the deadline, then the case), overdue first, those without a deadline last.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from workflows import clock

from .extensions import db
from .models import DeskLine

PAGE_SIZE = 50


def _line(case_id: int, procedure: str) -> DeskLine | None:
    """The line, whether stored or added earlier in this unit of work (steps run without autoflush)."""
    line = db.session.get(DeskLine, (case_id, procedure))
    if line is None:
        line = next((row for row in db.session.new if isinstance(row, DeskLine)
                     and row.case_id == case_id and row.procedure == procedure), None)
    return line


def note(case_id: int, procedure: str, subject_id: int, *, title: str, status: str, path: str,
         open: bool = True, deadline_at: datetime | None = None, deadline_timezone: str | None = None,
         waiting_on: str | None = None, partner_code: str | None = None, domain_number: int | None = None,
         addressed: int | None = None, not_answered: int | None = None) -> DeskLine:
    """Write (or rewrite) a case's desk line for `procedure`, inside the caller's unit of work."""
    line = _line(case_id, procedure)
    if line is None:
        line = DeskLine(case_id=case_id, procedure=procedure)
        db.session.add(line)
    line.subject_id, line.title, line.status, line.path, line.open = subject_id, title[:300], status, path, open
    line.deadline_at, line.deadline_timezone, line.waiting_on = deadline_at, deadline_timezone, waiting_on
    line.partner_code, line.domain_number = partner_code, domain_number
    line.addressed, line.not_answered = addressed, not_answered
    line.updated_at = clock.now()
    return line


def update(case_id: int, procedure: str, **values) -> None:
    """Change some fields of an existing desk line (nothing if the case has none)."""
    line = _line(case_id, procedure)
    if line is not None:
        for name, value in values.items():
            setattr(line, name, value)
        line.updated_at = clock.now()


@dataclass(frozen=True)
class Page:
    lines: list[DeskLine]
    next_after: str | None  # the keyset cursor of the next page, if there is one


def _cursor(line: DeskLine) -> str:
    deadline = line.deadline_at.isoformat() if line.deadline_at else "none"
    return f"{deadline}|{line.case_id}|{line.procedure}"


def _parse_cursor(text: str):
    """(deadline or None, case id, procedure) from a cursor; None when it is not one."""
    parts = text.split("|")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 10:
        return None
    moment = None
    if parts[0] != "none":
        try:
            moment = datetime.fromisoformat(parts[0])
        except ValueError:
            return None
        if moment.tzinfo is None or not 1900 < moment.year < 9999:
            return None
    return moment, int(parts[1]), parts[2][:40]


def lines(*, procedure: str | None = None, status: str | None = None, partner: str | None = None,
          domain: int | None = None, waiting_on: str | None = None, open_only: bool = True,
          after: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """A page of desk lines, deadlines first (overdue at the top), then those without one."""
    query = select(DeskLine)
    if open_only:
        query = query.where(DeskLine.open.is_(True))
    for column, value in ((DeskLine.procedure, procedure), (DeskLine.status, status),
                          (DeskLine.partner_code, partner), (DeskLine.domain_number, domain),
                          (DeskLine.waiting_on, waiting_on)):
        if value is not None:
            query = query.where(column == value)
    # Lines without a deadline sort after every deadline; the case id breaks ties.
    has_no_deadline = DeskLine.deadline_at.is_(None)
    cursor = _parse_cursor(after) if after else None
    if cursor is not None:
        moment, case_id, procedure_name = cursor
        later_in_case = or_(DeskLine.case_id > case_id,
                            and_(DeskLine.case_id == case_id, DeskLine.procedure > procedure_name))
        if moment is None:
            query = query.where(has_no_deadline, later_in_case)
        else:
            query = query.where(or_(has_no_deadline, DeskLine.deadline_at > moment,
                                    and_(DeskLine.deadline_at == moment, later_in_case)))
    query = query.order_by(has_no_deadline, DeskLine.deadline_at, DeskLine.case_id, DeskLine.procedure)
    found = list(db.session.scalars(query.limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return Page(found, _cursor(found[-1]) if more and found else None)


def counts(open_only: bool = True) -> dict[str, int]:
    """Open lines per procedure, and how many are overdue (`overdue`)."""
    base = select(DeskLine.procedure, func.count()).group_by(DeskLine.procedure)
    if open_only:
        base = base.where(DeskLine.open.is_(True))
    result = dict(db.session.execute(base).all())
    result["overdue"] = db.session.scalar(select(func.count()).select_from(DeskLine).where(
        DeskLine.open.is_(True), DeskLine.deadline_at < clock.now())) or 0
    return result
