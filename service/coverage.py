"""The Action Plan's coverage: its domains, objectives and actions against the records that
address them in a period (labelled initiatives, referent activities, thematic meetings...).

Each procedure says which of its records count (`Procedure.coverage_sources`: a SELECT of
rows it keeps, e.g. `labelling_request_actions`, `referent_action_plan_links`); this module
knows no procedure: it counts their union in SQL, by objective and by action, and lists the
records behind one objective or action a page at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext
from sqlalchemy import String, cast, func, literal, select, union_all

from workflows import clock

from .errors import NotFound
from .extensions import db
from .models import Action, ActionPlan, Domain, Objective, Presidency
from .procedure import CoverageSource

RECORDS_PER_PAGE = 50


@dataclass
class Period:
    start: date
    end: date
    presidency: Presidency | None = None


@dataclass
class Item:
    """An objective or an action, and how many records of each kind address it."""

    number: int
    title_en: str
    title_fr: str
    by: dict[str, int] = field(default_factory=dict)
    actions: list["Item"] = field(default_factory=list)

    @property
    def addressed(self) -> bool:
        return any(self.by.values())


@dataclass
class Coverage:
    plan: ActionPlan
    period: Period
    sources: list[CoverageSource]
    domains: list[tuple[Domain, list[Item]]]
    objectives_addressed: int
    objectives_total: int
    actions_addressed: int
    actions_total: int


def sources() -> list[CoverageSource]:
    return [s for p in current_app.extensions["procedures"] for s in p.coverage_sources]


def plan_of(code: str | None) -> ActionPlan:
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.code == code) if code
                             else select(ActionPlan).where(ActionPlan.current.is_(True)))
    if plan is None:
        raise NotFound(gettext("No Action Plan %(code)s.", code=code or ""))
    return plan


def period_of(plan: ActionPlan, values: dict) -> Period:
    """The period asked for: a Presidency's term, two days, or else the plan's years."""
    if values.get("presidency"):
        presidency = db.session.get(Presidency, values["presidency"])
        if presidency is None:
            raise NotFound(gettext("No Presidency %(number)s.", number=values["presidency"]))
        return Period(presidency.start or date(plan.start_year, 1, 1), presidency.end or clock.now().date(),
                      presidency)
    return Period(values.get("start") or date(plan.start_year, 1, 1), values.get("end") or date(plan.end_year, 12, 31))


def _served(period: Period):
    """Every (kind, record, title, objective, action) the sources give for the period, as one subquery."""
    parts = []
    for source in sources():
        query = source.rows(period.start, period.end)
        record, title, objective, action = query.selected_columns
        parts.append(query.with_only_columns(
            cast(literal(source.kind), String(40)).label("kind"), record.label("record_id"),
            cast(title, String(300)).label("title"), objective.label("objective_id"), action.label("action_id"),
            maintain_column_froms=True))
    return union_all(*parts).subquery("served")


def coverage(plan: ActionPlan, period: Period) -> Coverage:
    """The plan's tree with, for every objective and action, how many records of each kind address it."""
    tree = db.session.execute(
        select(Domain, Objective, Action).join(Objective, Objective.domain_id == Domain.id)
        .outerjoin(Action, Action.objective_id == Objective.id).where(Domain.action_plan_code == plan.code)
        .order_by(Domain.number, Objective.number, Action.number)).all()
    served = _served(period)
    distinct_records = func.count(func.distinct(served.c.record_id))
    by_objective = db.session.execute(select(served.c.objective_id, served.c.kind, distinct_records)
                                      .group_by(served.c.objective_id, served.c.kind)).all()
    by_action = db.session.execute(select(served.c.action_id, served.c.kind, distinct_records)
                                   .where(served.c.action_id.is_not(None))
                                   .group_by(served.c.action_id, served.c.kind)).all()
    objective_counts: dict[int, dict[str, int]] = {}
    for objective_id, kind, count in by_objective:
        objective_counts.setdefault(objective_id, {})[kind] = count
    action_counts: dict[int, dict[str, int]] = {}
    for action_id, kind, count in by_action:
        action_counts.setdefault(action_id, {})[kind] = count
    domains: list[tuple[Domain, list[Item]]] = []
    objectives: dict[int, Item] = {}
    actions: list[Item] = []
    for domain, objective, action in tree:
        if not domains or domains[-1][0].id != domain.id:
            domains.append((domain, []))
        if objective.id not in objectives:
            objectives[objective.id] = Item(objective.number, objective.title_en, objective.title_fr,
                                            objective_counts.get(objective.id, {}))
            domains[-1][1].append(objectives[objective.id])
        if action is not None:
            item = Item(action.number, action.title_en, action.title_fr, action_counts.get(action.id, {}))
            objectives[objective.id].actions.append(item)
            actions.append(item)
    return Coverage(plan, period, sources(), domains,
                    sum(o.addressed for o in objectives.values()), len(objectives),
                    sum(a.addressed for a in actions), len(actions))


@dataclass
class Record:
    kind: str
    id: int
    title: str | None
    path: str


def records(plan: ActionPlan, period: Period, *, objective: int | None = None, action: int | None = None,
            page: int = 1, per_page: int = RECORDS_PER_PAGE) -> tuple[list[Record], bool]:
    """The records addressing one objective (or one of its actions) or one action of the plan,
    by kind then newest first, a page at a time; and whether more follow."""
    in_plan = select(Objective.id).join(Domain).where(Domain.action_plan_code == plan.code)
    served = _served(period)
    if objective is not None:
        wanted = served.c.objective_id.in_(in_plan.where(Objective.number == objective))
    else:
        wanted = served.c.action_id.in_(select(Action.id).where(Action.number == action,
                                                                 Action.objective_id.in_(in_plan)))
    rows = db.session.execute(
        select(served.c.kind, served.c.record_id, served.c.title).where(wanted).distinct()
        .order_by(served.c.kind, served.c.record_id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)).all()
    paths = {s.kind: s.path for s in sources()}
    found = [Record(kind, record_id, title, paths[kind].format(id=record_id)) for kind, record_id, title in rows]
    return found[:per_page], len(found) > per_page


def presidencies() -> list[Presidency]:
    return list(db.session.scalars(select(Presidency).order_by(Presidency.start.desc().nulls_last(),
                                                                Presidency.id.desc())))
