"""The Secretariat edits the reference data in the service; every change is recorded.

Each use case changes one item (a domain's titles, an action, a partner, a committee and its
members, a domain's referents) and writes a `ReferenceChange` with the item's fields before and
after. Running cases keep what they were started with: the records that quote a title (a
silent procedure's text) froze it when they were written; pages and forms read the tables.
"""
from __future__ import annotations

from typing import Any

import forms.reference  # noqa: F401 - registers the reference data's forms
from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from workflows import clock

from .errors import Forbidden, InvalidInput, NotFound
from .extensions import db
from .models import (
    Action,
    ActionPlan,
    Committee,
    CommitteeMember,
    Contact,
    Domain,
    GcmObjective,
    Objective,
    Partner,
    Referent,
    ReferenceChange,
)
from .unit_of_work import use_case

EDIT_ROLES = ("secretariat",)


# Keys and fields: how the history (and `setup`) names an item and what it records of it ----

def domain_key(plan: str, number: int) -> str:
    return f"{plan}/domain/{number}"


def objective_key(plan: str, number: int) -> str:
    return f"{plan}/objective/{number}"


def action_key(plan: str, number: int) -> str:
    return f"{plan}/action/{number}"


def domain_fields(domain: Domain) -> dict[str, Any]:
    return {"number": domain.number, "title_en": domain.title_en, "title_fr": domain.title_fr}


def objective_fields(objective: Objective) -> dict[str, Any]:
    return {"number": objective.number, "title_en": objective.title_en, "title_fr": objective.title_fr,
            "to_confirm": objective.to_confirm}


def action_fields(action: Action) -> dict[str, Any]:
    return {"number": action.number, "objective": action.objective.number, "title_en": action.title_en,
            "title_fr": action.title_fr, "to_confirm": action.to_confirm}


def gcm_fields(objective: GcmObjective) -> dict[str, Any]:
    return {"number": objective.number, "title_en": objective.title_en, "title_fr": objective.title_fr}


def partner_fields(partner: Partner) -> dict[str, Any]:
    return {"code": partner.code, "name_en": partner.name_en, "name_fr": partner.name_fr, "kind": partner.kind,
            "region": partner.region, "status": partner.status}


def committee_fields(committee: Committee) -> dict[str, Any]:
    return {"code": committee.code, "name_en": committee.name_en, "name_fr": committee.name_fr,
            "members": sorted(m.partner_code for m in committee.members),
            "members_to_confirm": sorted(m.partner_code for m in committee.members if m.to_confirm)}


def referent_codes(domain: Domain) -> list[str]:
    return sorted(db.session.scalars(select(Referent.partner_code).where(Referent.domain_id == domain.id)))


def edited_keys() -> set[tuple[str, str]]:
    """(kind, key) of every item the Secretariat changed, under its keys before and after."""
    rows = db.session.execute(select(ReferenceChange.kind, ReferenceChange.key, ReferenceChange.before)).all()
    keys = set()
    for kind, key, before in rows:
        keys.add((kind, key))
        if kind == "action" and before:
            keys.add((kind, action_key(key.split("/")[0], before["number"])))
    return keys


def _record(actor: Contact, kind: str, key: str, before: dict | None, after: dict | None) -> ReferenceChange | None:
    if before == after:
        return None
    change = ReferenceChange(at=clock.now(), by_id=actor.id, kind=kind, key=key, before=before, after=after)
    db.session.add(change)
    return change


def _require(actor: Contact) -> None:
    if not actor.has_role(*EDIT_ROLES):
        raise Forbidden(gettext("Only the Secretariat may change the reference data."))


def _refuse(field: str, message: str):
    raise InvalidInput(message, {field: [message]})


# Action Plans ------------------------------------------------------------------------------

def plan(code: str) -> ActionPlan:
    found = db.session.get(ActionPlan, code)
    if found is None:
        raise NotFound(gettext("No Action Plan %(code)s.", code=code))
    return found


def domain(plan_code: str, number: int) -> Domain:
    found = db.session.scalar(select(Domain).filter_by(action_plan_code=plan_code, number=number))
    if found is None:
        raise NotFound(gettext("No domain %(number)s in this Action Plan.", number=number))
    return found


