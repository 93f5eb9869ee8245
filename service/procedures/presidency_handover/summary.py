"""The outgoing Presidency's results, counted from the service's records of its term.

Each kind of record is a `Source`: a function that lists the records of a period, each with
its outcome and the Action Plan actions it addresses. The summary counts every source, and
states the coverage of the current Action Plan the way the Presidencies do ("6 of 10
objectives and 11 of 29 actions of the Cadiz Action Plan addressed"), keeping the records
behind each figure. A new kind of record (thematic meetings, referent roadmaps and reports) is
one more function and one more line in `SOURCES`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from service import reference
from service.extensions import db
from service.models import Action, Domain, Objective
from service.procedures.labelling.models import LabellingRequest
from service.procedures.silent_procedure.models import SilentProcedure
from workflows import clock


@dataclass(frozen=True)
class Record:
    """One record of the term: what it is, its outcome, the actions it addresses."""

    kind: str
    id: int
    label: str
    on: date
    outcome: str | None = None
    actions: tuple[int, ...] = ()
    url: str | None = None

    def ref(self) -> dict:
        return {"kind": self.kind, "id": self.id, "label": self.label, "on": self.on.isoformat(),
                "outcome": self.outcome, "actions": list(self.actions), "url": self.url}


@dataclass(frozen=True)
class Source:
    key: str
    title: object  # lazily translated
    collect: Callable[[datetime, datetime], list[Record]]


def _silent_procedures(start: datetime, end: datetime) -> list[Record]:
    rows = db.session.scalars(select(SilentProcedure).where(
        SilentProcedure.launched_at >= start, SilentProcedure.launched_at < end)
        .order_by(SilentProcedure.launched_at, SilentProcedure.id))
    return [Record("silent_procedure", p.id, p.subject, p.launched_at.date(), p.status,
                   url=f"/silent-procedures/{p.id}") for p in rows]


def _labelling_requests(start: datetime, end: datetime) -> list[Record]:
    rows = db.session.scalars(select(LabellingRequest).where(
        LabellingRequest.submitted_at >= start, LabellingRequest.submitted_at < end)
        .order_by(LabellingRequest.submitted_at, LabellingRequest.id))
    return [Record("labelling_request", r.id, r.title or "", r.submitted_at.date(), r.status,
                   url=f"/labelling/{r.id}") for r in rows]


def _labelled_initiatives(start: datetime, end: datetime) -> list[Record]:
    rows = db.session.scalars(select(LabellingRequest).where(
        LabellingRequest.status == "labelled", LabellingRequest.labelled_at >= start,
        LabellingRequest.labelled_at < end).order_by(LabellingRequest.labelled_at, LabellingRequest.id))
    return [Record("labelled_initiative", r.id, r.title or "", r.labelled_at.date(), "labelled",
                   tuple(r.actions or ()), url=f"/labelling/{r.id}") for r in rows]


#: What the summary counts; the records of a source with actions count for the coverage.
SOURCES: tuple[Source, ...] = (
    Source("silent_procedures", _l("Silent procedures run"), _silent_procedures),
    Source("labelling_requests", _l("Labelling requests received"), _labelling_requests),
    Source("labelled_initiatives", _l("Initiatives labelled"), _labelled_initiatives),
)
SOURCE_TITLES = {source.key: source.title for source in SOURCES} | {"activities": _l("Activities held")}


def _activities(activities: list[dict]) -> list[Record]:
    """The activities held that were entered by hand (the service has no record of them)."""
    return [Record(a["kind"], number, a["title"], date.fromisoformat(a["date"]), "held", tuple(a.get("actions") or ()))
            for number, a in enumerate(activities, start=1)]


def period(start: date | None, end: datetime | None = None) -> tuple[datetime, datetime]:
    """The term as instants: from the start of its first day (UTC) to `end` (default: now)."""
    begin = datetime.combine(start, time(0), tzinfo=timezone.utc) if start else datetime(1970, 1, 1, tzinfo=timezone.utc)
    return begin, end or clock.now()


def _coverage(records: list[Record]) -> dict:
    """Domains, objectives and actions of the current plan the records address, with the records."""
    plan = reference.current_plan()
    if plan is None:
        return {}
    by_action: dict[int, list[dict]] = {}
    for record in records:
        for number in record.actions:
            by_action.setdefault(number, []).append({"kind": record.kind, "id": record.id, "label": record.label})
    structure = db.session.execute(
        select(Domain.number, Objective.number, Action.number).join(Objective, Objective.domain_id == Domain.id)
        .join(Action, Action.objective_id == Objective.id).where(Domain.action_plan_code == plan.code)).all()
    figures = {"plan": plan.code, "plan_name": {"en": plan.name_en, "fr": plan.name_fr}}
    for level, key in (("domains", lambda d, o, a: d), ("objectives", lambda d, o, a: o),
                       ("actions", lambda d, o, a: a)):
        every = sorted({key(d, o, a) for d, o, a in structure})
        records_of: dict[int, list[dict]] = {}
        for d, o, a in structure:
            for ref in by_action.get(a, []):
                records_of.setdefault(key(d, o, a), [])
                if ref not in records_of[key(d, o, a)]:
                    records_of[key(d, o, a)].append(ref)
        figures[level] = {"count": len(records_of), "total": len(every), "numbers": sorted(records_of),
                          "records": {str(n): refs for n, refs in sorted(records_of.items())}}
    return figures


def compute(start: date | None, activities: list[dict], end: datetime | None = None) -> dict:
    """The summary's figures for a term that began on `start`: each source's records (by
    outcome), the activities entered by hand, and the coverage of the current Action Plan."""
    begin, finish = period(start, end)
    sections, addressing = [], []
    for source in SOURCES:
        records = source.collect(begin, finish)
        outcomes: dict[str, int] = {}
        for record in records:
            outcomes[record.outcome or ""] = outcomes.get(record.outcome or "", 0) + 1
        sections.append({"key": source.key, "count": len(records), "by_outcome": outcomes,
                         "records": [r.ref() for r in records]})
        addressing.extend(r for r in records if r.actions)
    held = _activities(activities)
    sections.append({"key": "activities", "count": len(held), "by_outcome": {"held": len(held)} if held else {},
                     "records": [r.ref() for r in held]})
    addressing.extend(r for r in held if r.actions)
    return {"period": {"start": begin.date().isoformat(), "end": finish.isoformat()}, "sections": sections,
            "coverage": _coverage(addressing)}
