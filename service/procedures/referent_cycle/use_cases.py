"""Referent-country cycles: opening a cycle, the shared roadmap and report drafts, their
submission by one of the referents' focal points, and the Secretariat's review.

The BPMN process (`workflows/bpmn/referent_cycle.bpmn`) holds the waits, the reminders and the
order of things; this package holds the cycle's own rows and writes them in the same unit of
work as the step they cause. The focal points of a cycle are the contacts with role `referent`
or `partner` of its referent partners: every one of them may edit the shared drafts.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from forms.referent_cycle import period_bounds
from forms.referent_report import ReportForm
from forms.roadmap import RoadmapForm
from service import cases, reference
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.extensions import db
from service.i18n import format_day
from service.models import ActionPlan, Contact, Domain, Partner, Referent, is_row_id
from service.unit_of_work import use_case
from workflows import clock

from . import coverage, notices, reminders
from .content import form_values, jsonable
from .models import (FINAL_STATUSES, DeliverableReview, ReferentCycle, ReferentCyclePartner, ReferentDeliverable)
from .words import DELIVERABLE_STATUSES, CYCLE_STATUSES, deliverable_name

PROCESS_ID = "referent_cycle"
READ_ALL = ("secretariat", "presidency")
FOCAL_ROLES = ("referent", "partner")
FORMS = {"roadmap": RoadmapForm, "report": ReportForm}
EDITABLE = ("draft", "revision_requested")


class DraftConflict(Conflict):
    """A save over answers someone else saved since they were read: refused, and the answers
    saved meanwhile (`current`) are given back so both texts stay visible."""

    def __init__(self, deliverable: ReferentDeliverable):
        super().__init__(gettext("Someone else saved this %(deliverable)s since you opened it: your text was not "
                                 "saved. Compare both, then save again.", deliverable=deliverable_name(deliverable.kind)))
        self.current = deliverable


# Access ------------------------------------------------------------------------------------

def is_focal_point(actor: Contact, cycle: ReferentCycle) -> bool:
    return actor.has_role(*FOCAL_ROLES) and actor.partner_code in cycle.partner_codes


def may_read(cycle: ReferentCycle, actor: Contact) -> bool:
    return actor.has_role(*READ_ALL) or is_focal_point(actor, cycle)


def get(cycle_id: int, actor: Contact) -> ReferentCycle:
    """The cycle, if the actor may see it (otherwise it does not exist for them)."""
    cycle = db.session.get(ReferentCycle, cycle_id) if is_row_id(cycle_id) else None
    if cycle is None or not may_read(cycle, actor):
        raise NotFound(gettext("No referent cycle %(number)s.", number=cycle_id))
    return cycle


def require_secretariat(actor: Contact) -> None:
    if not actor.has_role("secretariat"):
        raise Forbidden(gettext("Only the Secretariat may do this."))


def _focal(cycle_id: int, actor: Contact) -> ReferentCycle:
    cycle = get(cycle_id, actor)
    if not is_focal_point(actor, cycle):
        raise Forbidden(gettext("Only the focal points of the cycle's referent partners may change its roadmap "
                                "and report."))
    return cycle


def visible(actor: Contact, *, domain: int | None = None, status: str | None = None, partner: str | None = None,
            year: int | None = None, page: int = 1, per_page: int = 20) -> tuple[list[ReferentCycle], int]:
    """The cycles the actor may see, filtered and paginated in SQL; (this page, how many in all)."""
    query = select(ReferentCycle)
    if not actor.has_role(*READ_ALL):
        if not actor.has_role(*FOCAL_ROLES) or not actor.partner_code:
            return [], 0
        partner = partner if partner == actor.partner_code else actor.partner_code
    if domain:
        query = query.where(ReferentCycle.domain_id.in_(select(Domain.id).where(Domain.number == domain)))
    if status:
        query = query.where(ReferentCycle.status == status)
    if partner:
        query = query.where(exists().where(ReferentCyclePartner.cycle_id == ReferentCycle.id,
                                           ReferentCyclePartner.partner_code == partner))
    if year:
        query = query.where(ReferentCycle.period_start <= date(year, 12, 31), ReferentCycle.period_end >= date(year, 1, 1))
    page = min(max(page, 1), 100_000)  # an absurd page number reads an empty page, not an error
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(ReferentCycle.period_start.desc(), ReferentCycle.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


def default_partners(domain_id: int) -> list[str]:
    """The domain's referent countries, as the reference data names them."""
    return list(db.session.scalars(select(Referent.partner_code).where(Referent.domain_id == domain_id)
                                   .order_by(Referent.id)))


