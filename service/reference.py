"""Reading the reference data the forms check against (partners, the current Action Plan)."""
from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import Action, ActionPlan, Committee, Domain, Objective, Partner


def partner_codes() -> set[str]:
    return set(db.session.scalars(select(Partner.code)))


def current_plan() -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.current.is_(True)))


def current_action_numbers() -> set[int]:
    return set(db.session.scalars(
        select(Action.number).join(Objective).join(Domain).join(ActionPlan).where(ActionPlan.current.is_(True))))


def actions_by_number(numbers) -> list[tuple[Domain, Objective, Action]]:
    """(domain, objective, action) of the current plan's actions with these numbers."""
    rows = db.session.execute(
        select(Domain, Objective, Action).join(Objective, Objective.domain_id == Domain.id)
        .join(Action, Action.objective_id == Objective.id).join(ActionPlan)
        .where(ActionPlan.current.is_(True), Action.number.in_(list(numbers))).order_by(Action.number)).all()
    return [tuple(r) for r in rows]


def committee_codes() -> set[str]:
    return set(db.session.scalars(select(Committee.code)))
