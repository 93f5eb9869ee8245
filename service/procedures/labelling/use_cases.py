"""Labelling requests: drafts, submission and the results report, by the partner's focal points.

The BPMN process (`workflows/bpmn/labelling_request.bpmn`) holds the steps, reminders and
time-outs; this package holds the request's own row and writes it in the same unit of work as
the step it causes. A partner's contacts see and change only their own partner's requests.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from flask import current_app
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import select

from forms.labelling import LabellingForm
from service import cases, terms
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.extensions import db
from service.models import Contact
from service.unit_of_work import use_case
from workflows import clock

from . import actions as request_actions
from . import notices
from .models import FORM_FIELDS, LabellingRequest

PROCESS_ID = "labelling_request"
READ_ALL = ("secretariat", "presidency")
EDITABLE = ("draft", "changes_requested")


# Access ------------------------------------------------------------------------------------

def may_read(request: LabellingRequest, actor: Contact) -> bool:
    return actor.has_role(*READ_ALL) or (actor.has_role("partner") and actor.partner_code == request.partner_code)


def get(request_id: int, actor: Contact) -> LabellingRequest:
    """The request, if the actor may see it (otherwise it does not exist for them)."""
    request = db.session.get(LabellingRequest, request_id)
    if request is None or not may_read(request, actor):
        raise NotFound(gettext("No labelling request %(number)s.", number=request_id))
    return request


def visible(actor: Contact) -> list[LabellingRequest]:
    query = _visible_query(actor)
    return [] if query is None else list(db.session.scalars(query))


def _visible_query(actor: Contact, status: str | None = None, partner: str | None = None):
    """The requests the actor may read, newest first (None: none at all)."""
    query = select(LabellingRequest).order_by(LabellingRequest.id.desc())
    if not actor.has_role(*READ_ALL):
        if not actor.has_role("partner") or not actor.partner_code:
            return None
        query = query.where(LabellingRequest.partner_code == actor.partner_code)
    if status:
        query = query.where(LabellingRequest.status == status)
    if partner:
        query = query.where(LabellingRequest.partner_code == partner)
    return query


def visible_page(actor: Contact, *, status: str | None = None, partner: str | None = None,
                 before_id: int | None = None, limit: int = 50) -> list[LabellingRequest]:
    """`limit` requests the actor may read with an id below `before_id`, newest first, filtered in SQL."""
    query = _visible_query(actor, status, partner)
    if query is None:
        return []
    if before_id is not None:
        query = query.where(LabellingRequest.id < before_id)
    return list(db.session.scalars(query.limit(limit)))


def _own(request_id: int, actor: Contact) -> LabellingRequest:
    request = get(request_id, actor)
    if not (actor.has_role("partner") and actor.partner_code == request.partner_code):
        raise Forbidden(gettext("Only the partner's own focal points may change its request."))
    return request


def require_secretariat(actor: Contact) -> None:
    if not actor.has_role("secretariat"):
        raise Forbidden(gettext("Only the Secretariat may do this."))


# Drafts and submission ---------------------------------------------------------------------

def form_values(request: LabellingRequest) -> dict[str, Any]:
    """The request's form fields as the form would take them (dates ISO, budget text)."""
    values = {}
    for name in FORM_FIELDS:
        value = getattr(request, name)
        if value is None:
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif name == "budget_eur":
            value = str(value)
        values[name] = value
    return values


def _apply(request: LabellingRequest, data: dict[str, Any]) -> None:
    for name in FORM_FIELDS:
        if name in data:
            setattr(request, name, data[name])
    request.updated_at = clock.now()


def _write_actions(request: LabellingRequest, data: dict[str, Any]) -> None:
    """The actions the form gave, as the rows the register and the coverage read."""
    if "actions" in data:
        request_actions.replace(request.id, request.actions)


def _lead_partner_is_own(data: dict[str, Any], partner_code: str) -> None:
    """The lead partner is the filing partner: its focal points answer for the request, and
    one partner cannot commit another. Other partners are named as associated partners."""
    if data.get("lead_partner") not in (None, partner_code):
        message = gettext("The lead partner is your own partner (%(code)s); name the other partners as "
                          "associated partners.", code=partner_code)
        raise InvalidInput(message, {"lead_partner": [message]})


