"""Labelling requests: drafts, submission, the Secretariat's review, the Steering Committee's
decision by silent procedure, the register of labelled initiatives, and the results report.

The BPMN process (`workflows/bpmn/labelling_request.bpmn`) holds the steps, reminders and
time-outs; this module holds the request's own row and writes it in the same transaction as the
step it causes. A partner's contacts see and change only their own partner's requests.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from marshmallow import ValidationError
from sqlalchemy import select

from forms.labelling import LabellingForm, TYPE_LABELS
from forms.silent_procedure import deadline_checks
from notifications.outbox import queue_email
from workflows import clock

from . import cases, effects, reference, silent_procedures, terms
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .extensions import db
from .models import Case, Contact, ContactRole, LabellingRequest
from .models.labelling import FORM_FIELDS

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
    query = select(LabellingRequest).order_by(LabellingRequest.id.desc())
    if not actor.has_role(*READ_ALL):
        if not actor.has_role("partner") or not actor.partner_code:
            return []
        query = query.where(LabellingRequest.partner_code == actor.partner_code)
    return list(db.session.scalars(query))


def _own(request_id: int, actor: Contact) -> LabellingRequest:
    request = get(request_id, actor)
    if not (actor.has_role("partner") and actor.partner_code == request.partner_code):
        raise Forbidden(gettext("Only the partner's own focal points may change its request."))
    return request


def _secretariat(actor: Contact) -> None:
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


@cases.use_case
def create_draft(data: dict[str, Any], actor: Contact) -> LabellingRequest:
    """A new draft (validated partially: what is given must be right, not everything is needed)."""
    if not actor.has_role("partner") or not actor.partner_code:
        raise Forbidden(gettext("Only a partner's focal point may draft a labelling request."))
    now = clock.now()
    request = LabellingRequest(partner_code=actor.partner_code, status="draft", created_by_id=actor.id,
                               created_at=now, updated_at=now, partners=[], implementing_organisations=[],
                               actions=[], gcm_objectives=[])
    _apply(request, data)
    db.session.add(request)
    db.session.commit()
    return request


@cases.use_case
def update_draft(request_id: int, data: dict[str, Any], actor: Contact, version: int | None = None) -> LabellingRequest:
    """Save changes to a draft (or to a request whose changes were asked for)."""
    request = _own(request_id, actor)
    if request.status not in EDITABLE:
        raise Conflict(gettext("This request can no longer be changed (it is %(status)s).",
                               status=terms.LABELLING_STATUSES.get(request.status, request.status)))
    if version is not None and version != request.version:
        raise Conflict(gettext("Someone else saved this request in the meantime; reload it and try again."))
    _apply(request, data)
    db.session.commit()
    return request


def _report_due(request: LabellingRequest) -> str:
    """The day after the initiative ends, at midnight UTC."""
    last_day = request.end_date or request.start_date
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=timezone.utc).isoformat()


@cases.use_case
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
        case, workflow = cases.begin_case(PROCESS_ID, {
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
        case, workflow = cases.step_task(task, {"report_due": _report_due(request)}, actor)
    _notify_secretariat(request, "submitted")
    cases.commit(case, workflow)
    return request


# The Secretariat's decisions ------------------------------------------------------------------

def _decision_deadline(data: dict[str, Any]) -> dict[str, Any]:
    """The silent procedure's deadline: as given, or `LABELLING_DECISION_PERIOD` from now."""
    from zoneinfo import ZoneInfo

    values = {"timezone": data.get("timezone") or "Europe/Brussels", "deadline": data.get("deadline")}
    if values["deadline"] is None:
        period = clock.duration(current_app.config["LABELLING_DECISION_PERIOD"])
        try:
            zone = ZoneInfo(values["timezone"])
        except Exception:
            raise InvalidInput(gettext("Unknown time zone: %(zone)s.", zone=values["timezone"]), {
                "timezone": [gettext("Unknown time zone: %(zone)s.", zone=values["timezone"])]}) from None
        values["deadline"] = (clock.now() + period).astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    try:
        deadline_checks(values, clock.duration(current_app.config["SILENT_PROCEDURE_MIN_DURATION"]))
    except ValidationError as error:
        raise InvalidInput(gettext("The deadline cannot be used."), error.messages) from None
    return values


