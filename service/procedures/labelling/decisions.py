"""The Secretariat's decisions on a labelling request: review (accept for a silent procedure of
the Steering Committee, request changes, decline), and the outcome when silence was broken."""
from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext
from marshmallow import ValidationError

from forms.labelling import TYPE_LABELS
from forms.silent_procedure import deadline_checks
from service import cases, terms
from service.i18n import localized
from service.errors import Conflict, InvalidInput
from service.extensions import db
from service.models import Contact
from service.procedures.silent_procedure import use_cases as silent_procedure
from service.procedures.silent_procedure.models import SilentProcedure
from service.unit_of_work import use_case
from workflows import clock

from . import notices, present
from .models import LabellingRequest
from .use_cases import require_secretariat, get


def _decision_deadline(data: dict[str, Any]) -> dict[str, Any]:
    """The silent procedure's deadline: as given, or `LABELLING_DECISION_PERIOD` from now."""
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
    names = present.names_for([request])
    none = "-"

    def partner(code):
        row = names.partner(code)
        return localized(row) if row else code

    with force_locale(language):
        dates = (gettext("%(start)s to %(end)s", start=request.start_date.isoformat(), end=request.end_date.isoformat())
                 if request.end_date else request.start_date.isoformat())
        lines = [
            gettext("Labelling request no. %(number)s: %(title)s", number=request.id, title=request.title),
            gettext("Type: %(type)s", type=TYPE_LABELS[request.type]),
            gettext("Lead partner: %(lead)s; associated partners: %(partners)s",
                    lead=partner(request.lead_partner), partners=", ".join(map(partner, request.partners)) or none),
            gettext("Implementing organisation(s): %(organisations)s",
                    organisations=", ".join(request.implementing_organisations) or none),
            gettext("Dates: %(dates)s; place: %(place)s", dates=dates, place=request.location),
            gettext("Budget: %(budget)s EUR; funding: %(funding)s",
                    budget=request.budget_eur if request.budget_eur is not None else none,
                    funding=request.funding_source or none),
            # The titles as they read today, frozen with the text: a later correction of a
            # title changes the register, never what the committee was asked to approve.
            gettext("Action Plan actions: %(actions)s", actions="; ".join(
                gettext("Action %(number)s", number=a.number) + " \u2014 " + localized(a, "title") + " ("
                + gettext("domain %(domain)s, objective %(objective)s", domain=d.number, objective=o.number) + ")"
                for d, o, a in (names.actions[n] for n in request.actions if n in names.actions))),
            gettext("Global Compact objectives: %(objectives)s", objectives="; ".join(
                f"{n}. {localized(names.gcm[n], 'title')}" if n in names.gcm else str(n)
                for n in request.gcm_objectives) or none),
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


@use_case
def review(request_id: int, data: dict[str, Any], actor: Contact) -> LabellingRequest:
    """Accept (a silent procedure starts), request changes, or decline with a reason."""
    require_secretariat(actor)
    request = get(request_id, actor)
    task = cases.open_task(request.case_id, "review") if request.case_id else None
    if request.status != "submitted" or task is None:
        raise Conflict(gettext("This request is not waiting for a review (it is %(status)s).",
                               status=terms.LABELLING_STATUSES.get(request.status, request.status)))
    request.review_comment = data.get("comment") or None
    step = {"decision": data["decision"], "comment": data.get("comment", "")}
    if data["decision"] == "accept":
        procedure = silent_procedure.prepare(_launch_data(request, _decision_deadline(data)), actor)
        request.silent_procedure_id, request.status = procedure.id, "in_silent_procedure"
        step.update(silent_procedure.process_data(procedure))
    cases.step_task(task, step, actor)
    notices.note_on_desk(request, request.case_id)
    return request


@use_case
def after_silence(request_id: int, data: dict[str, Any], actor: Contact) -> LabellingRequest:
    """When silence was broken: labelled after all, not labelled, or relaunched with a revised text."""
    require_secretariat(actor)
    request = get(request_id, actor)
    task = cases.open_task(request.case_id, "after_silence") if request.case_id else None
    if task is None:
        raise Conflict(gettext("This request is not waiting for the outcome of a discussion."))
    request.decision_note = data.get("note") or None
    step = {"outcome": data["outcome"], "note": data.get("note", "")}
    if data["outcome"] == "relaunch":
        previous = db.session.get(SilentProcedure, request.silent_procedure_id)
        procedure = silent_procedure.prepare(_launch_data(request, _decision_deadline(data), data["text"]), actor,
                                             relaunch_of=previous)
        request.silent_procedure_id, request.status = procedure.id, "in_silent_procedure"
        step.update(silent_procedure.process_data(procedure))
    cases.step_task(task, step, actor)
    if data["outcome"] == "relaunch":
        notices.note_on_desk(request, request.case_id)  # back to the committee
    return request