@use_case
def create_draft(data: dict[str, Any], actor: Contact) -> LabellingRequest:
    """A new draft (validated partially: what is given must be right, not everything is needed)."""
    if not actor.has_role("partner") or not actor.partner_code:
        raise Forbidden(gettext("Only a partner's focal point may draft a labelling request."))
    _lead_partner_is_own(data, actor.partner_code)
    now = clock.now()
    request = LabellingRequest(partner_code=actor.partner_code, status="draft", created_by_id=actor.id,
                               created_at=now, updated_at=now, partners=[], implementing_organisations=[],
                               actions=[], gcm_objectives=[])
    _apply(request, data)
    db.session.add(request)
    db.session.flush()
    _write_actions(request, data)
    return request


@use_case
def update_draft(request_id: int, data: dict[str, Any], actor: Contact, version: int | None = None) -> LabellingRequest:
    """Save changes to a draft (or to a request whose changes were asked for)."""
    request = _own(request_id, actor)
    if request.status not in EDITABLE:
        raise Conflict(gettext("This request can no longer be changed (it is %(status)s).",
                               status=terms.LABELLING_STATUSES.get(request.status, request.status)))
    if version is not None and version != request.version:
        raise Conflict(gettext("Someone else saved this request in the meantime; reload it and try again."))
    _lead_partner_is_own(data, request.partner_code)
    _apply(request, data)
    db.session.flush()
    _write_actions(request, data)
    return request


def _report_due(request: LabellingRequest) -> str:
    """The day after the initiative ends, at midnight UTC."""
    last_day = request.end_date or request.start_date
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=timezone.utc).isoformat()


@use_case
def submit(request_id: int, actor: Contact) -> LabellingRequest:
    """Submit (or resubmit after changes): every field must now be complete and right."""
    request = _own(request_id, actor)
    if request.status not in EDITABLE:
        raise Conflict(gettext("This request was already submitted (it is %(status)s).",
                               status=terms.LABELLING_STATUSES.get(request.status, request.status)))
    try:
        LabellingForm().load(form_values(request))
    except ValidationError as error:
        raise InvalidInput(gettext("The request is not complete."), error.messages) from None
    request.status, request.submitted_at = "submitted", clock.now()
    settings = current_app.config
    if request.case_id is None:
        db.session.flush()
        case = cases.begin_case(PROCESS_ID, {
            "request_id": request.id, "partner_code": request.partner_code,
            "amend_reminder_after": settings["LABELLING_AMEND_REMINDER"],
            "amend_timeout_after": settings["LABELLING_AMEND_TIMEOUT"],
            "report_due": _report_due(request),
            "report_reminder_after": settings["LABELLING_REPORT_REMINDER"]}, actor)
        request.case_id = case.id
    else:
        task = cases.open_task(request.case_id, "amend")
        if task is None:
            raise Conflict(gettext("This request is not waiting for changes."))
        cases.step_task(task, {"report_due": _report_due(request)}, actor)
    notices.notify_secretariat(request, "submitted")
    notices.note_on_desk(request, request.case_id)
    return request


@use_case
def save(request_id: int | None, data: dict[str, Any], actor: Contact, version: int | None = None,
         submit_now: bool = False) -> LabellingRequest:
    """Save a draft (a new one without `request_id`) and, with `submit_now`, submit it: one
    unit of work, so a submission that is refused leaves the request as it was."""
    request = create_draft(data, actor) if request_id is None else update_draft(request_id, data, actor, version)
    return submit(request.id, actor) if submit_now else request



@use_case
def report_results(request_id: int, data: dict[str, Any], actor: Contact) -> LabellingRequest:
    request = _own(request_id, actor)
    task = cases.open_task(request.case_id, "report") if request.case_id else None
    if task is None:
        raise Conflict(gettext("No results report is asked for this initiative (yet)."))
    request.results, request.results_submitted_at = data, clock.now()
    cases.step_task(task, {"results_reported": True}, actor, audit={"results": "attached to the register entry"})
    return request