def procedure_text(request: LabellingRequest, language: str = "en") -> str:
    """The text the Steering Committee approves: the request as submitted, in `language`."""
    actions = reference.actions_by_number(request.actions)
    none = "-"
    with force_locale(language):
        dates = (gettext("%(start)s to %(end)s", start=request.start_date.isoformat(), end=request.end_date.isoformat())
                 if request.end_date else request.start_date.isoformat())
        lines = [
            gettext("Labelling request no. %(number)s: %(title)s", number=request.id, title=request.title),
            gettext("Type: %(type)s", type=TYPE_LABELS[request.type]),
            gettext("Lead partner: %(lead)s; associated partners: %(partners)s",
                    lead=request.lead_partner, partners=", ".join(request.partners) or none),
            gettext("Implementing organisation(s): %(organisations)s",
                    organisations=", ".join(request.implementing_organisations) or none),
            gettext("Dates: %(dates)s; place: %(place)s", dates=dates, place=request.location),
            gettext("Budget: %(budget)s EUR; funding: %(funding)s",
                    budget=request.budget_eur if request.budget_eur is not None else none,
                    funding=request.funding_source or none),
            gettext("Action Plan actions: %(actions)s", actions="; ".join(
                gettext("domain %(domain)s, objective %(objective)s, action %(action)s",
                        domain=d.number, objective=o.number, action=a.number) for d, o, a in actions)),
            gettext("Global Compact objectives: %(objectives)s",
                    objectives=", ".join(map(str, request.gcm_objectives)) or none),
            "", gettext("Summary:"), request.summary or "", "", gettext("Expected results:"), request.expected_results or "",
        ]
    return "\n".join(lines)


def _in_both_languages(render) -> str:
    """French, then English: the frozen text every member reads, whatever their language."""
    texts = []
    for language in ("fr", "en"):
        with force_locale(language):
            text = render(language)
        if text not in texts:
            texts.append(text)
    return " / ".join(texts)


