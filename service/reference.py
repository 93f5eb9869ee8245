"""Reading the reference data the forms check against (partners, the current Action Plan),
and the current Presidency, in whose name notices and procedures speak."""
from __future__ import annotations

from types import SimpleNamespace

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Action, ActionPlan, Committee, Domain, Objective, Partner, Presidency


def partner_codes() -> set[str]:
    return set(db.session.scalars(select(Partner.code)))


def current_plan() -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.current.is_(True)))


def current_plan_tree() -> ActionPlan | None:
    """The current plan with its domains, objectives and actions loaded in four queries, for a
    page that lists them all (lazily, it took one query per domain and per objective)."""
    return db.session.scalar(select(ActionPlan).where(ActionPlan.current.is_(True)).options(
        selectinload(ActionPlan.domains).selectinload(Domain.objectives).selectinload(Objective.actions)))


def current_action_numbers() -> set[int]:
    return set(db.session.scalars(
        select(Action.number).join(Objective).join(Domain).join(ActionPlan).where(ActionPlan.current.is_(True))))


def current_plan_numbers() -> tuple[set[int], set[int], set[int]]:
    """The numbers of the current plan's domains, objectives and actions."""
    rows = db.session.execute(
        select(Domain.number, Objective.number, Action.number).join(Objective, Objective.domain_id == Domain.id)
        .join(Action, Action.objective_id == Objective.id).join(ActionPlan).where(ActionPlan.current.is_(True))).all()
    return {r[0] for r in rows}, {r[1] for r in rows}, {r[2] for r in rows}


def actions_by_number(numbers) -> list[tuple[Domain, Objective, Action]]:
    """(domain, objective, action) of the current plan's actions with these numbers."""
    rows = db.session.execute(
        select(Domain, Objective, Action).join(Objective, Objective.domain_id == Domain.id)
        .join(Action, Action.objective_id == Objective.id).join(ActionPlan)
        .where(ActionPlan.current.is_(True), Action.number.in_(list(numbers))).order_by(Action.number)).all()
    return [tuple(r) for r in rows]


def committee_codes() -> set[str]:
    return set(db.session.scalars(select(Committee.code)))


def current_presidency() -> Presidency | None:
    """The Presidency in office: the term with no end (a handover ends it at the SOM)."""
    return db.session.scalar(select(Presidency).where(Presidency.end.is_(None))
                             .order_by(Presidency.start.desc().nulls_last(), Presidency.id.desc()).limit(1))


def presidency_names(presidency: Presidency | None) -> SimpleNamespace | None:
    """How a text names a Presidency, in French and English (`title_fr`, `title_en`, for
    `localized(names, 'title')`): "la Présidence nigériane", "the Nigerian Presidency"."""
    if presidency is None:
        return None
    names = {}
    for language in ("en", "fr"):
        title = getattr(presidency, f"title_{language}")
        if not title:
            with force_locale(language):
                title = gettext("the Presidency of %(partner)s",
                                partner=getattr(presidency.partner, f"name_{language}"))
        names[f"title_{language}"] = title
    return SimpleNamespace(**names)