def objective(plan_code: str, number: int) -> Objective:
    found = db.session.scalar(select(Objective).join(Domain).where(
        Domain.action_plan_code == plan_code, Objective.number == number))
    if found is None:
        raise NotFound(gettext("No objective %(number)s in this Action Plan.", number=number))
    return found


def _find_action(plan_code: str, number: int) -> Action | None:
    return db.session.scalar(select(Action).join(Objective).join(Domain).where(
        Domain.action_plan_code == plan_code, Action.number == number))


def action(plan_code: str, number: int) -> Action:
    found = _find_action(plan_code, number)
    if found is None:
        raise NotFound(gettext("No action %(number)s in this Action Plan.", number=number))
    return found


def _references(plan_code: str, number: int) -> list[str]:
    """Records of running or past cases that name this action (of the current plan)."""
    if not plan(plan_code).current:
        return []
    found = []
    for procedure in current_app.extensions["procedures"]:
        if procedure.action_references is not None:
            found.extend(procedure.action_references({number}))
    return found


def _keep_referenced(plan_code: str, number: int, field: str, message: str) -> None:
    references = _references(plan_code, number)
    if references:
        _refuse(field, message % {"number": number, "records": ", ".join(references)})


@use_case
def edit_domain(plan_code: str, number: int, data: dict, actor: Contact) -> Domain:
    _require(actor)
    row = domain(plan_code, number)
    before = domain_fields(row)
    row.title_en, row.title_fr = data["title_en"], data["title_fr"]
    _record(actor, "domain", domain_key(plan_code, number), before, domain_fields(row))
    return row


@use_case
def edit_objective(plan_code: str, number: int, data: dict, actor: Contact) -> Objective:
    _require(actor)
    row = objective(plan_code, number)
    before = objective_fields(row)
    row.title_en, row.title_fr, row.to_confirm = data["title_en"], data["title_fr"], data["to_confirm"]
    _record(actor, "objective", objective_key(plan_code, number), before, objective_fields(row))
    return row


@use_case
def edit_action(plan_code: str, number: int, data: dict, actor: Contact) -> Action:
    """New titles; a new number only if it is free and no initiative names the old one."""
    _require(actor)
    row = action(plan_code, number)
    before = action_fields(row)
    if data["number"] != number:
        if _find_action(plan_code, data["number"]) is not None:
            _refuse("number", gettext("Action %(number)s already exists in this Action Plan.", number=data["number"]))
        _keep_referenced(plan_code, number, "number", gettext(
            "Action %(number)s cannot be renumbered: %(records)s refer to it by its number."))
    row.number, row.title_en, row.title_fr, row.to_confirm = (
        data["number"], data["title_en"], data["title_fr"], data["to_confirm"])
    db.session.flush()
    _record(actor, "action", action_key(plan_code, row.number), before, action_fields(row))
    return row


@use_case
def add_action(plan_code: str, objective_number: int, data: dict, actor: Contact) -> Action:
    _require(actor)
    parent = objective(plan_code, objective_number)
    if _find_action(plan_code, data["number"]) is not None:
        _refuse("number", gettext("Action %(number)s already exists in this Action Plan.", number=data["number"]))
    row = Action(objective_id=parent.id, number=data["number"], title_en=data["title_en"],
                 title_fr=data["title_fr"], to_confirm=data["to_confirm"])
    db.session.add(row)
    db.session.flush()
    _record(actor, "action", action_key(plan_code, row.number), None, action_fields(row))
    return row


@use_case
def remove_action(plan_code: str, number: int, actor: Contact) -> None:
    _require(actor)
    row = action(plan_code, number)
    _keep_referenced(plan_code, number, "number", gettext(
        "Action %(number)s cannot be removed: %(records)s refer to it."))
    before = action_fields(row)
    db.session.delete(row)
    _record(actor, "action", action_key(plan_code, number), before, None)


# Global Compact objectives, partners ---------------------------------------------------------

def gcm_objective(number: int) -> GcmObjective:
    found = db.session.get(GcmObjective, number)
    if found is None:
        raise NotFound(gettext("No Global Compact objective %(number)s.", number=number))
    return found