def _launch_data(request: LabellingRequest, deadline: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    subject = _in_both_languages(lambda _: gettext("Labelling")) + ": " + request.title
    decision = _in_both_languages(lambda _: gettext(
        "Label the initiative \u201c%(title)s\u201d as a Rabat Process project.", title=request.title))
    return {"subject": subject,
            "text": text or (procedure_text(request, "fr") + "\n\n\u2014\u2014\u2014\n\n" + procedure_text(request, "en")),
            "proposed_decision": decision,
            "deadline_utc": deadline["deadline_utc"], "timezone": deadline["timezone"],
            "committees": ["steering-committee"]}


@cases.use_case
def review(request_id: int, data: dict[str, Any], actor: Contact) -> LabellingRequest:
    """Accept (a silent procedure starts), request changes, or decline with a reason."""
    _secretariat(actor)
    request = get(request_id, actor)
    task = cases.open_task(request.case_id, "review") if request.case_id else None
    if request.status != "submitted" or task is None:
        raise Conflict(gettext("This request is not waiting for a review (it is %(status)s).",
                               status=terms.LABELLING_STATUSES.get(request.status, request.status)))
    request.review_comment = data.get("comment") or None
    step = {"decision": data["decision"], "comment": data.get("comment", "")}
    if data["decision"] == "accept":
        procedure = silent_procedures.prepare(_launch_data(request, _decision_deadline(data)), actor)
        request.silent_procedure_id, request.status = procedure.id, "in_silent_procedure"
        step.update(silent_procedures.process_data(procedure))
    case, workflow = cases.step_task(task, step, actor)
    cases.commit(case, workflow)
    return request


@cases.use_case
def after_silence(request_id: int, data: dict[str, Any], actor: Contact) -> LabellingRequest:
    """When silence was broken: labelled after all, not labelled, or relaunched with a revised text."""
    _secretariat(actor)
    request = get(request_id, actor)
    task = cases.open_task(request.case_id, "after_silence") if request.case_id else None
    if task is None:
        raise Conflict(gettext("This request is not waiting for the outcome of a discussion."))
    request.decision_note = data.get("note") or None
    step = {"outcome": data["outcome"], "note": data.get("note", "")}
    if data["outcome"] == "relaunch":
        previous = db.session.get(silent_procedures.SilentProcedure, request.silent_procedure_id)
        procedure = silent_procedures.prepare(_launch_data(request, _decision_deadline(data), data["text"]), actor,
                                              relaunch_of=previous)
        request.silent_procedure_id = procedure.id
        step.update(silent_procedures.process_data(procedure))
    case, workflow = cases.step_task(task, step, actor)
    cases.commit(case, workflow)
    return request


@cases.use_case
def report_results(request_id: int, data: dict[str, Any], actor: Contact) -> LabellingRequest:
    request = _own(request_id, actor)
    task = cases.open_task(request.case_id, "report") if request.case_id else None
    if task is None:
        raise Conflict(gettext("No results report is asked for this initiative (yet)."))
    request.results, request.results_submitted_at = data, clock.now()
    case, workflow = cases.step_task(task, {"results_reported": True}, actor, audit={"results": "attached to the register entry"})
    cases.commit(case, workflow)
    return request


# Notices, applied from the BPMN's service tasks ----------------------------------------------

NOTICE_STATUS_FIELDS = {"labelled": "labelled_at"}


def _audience(request: LabellingRequest) -> list[tuple[str, str, str]]:
    """The request's contact and the partner's focal points: (email, name, language)."""
    people = {}
    if request.contact_email:
        known = db.session.scalar(select(Contact).where(Contact.email == request.contact_email.lower()))
        people[request.contact_email.lower()] = (request.contact_email, request.contact_name or "",
                                                 known.language if known else "en")
    focal_points = db.session.scalars(select(Contact).join(ContactRole).where(
        ContactRole.role == "partner", Contact.partner_code == request.partner_code, Contact.active.is_(True)))
    for contact in focal_points:
        people.setdefault(contact.email, (contact.email, contact.name, contact.language))
    return list(people.values())


def _notify(request: LabellingRequest, notice: str, audience) -> None:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for email, name, language in audience:
        queue_email(template="labelling_notice", to_email=email, to_name=name, language=language,
                    case_id=request.case_id, values={
                        "notice": notice, "name": name or email, "request": request,
                        "type_label": TYPE_LABELS.get(request.type, request.type),
                        "url": f"{base}/labelling/{request.id}", "register_url": f"{base}/register"})


def _notify_secretariat(request: LabellingRequest, notice: str) -> None:
    officers = db.session.scalars(select(Contact).join(ContactRole).where(
        ContactRole.role == "secretariat", Contact.active.is_(True)).order_by(Contact.email))
    _notify(request, notice, [(c.email, c.name, c.language) for c in officers])


@effects.operation("labelling_update")
def update_from_process(case: Case, params: dict) -> None:
    """A step of the process changes the request's status and/or tells the partner."""
    request = db.session.get(LabellingRequest, params["request_id"])
    status = params.get("status")
    if status:
        request.status, request.updated_at = status, clock.now()
        if status == "labelled":
            request.labelled_at = clock.now()
    if params.get("notice"):
        _notify(request, params["notice"], _audience(request))


# The register ---------------------------------------------------------------------------------

def register(filters: dict[str, Any]) -> list[LabellingRequest]:
    """Labelled initiatives, filtered by domain, objective, action, partner, type and year."""
    rows = db.session.scalars(select(LabellingRequest).where(LabellingRequest.status == "labelled")
                              .order_by(LabellingRequest.labelled_at.desc(), LabellingRequest.id.desc())).all()
    wanted_actions = None
    if filters.get("domain") or filters.get("objective"):
        actions = reference.actions_by_number(reference.current_action_numbers())
        wanted_actions = {a.number for d, o, a in actions
                          if (not filters.get("domain") or d.number == filters["domain"])
                          and (not filters.get("objective") or o.number == filters["objective"])}
    result = []
    for row in rows:
        if wanted_actions is not None and not wanted_actions.intersection(row.actions):
            continue
        if filters.get("action") and filters["action"] not in row.actions:
            continue
        if filters.get("partner") and filters["partner"] != row.lead_partner and filters["partner"] not in row.partners:
            continue
        if filters.get("type") and filters["type"] != row.type:
            continue
        if filters.get("year") and not (row.start_date.year <= filters["year"] <= (row.end_date or row.start_date).year):
            continue
        result.append(row)
    return result


def register_entry(row: LabellingRequest, language: str = "en") -> dict[str, Any]:
    actions = reference.actions_by_number(row.actions)
    return {
        "id": row.id, "title": row.title, "type": row.type, "lead_partner": row.lead_partner, "partners": row.partners,
        "implementing_organisations": row.implementing_organisations,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None, "location": row.location,
        "budget_eur": str(row.budget_eur) if row.budget_eur is not None else None,
        "actions": [{"domain": d.number, "objective": o.number, "action": a.number} for d, o, a in actions],
        "gcm_objectives": row.gcm_objectives, "summary": row.summary,
        "labelled_at": row.labelled_at.isoformat() if row.labelled_at else None,
        "results": row.results, "results_submitted_at": row.results_submitted_at.isoformat() if row.results_submitted_at else None,
    }
