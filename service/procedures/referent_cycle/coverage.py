"""The Action Plan objectives and actions that roadmaps, reports and thematic meetings serve.

Kept as rows of `referent_action_plan_links` (one per objective chosen, one per action chosen
with its objective), checked against the Action Plan they belong to. The coverage counts what
accepted roadmaps and reports and recorded thematic meetings serve: "6 of 10 objectives and 11
of 29 actions addressed".
"""
from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext
from sqlalchemy import String, cast, delete, func, null, or_, select

from service.extensions import db
from service.models import Action, Domain, Objective

from .models import ActionPlanLink, ReferentCycle, ReferentDeliverable, ThematicMeeting

Ref = tuple[int, int | None]  # (objective id, action id or None)


def _plan_numbers(plan_code: str) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Objective number → id, and action number → (action id, objective id), in one plan."""
    objectives = dict(db.session.execute(
        select(Objective.number, Objective.id).join(Domain).where(Domain.action_plan_code == plan_code)).all())
    actions = {number: (action_id, objective_id) for number, action_id, objective_id in db.session.execute(
        select(Action.number, Action.id, Action.objective_id).join(Objective).join(Domain)
        .where(Domain.action_plan_code == plan_code)).all()}
    return objectives, actions


class Resolver:
    """Turns the numbers a form gives into link rows of one Action Plan, collecting messages."""

    def __init__(self, plan_code: str):
        self.plan_code = plan_code
        self.objectives, self.actions = _plan_numbers(plan_code)

    def refs(self, values: dict, errors: dict) -> list[Ref]:
        """The rows for `values["objectives"]` and `values["actions"]`; unknown numbers go to `errors`."""
        refs: list[Ref] = []
        for field, known in (("objectives", self.objectives), ("actions", self.actions)):
            wanted = list(dict.fromkeys(values.get(field) or []))
            unknown = [n for n in wanted if n not in known]
            if unknown:
                errors[field] = [gettext("Not in the cycle's Action Plan (%(plan)s): %(numbers)s.",
                                         plan=self.plan_code, numbers=", ".join(map(str, unknown)))]
                continue
            for number in wanted:
                if field == "objectives":
                    refs.append((known[number], None))
                else:
                    action_id, objective_id = known[number]
                    refs.append((objective_id, action_id))
        return refs


def replace(*, deliverable_id: int | None = None, meeting_id: int | None = None,
            refs: dict[int | None, list[Ref]]) -> None:
    """Make the rows of one deliverable or meeting these (by activity position, None for itself)."""
    column = ActionPlanLink.deliverable_id if deliverable_id is not None else ActionPlanLink.meeting_id
    db.session.execute(delete(ActionPlanLink).where(column == (deliverable_id or meeting_id))
                       .execution_options(synchronize_session=False))
    db.session.add_all(ActionPlanLink(deliverable_id=deliverable_id, meeting_id=meeting_id, activity=activity,
                                      objective_id=objective_id, action_id=action_id)
                       for activity, rows in refs.items() for objective_id, action_id in rows)


def numbers(*, deliverable_id: int | None = None, meeting_id: int | None = None) -> dict[int | None, dict]:
    """Activity position (None: the source itself) → {"objectives": [...], "actions": [...]}, as numbers."""
    if deliverable_id is not None:
        return _numbers(ActionPlanLink.deliverable_id, [deliverable_id])[deliverable_id]
    return _numbers(ActionPlanLink.meeting_id, [meeting_id])[meeting_id]


def meetings_numbers(meeting_ids: list[int]) -> dict[int, dict]:
    """Meeting id → {"objectives": [...], "actions": [...]}, for a page of meetings in one query."""
    found = _numbers(ActionPlanLink.meeting_id, meeting_ids)
    return {m: found[m].get(None, {"objectives": [], "actions": []}) for m in meeting_ids}


def _numbers(column, ids: list[int]) -> dict[int, dict[int | None, dict]]:
    rows = db.session.execute(
        select(column, ActionPlanLink.activity, Objective.number, Action.number)
        .join(Objective, Objective.id == ActionPlanLink.objective_id)
        .outerjoin(Action, Action.id == ActionPlanLink.action_id)
        .where(column.in_(ids))
        .order_by(ActionPlanLink.activity, Objective.number, Action.number)).all()
    found: dict[int, dict[int | None, dict]] = defaultdict(
        lambda: defaultdict(lambda: {"objectives": [], "actions": []}))
    for source, activity, objective, action in rows:
        if action is None:
            found[source][activity]["objectives"].append(objective)
        else:
            found[source][activity]["actions"].append(action)
    return found


def coverage(plan_code: str) -> dict:
    """What accepted roadmaps and reports and recorded thematic meetings serve in one plan: the
    counts, and for every objective and action served, by whom."""
    in_plan = select(Objective.id).join(Domain).where(Domain.action_plan_code == plan_code)
    rows = db.session.execute(
        select(Objective.number, Action.number, ReferentDeliverable.kind, ReferentDeliverable.cycle_id,
               ActionPlanLink.meeting_id)
        .select_from(ActionPlanLink)
        .join(Objective, Objective.id == ActionPlanLink.objective_id)
        .outerjoin(Action, Action.id == ActionPlanLink.action_id)
        .outerjoin(ReferentDeliverable, ReferentDeliverable.id == ActionPlanLink.deliverable_id)
        .outerjoin(ThematicMeeting, ThematicMeeting.id == ActionPlanLink.meeting_id)
        .where(ActionPlanLink.objective_id.in_(in_plan),
               or_(ReferentDeliverable.status == "accepted", ThematicMeeting.id.is_not(None)))
        .order_by(Objective.number, Action.number)).all()
    objectives: dict[int, set] = defaultdict(set)
    actions: dict[int, set] = defaultdict(set)
    for objective, action, kind, cycle_id, meeting_id in rows:
        source = ("thematic_meeting", meeting_id) if meeting_id else (kind, cycle_id)
        objectives[objective].add(source)
        if action is not None:
            actions[action].add(source)
    totals = db.session.execute(
        select(func.count(func.distinct(Objective.id)), func.count(func.distinct(Action.id)))
        .select_from(Objective).join(Domain).outerjoin(Action, Action.objective_id == Objective.id)
        .where(Domain.action_plan_code == plan_code)).one()

    def sources(found: set) -> list[dict]:
        return [{"type": kind, ("meeting_id" if kind == "thematic_meeting" else "cycle_id"): number}
                for kind, number in sorted(found)]

    return {
        "action_plan": plan_code,
        "objectives": {"addressed": len(objectives), "total": totals[0]},
        "actions": {"addressed": len(actions), "total": totals[1]},
        "objectives_served": [{"objective": n, "by": sources(s)} for n, s in sorted(objectives.items())],
        "actions_served": [{"action": n, "by": sources(s)} for n, s in sorted(actions.items())],
    }


def activity_rows(start, end):
    """(cycle id, NULL, objective id, action id) served by accepted roadmaps and reports of the
    cycles whose period meets those days."""
    return (select(ReferentCycle.id, cast(null(), String).label("title"), ActionPlanLink.objective_id,
                   ActionPlanLink.action_id)
            .select_from(ActionPlanLink)
            .join(ReferentDeliverable, ReferentDeliverable.id == ActionPlanLink.deliverable_id)
            .join(ReferentCycle, ReferentCycle.id == ReferentDeliverable.cycle_id)
            .where(ReferentDeliverable.status == "accepted", ReferentCycle.period_start <= end,
                   ReferentCycle.period_end >= start))


def meeting_rows(start, end):
    """(meeting id, title, objective id, action id) served by thematic meetings held between those days."""
    return (select(ThematicMeeting.id, ThematicMeeting.title, ActionPlanLink.objective_id, ActionPlanLink.action_id)
            .select_from(ActionPlanLink)
            .join(ThematicMeeting, ThematicMeeting.id == ActionPlanLink.meeting_id)
            .where(ThematicMeeting.start_date <= end, ThematicMeeting.end_date >= start))