@use_case
def edit_gcm_objective(number: int, data: dict, actor: Contact) -> GcmObjective:
    _require(actor)
    row = gcm_objective(number)
    before = gcm_fields(row)
    row.title_en, row.title_fr = data["title_en"], data["title_fr"]
    _record(actor, "gcm_objective", str(number), before, gcm_fields(row))
    return row


def partner(code: str) -> Partner:
    found = db.session.get(Partner, code)
    if found is None:
        raise NotFound(gettext("No partner has the code %(codes)s.", codes=code))
    return found


def _set_partner(row: Partner, data: dict) -> None:
    for name in ("name_en", "name_fr", "kind", "region", "status"):
        setattr(row, name, data[name])


@use_case
def add_partner(data: dict, actor: Contact) -> Partner:
    _require(actor)
    if db.session.get(Partner, data["code"]) is not None:
        _refuse("code", gettext("A partner with the code %(code)s already exists.", code=data["code"]))
    row = Partner(code=data["code"])
    _set_partner(row, data)
    db.session.add(row)
    db.session.flush()
    _record(actor, "partner", row.code, None, partner_fields(row))
    return row


@use_case
def edit_partner(code: str, data: dict, actor: Contact) -> Partner:
    _require(actor)
    row = partner(code)
    before = partner_fields(row)
    _set_partner(row, data)
    _record(actor, "partner", code, before, partner_fields(row))
    return row


# Committees and referents ------------------------------------------------------------------

def committee(code: str) -> Committee:
    found = db.session.get(Committee, code)
    if found is None:
        raise NotFound(gettext("No committee %(code)s.", code=code))
    return found


def _set_members(row: Committee, data: dict) -> None:
    wanted = {code: code in data["members_to_confirm"] for code in data["members"]}
    for member in list(row.members):
        if member.partner_code not in wanted:
            row.members.remove(member)
        else:
            member.to_confirm = wanted.pop(member.partner_code)
    for code, to_confirm in wanted.items():
        row.members.append(CommitteeMember(committee_code=row.code, partner_code=code, to_confirm=to_confirm))


@use_case
def add_committee(data: dict, actor: Contact) -> Committee:
    _require(actor)
    if db.session.get(Committee, data["code"]) is not None:
        _refuse("code", gettext("A committee with the code %(code)s already exists.", code=data["code"]))
    row = Committee(code=data["code"], name_en=data["name_en"], name_fr=data["name_fr"])
    db.session.add(row)
    _set_members(row, data)
    db.session.flush()
    _record(actor, "committee", row.code, None, committee_fields(row))
    return row


@use_case
def edit_committee(code: str, data: dict, actor: Contact) -> Committee:
    _require(actor)
    row = committee(code)
    before = committee_fields(row)
    row.name_en, row.name_fr = data["name_en"], data["name_fr"]
    _set_members(row, data)
    db.session.flush()
    _record(actor, "committee", code, before, committee_fields(row))
    return row


@use_case
def set_referents(plan_code: str, number: int, data: dict, actor: Contact) -> Domain:
    _require(actor)
    row = domain(plan_code, number)
    before = referent_codes(row)
    wanted = set(data["partners"])
    for referent in db.session.scalars(select(Referent).where(Referent.domain_id == row.id)):
        if referent.partner_code not in wanted:
            db.session.delete(referent)
    for code in sorted(wanted - set(before)):
        db.session.add(Referent(domain_id=row.id, partner_code=code))
    db.session.flush()
    _record(actor, "referents", domain_key(plan_code, number), {"partners": before},
            {"partners": referent_codes(row)})
    return row


# The history -------------------------------------------------------------------------------

def changes(kind: str | None = None, key: str | None = None, limit: int = 50,
            before_id: int | None = None) -> list[ReferenceChange]:
    """The latest changes first (`limit + 1` rows: the caller pages), of one kind or item."""
    query = select(ReferenceChange).order_by(ReferenceChange.id.desc()).limit(limit + 1)
    if kind:
        query = query.where(ReferenceChange.kind == kind)
    if key:
        query = query.where(ReferenceChange.key == key)
    if before_id:
        query = query.where(ReferenceChange.id < before_id)
    return db.session.scalars(query).all()