# Opening -----------------------------------------------------------------------------------

def _plan_and_domain(data: dict) -> tuple[ActionPlan, Domain]:
    plan = db.session.get(ActionPlan, data["action_plan"]) if data.get("action_plan") else reference.current_plan()
    if plan is None:
        message = gettext("Unknown Action Plan: %(code)s.", code=data.get("action_plan") or "-")
        raise InvalidInput(message, {"action_plan": [message]})
    domain = db.session.scalar(select(Domain).where(Domain.action_plan_code == plan.code,
                                                    Domain.number == data["domain"]))
    if domain is None:
        message = gettext("The %(plan)s has no domain %(number)s.", plan=plan.name_en, number=data["domain"])
        raise InvalidInput(message, {"domain": [message]})
    return plan, domain


def _referents(codes: list[str]) -> list[str]:
    """The codes, each once, if every one names a partner of the Rabat Process (not an observer)."""
    codes = list(dict.fromkeys(c.strip().upper() for c in codes if c and c.strip()))
    if not codes:
        message = gettext("Name at least one referent partner.")
        raise InvalidInput(message, {"partners": [message]})
    found = {p.code: p for p in db.session.scalars(select(Partner).where(Partner.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        message = gettext("Unknown partner: %(codes)s.", codes=", ".join(unknown))
        raise InvalidInput(message, {"partners": [message]})
    not_partners = [c for c in codes if found[c].status != "partner"]
    if not_partners:
        message = gettext("Not a partner of the Rabat Process (observers cannot be referents): %(codes)s.",
                          codes=", ".join(not_partners))
        raise InvalidInput(message, {"partners": [message]})
    return codes


def _no_overlap(domain: Domain, start: date, end: date) -> None:
    other = db.session.scalar(select(ReferentCycle).where(
        ReferentCycle.domain_id == domain.id, ReferentCycle.period_start <= end, ReferentCycle.period_end >= start))
    if other is not None:
        message = gettext("Domain %(number)s already has a cycle for an overlapping period: cycle %(cycle)s, "
                          "%(start)s to %(end)s.", number=domain.number, cycle=other.id,
                          start=format_day(other.period_start), end=format_day(other.period_end))
        raise InvalidInput(message, {"period_start": [message]})


def process_data(cycle: ReferentCycle) -> dict[str, Any]:
    """The data the `referent_cycle` process starts with: the period's end and both schedules."""
    starts, ends = period_bounds(cycle.period_start, cycle.period_end, cycle.timezone)
    roadmap = reminders.schedule(cycle.roadmap_due_at, clock.now(), ends)
    report = reminders.schedule(cycle.report_due_at, ends, cycle.report_due_at + (ends - starts))
    return {"cycle_id": cycle.id, "lead_partner": cycle.partner_codes[0], "period_end": ends.isoformat(),
            "roadmap_schedule": roadmap, "roadmap_index": 0, "roadmap_next": roadmap[0]["at"],
            "report_schedule": report, "report_index": 0, "report_next": report[0]["at"]}


@use_case
def open_cycle(data: dict[str, Any], actor: Contact) -> ReferentCycle:
    """Open a cycle (parsed by `forms.referent_cycle.OpenCycleForm`): the referents are asked
    for the roadmap at once."""
    require_secretariat(actor)
    plan, domain = _plan_and_domain(data)
    codes = _referents(data["partners"] if data.get("partners") is not None else default_partners(domain.id))
    _no_overlap(domain, data["period_start"], data["period_end"])
    now = clock.now()
    cycle = ReferentCycle(action_plan_code=plan.code, domain_id=domain.id, period_start=data["period_start"],
                          period_end=data["period_end"], timezone=data["timezone"],
                          roadmap_due_at=data["roadmap_due_utc"], report_due_at=data["report_due_utc"],
                          status="roadmap_due", opened_by_id=actor.id, opened_at=now, updated_at=now)
    cycle.partner_rows = [ReferentCyclePartner(partner_code=code, position=i) for i, code in enumerate(codes)]
    cycle.deliverables = [ReferentDeliverable(kind=kind, status="draft", content={}) for kind in ("report", "roadmap")]
    db.session.add(cycle)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(gettext("A cycle of this domain starting that day was opened at the same moment.")) from None
    case = cases.begin_case(PROCESS_ID, process_data(cycle), actor)
    cycle.case_id = case.id
    return cycle


# The shared drafts -------------------------------------------------------------------------

def _editable(cycle: ReferentCycle, deliverable: ReferentDeliverable) -> None:
    open_phase = (cycle.status in ("roadmap_due", "roadmap_revision") if deliverable.kind == "roadmap"
                  else cycle.status not in FINAL_STATUSES)
    if deliverable.status not in EDITABLE or not open_phase:
        raise Conflict(gettext("The %(deliverable)s can no longer be changed (it is %(status)s).",
                               deliverable=deliverable_name(deliverable.kind),
                               status=DELIVERABLE_STATUSES.get(deliverable.status, deliverable.status)))


def _split(cycle: ReferentCycle, kind: str, data: dict[str, Any]) -> tuple[dict, dict]:
    """(content without objectives and actions, their link rows by activity), checked against
    the cycle's Action Plan and, for a report, its roadmap's planned activities."""
    resolver = coverage.Resolver(cycle.action_plan_code)
    errors: dict[str, Any] = {}
    content = {k: v for k, v in data.items() if k not in ("objectives", "actions")}
    refs: dict[int | None, list] = {}
    if kind == "roadmap":
        activities = []
        for i, activity in enumerate(data.get("activities") or []):
            found: dict[str, list[str]] = {}
            refs[i + 1] = resolver.refs(activity, found)
            if found:
                errors.setdefault("activities", {})[i] = found
            activities.append({k: v for k, v in activity.items() if k not in ("objectives", "actions")})
        if "activities" in data:
            content["activities"] = activities
    else:
        refs[None] = resolver.refs(data, errors)
        planned = len(form_values(cycle.deliverable("roadmap")).get("activities") or []) \
            if cycle.deliverable("roadmap").status == "accepted" else 0
        for i, activity in enumerate(data.get("activities") or []):
            number = activity.get("planned")
            if number is not None and not 1 <= number <= planned:
                errors.setdefault("activities", {})[i] = {"planned": [gettext(
                    "The accepted roadmap has no planned activity %(number)s.", number=number)]}
    if errors:
        raise InvalidInput(gettext("Some answers cannot be used."), errors)
    return jsonable(content), refs


@use_case
def save_draft(cycle_id: int, kind: str, data: dict[str, Any], actor: Contact,
               version: int | None) -> ReferentDeliverable:
    """Save the shared draft (the whole of it, as given; incomplete is fine until submission).
    `version` is the one the focal point read: a save over someone else's is refused."""
    cycle = _focal(cycle_id, actor)
    deliverable = cycle.deliverable(kind)
    _editable(cycle, deliverable)
    if version is None:
        message = gettext("Give the version you read (from the %(deliverable)s you opened).",
                          deliverable=deliverable_name(kind))
        raise InvalidInput(message, {"version": [message]})
    if version != deliverable.version:
        raise DraftConflict(deliverable)
    content, refs = _split(cycle, kind, data)
    deliverable.content = content
    coverage.replace(deliverable_id=deliverable.id, refs=refs)
    deliverable.updated_at, deliverable.updated_by = clock.now(), actor
    db.session.flush()
    return deliverable


@use_case
def submit(cycle_id: int, kind: str, actor: Contact, version: int | None = None) -> ReferentDeliverable:
    """Submit the saved draft for the Secretariat's review: it must now be complete."""
    cycle = _focal(cycle_id, actor)
    deliverable = cycle.deliverable(kind)
    if version is not None and version != deliverable.version:
        raise DraftConflict(deliverable)
    if deliverable.status not in EDITABLE:
        raise Conflict(gettext("The %(deliverable)s was already submitted (it is %(status)s).",
                               deliverable=deliverable_name(kind),
                               status=DELIVERABLE_STATUSES.get(deliverable.status, deliverable.status)))
    task = cases.open_task(cycle.case_id, kind) if cycle.case_id else None
    if task is None:
        if kind == "report" and cycle.status not in FINAL_STATUSES and not cycle.status.startswith("report"):
            message = gettext("The report can be submitted once the period has ended (its last day is %(day)s); "
                              "until then, save it as a draft.", day=format_day(cycle.period_end))
            raise InvalidInput(message, {"period_end": [message]})
        raise Conflict(gettext("The %(deliverable)s is not awaited now (the cycle is %(status)s).",
                               deliverable=deliverable_name(kind), status=CYCLE_STATUSES.get(cycle.status, cycle.status)))
    try:
        FORMS[kind]().load(form_values(deliverable))
    except ValidationError as error:
        raise InvalidInput(gettext("The %(deliverable)s is not complete.", deliverable=deliverable_name(kind)),
                           error.messages) from None
    now = clock.now()
    deliverable.status, deliverable.submitted_at, deliverable.submitted_by = "submitted", now, actor
    cycle.status, cycle.updated_at = f"{kind}_submitted", now
    cases.step_task(task, {"submitted_by": actor.email}, actor)
    notices.tell_secretariat(cycle, deliverable, f"{kind}_submitted")
    return deliverable


@use_case
def save(cycle_id: int, kind: str, data: dict[str, Any], actor: Contact, version: int | None,
         submit_now: bool = False) -> ReferentDeliverable:
    """Save the draft and, with `submit_now`, submit it: one unit of work, so a submission that
    is refused leaves the draft as it was."""
    deliverable = save_draft(cycle_id, kind, data, actor, version)
    return submit(cycle_id, kind, actor) if submit_now else deliverable


# The Secretariat's review --------------------------------------------------------------------

@use_case
def review(cycle_id: int, kind: str, data: dict[str, Any], actor: Contact) -> ReferentDeliverable:
    """Accept the submitted roadmap or report, or send it back for revision with a comment."""
    require_secretariat(actor)
    cycle = get(cycle_id, actor)
    task = cases.open_task(cycle.case_id, f"review_{kind}") if cycle.case_id else None
    if task is None:
        raise Conflict(gettext("The %(deliverable)s is not waiting for a review (the cycle is %(status)s).",
                               deliverable=deliverable_name(kind), status=CYCLE_STATUSES.get(cycle.status, cycle.status)))
    deliverable = cycle.deliverable(kind)
    step: dict[str, Any] = {"decision": data["decision"], "comment": data.get("comment", "")}
    if data["decision"] == "revise":
        schedule = cases.get_case(cycle.case_id).data.get(f"{kind}_schedule") or []
        index = reminders.resume_at(schedule, clock.now())
        if index is None:
            message = gettext("The time for the %(deliverable)s is over: accept it as it is.",
                              deliverable=deliverable_name(kind))
            raise InvalidInput(message, {"decision": [message]})
        step.update({f"{kind}_index": index, f"{kind}_next": schedule[index]["at"]})
    deliverable.reviews.append(DeliverableReview(decision=data["decision"], comment=data.get("comment", ""),
                                                 reviewed_by=actor, reviewed_at=clock.now()))
    cases.step_task(task, step, actor)
    return deliverable
