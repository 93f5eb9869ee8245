"""The Action Plan actions a labelling request serves, kept as rows (`labelling_request_actions`).

The form gives action numbers of the current Action Plan; `replace` writes them as rows in the
caller's unit of work, and `of` reads those of a page of requests in one query.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, insert, select

from service.extensions import db
from service.models import Action, ActionPlan, Domain, Objective

from .models import LabellingRequestAction


def replace(request_id: int, numbers) -> None:
    """Make the request's rows the current plan's actions with these numbers (unknown ones,
    refused by the form, are left out)."""
    db.session.execute(delete(LabellingRequestAction).where(LabellingRequestAction.request_id == request_id)
                       .execution_options(synchronize_session=False))
    wanted = sorted({n for n in numbers or [] if isinstance(n, int)})
    if not wanted:
        return
    found = db.session.execute(
        select(Action.id, Action.objective_id).join(Objective).join(Domain).join(ActionPlan)
        .where(ActionPlan.current.is_(True), Action.number.in_(wanted))).all()
    if found:
        db.session.execute(insert(LabellingRequestAction), [
            {"request_id": request_id, "action_id": action_id, "objective_id": objective_id}
            for action_id, objective_id in found])


def of(request_ids) -> dict[int, list[dict]]:
    """Request id → its actions as {"domain", "objective", "action"} numbers and the action's
    {"en", "fr"} title as it reads today, for many requests in one query."""
    ids = list(request_ids)
    found: dict[int, list[dict]] = defaultdict(list)
    if not ids:
        return found
    rows = db.session.execute(
        select(LabellingRequestAction.request_id, Domain.number, Objective.number, Action.number,
               Action.title_en, Action.title_fr)
        .join(Action, Action.id == LabellingRequestAction.action_id)
        .join(Objective, Objective.id == LabellingRequestAction.objective_id)
        .join(Domain, Domain.id == Objective.domain_id)
        .where(LabellingRequestAction.request_id.in_(ids))
        .order_by(LabellingRequestAction.request_id, Action.number)).all()
    for request_id, domain, objective, action, title_en, title_fr in rows:
        found[request_id].append({"domain": domain, "objective": objective, "action": action,
                                  "title": {"en": title_en, "fr": title_fr}})
    return found
