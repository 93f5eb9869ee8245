"""The incoming Presidency's programme: drafted and submitted by its focal points (or the
Secretariat for them), then endorsed by the Steering Committee through the silent procedure
(called by the handover's case) or a decision the Secretariat records, or sent back for
revision."""
from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext
from marshmallow import ValidationError
from sqlalchemy import select

from forms.presidency_programme import ACTIVITY_KIND_LABELS, ProgrammeForm
from forms.silent_procedure import deadline_checks
from service import cases
from service.errors import Conflict, Forbidden, InvalidInput
from service.extensions import db
from service.i18n import format_day, localized
from service.models import Contact, Partner
from service.procedures.silent_procedure import use_cases as silent_procedure
from service.unit_of_work import use_case
from workflows import clock

from .models import Handover, Programme
from .notices import incoming_names, secretariat, tell
from .access import get, is_incoming, require_secretariat, touch

EDITABLE = ("draft", "revision_requested")
FIELDS = ("vision", "priorities", "activities", "next_som_date", "next_som_place")


def of(handover: Handover) -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.handover_id == handover.id))


def form_values(programme: Programme) -> dict[str, Any]:
    """The programme's fields as the form takes them (dates ISO)."""
    values = {"vision": programme.vision, "priorities": programme.priorities, "activities": programme.activities,
              "next_som_place": programme.next_som_place or ""}
    if programme.next_som_date:
        values["next_som_date"] = programme.next_som_date.isoformat()
    return values


def _stored_activities(activities: list[dict]) -> list[dict]:
    return [{**a, "start_date": a["start_date"].isoformat(),
             "end_date": a["end_date"].isoformat() if a.get("end_date") else None} for a in activities]


def _drafting(handover_id: int, actor: Contact) -> Handover:
    handover = get(handover_id, actor)
    if not (actor.has_role("secretariat") or is_incoming(handover, actor)):
        raise Forbidden(gettext("Only the incoming Presidency's focal points or the Secretariat may write its programme."))
    if handover.status not in ("open", "passed"):
        raise Conflict(gettext("The programme is written once the handover is open."))
    if not handover.incoming_partner_code:
        raise Conflict(gettext("The incoming Presidency is not named yet."))
    return handover


@use_case
def save(handover_id: int, data: dict, actor: Contact, version: int | None = None,
         submit_now: bool = False) -> Programme:
    """Save the programme as a draft (what is given must be right; not everything is needed)
    and, with `submit_now`, submit it: one unit of work, so a refused submission saves nothing."""
    handover = _drafting(handover_id, actor)
    programme = of(handover)
    if programme is None:
        programme = Programme(handover_id=handover.id, partner_code=handover.incoming_partner_code, status="draft",
                              vision="", priorities=[], activities=[], updated_at=clock.now())
        db.session.add(programme)
    elif programme.status not in EDITABLE:
        raise Conflict(gettext("The programme was submitted: it can no longer be changed."))
    if version is not None and version != programme.version:
        raise Conflict(gettext("Someone else saved this programme in the meantime; reload it and try again."))
    for name in FIELDS:
        if name in data:
            value = data[name]
            setattr(programme, name, _stored_activities(value) if name == "activities" else value)
    programme.updated_at = clock.now()
    touch(handover)
    db.session.flush()
    return submit(handover_id, actor) if submit_now else programme


def _within_term(handover: Handover, data: dict) -> None:
    """The calendar belongs to the incoming term: from the SOM to the next one."""
    errors = {}
    if data["next_som_date"] <= handover.som_date:
        errors["next_som_date"] = [gettext("The next SOM must come after this one (%(date)s).",
                                           date=format_day(handover.som_date))]
    early = [a["title"] for a in data["activities"] if a["start_date"] < handover.som_date]
    if early:
        errors["activities"] = [gettext("These activities come before the SOM at which the term begins: %(titles)s.",
                                        titles="; ".join(early))]
    if errors:
        raise InvalidInput(gettext("The programme is not complete."), errors)


@use_case
def submit(handover_id: int, actor: Contact) -> Programme:
    """Submit the programme: every field complete and right; the Secretariat has it endorsed."""
    handover = _drafting(handover_id, actor)
    programme = of(handover)
    if programme is None:
        raise InvalidInput(gettext("The programme is not complete."), {"vision": [gettext("The vision of the Presidency is required.")]})
    if programme.status not in EDITABLE:
        raise Conflict(gettext("The programme was already submitted."))
    try:
        data = ProgrammeForm().load(form_values(programme))
    except ValidationError as error:
        raise InvalidInput(gettext("The programme is not complete."), error.messages) from None
    _within_term(handover, data)
    task = cases.open_task(handover.case_id, "submit_programme")
    if task is None:
        raise Conflict(gettext("The handover is not waiting for the programme."))
    programme.status, programme.submitted_at, programme.submitted_by_id = "submitted", clock.now(), actor.id
    programme.revision_comment = None
    touch(handover)
    cases.step_task(task, {"programme_submitted": True}, actor, audit={"programme": programme.id})
    tell(handover, "programme_submitted", secretariat(), programme=programme)
    return programme


# Endorsement --------------------------------------------------------------------------------

def programme_text(handover: Handover, programme: Programme, language: str) -> str:
    """The text the Steering Committee endorses, in `language`."""
    partners = {p.code: p for p in db.session.scalars(select(Partner))}
    with force_locale(language):
        names = incoming_names(handover)
        lines = [gettext("Programme of %(presidency)s", presidency=localized(names, "title")),
                 gettext("From the SOM of %(date)s to the next SOM, %(next)s%(place)s", date=format_day(handover.som_date),
                         next=format_day(programme.next_som_date),
                         place=f" ({programme.next_som_place})" if programme.next_som_place else ""),
                 "", gettext("Vision:"), programme.vision, "", gettext("Priorities:")]
        lines += [f"- {priority}" for priority in programme.priorities]
        lines += ["", gettext("Calendar of activities:")]
        for activity in sorted(programme.activities, key=lambda a: a["start_date"]):
            when = format_day(activity["start_date"]) + (f" – {format_day(activity['end_date'])}" if activity.get("end_date") else "")
            chairs = ", ".join(localized(partners[c]) for c in activity.get("co_chairs") or [] if c in partners)
            line = f"- {when}, {activity['place']}: {ACTIVITY_KIND_LABELS[activity['kind']]} — {activity['title']}"
            if chairs:
                line += " " + gettext("(co-chairs: %(chairs)s)", chairs=chairs)
            if activity.get("actions"):
                line += " " + gettext("[actions %(numbers)s]", numbers=", ".join(map(str, activity["actions"])))
            lines.append(line)
    return "\n".join(lines)


def _both(render) -> str:
    texts = []
    for language in ("fr", "en"):
        with force_locale(language):
            text = render(language)
        if text not in texts:
            texts.append(text)
    return " / ".join(texts)


def _deadline(handover: Handover, data: dict) -> dict:
    """The silent procedure's deadline: as given, or `HANDOVER_ENDORSEMENT_PERIOD` from now;
    before the SOM, while the Presidency has not passed yet."""
    values = {"timezone": data.get("timezone") or "Europe/Brussels", "deadline": data.get("deadline")}
    try:
        zone = ZoneInfo(values["timezone"])
    except Exception:
        message = gettext("Unknown time zone: %(zone)s.", zone=values["timezone"])
        raise InvalidInput(message, {"timezone": [message]}) from None
    if values["deadline"] is None:
        period = clock.duration(current_app.config["HANDOVER_ENDORSEMENT_PERIOD"])
        values["deadline"] = (clock.now() + period).astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    try:
        deadline_checks(values, clock.duration(current_app.config["SILENT_PROCEDURE_MIN_DURATION"]))
    except ValidationError as error:
        raise InvalidInput(gettext("The deadline cannot be used."), error.messages) from None
    if handover.status == "open" and values["deadline_utc"] >= handover.som_at:
        message = gettext("The Steering Committee's deadline must fall before the SOM of %(date)s, so that the "
                          "programme is endorsed when the Presidency passes.", date=format_day(handover.som_date))
        raise InvalidInput(message, {"deadline": [message]})
    return values


@use_case
def endorse(handover_id: int, data: dict, actor: Contact) -> Programme:
    """The Secretariat: the Steering Committee endorses by silent procedure (launched now), or a
    decision taken is recorded, or the incoming Presidency is asked to revise."""
    require_secretariat(actor)
    handover = get(handover_id, actor)
    programme = of(handover)
    task = cases.open_task(handover.case_id, "endorse_programme") if handover.case_id else None
    if task is None or programme is None:
        raise Conflict(gettext("The programme is not waiting for the Steering Committee's endorsement."))
    how = data["how"]
    step: dict[str, Any] = {"endorsement": how, "note": data.get("note", "")}
    if how == "silent_procedure":
        deadline = _deadline(handover, data)
        names = incoming_names(handover)
        procedure = silent_procedure.prepare({
            "subject": _both(lambda _: gettext("Programme of %(presidency)s", presidency=localized(names, "title"))),
            "text": programme_text(handover, programme, "fr") + "\n\n\u2014\u2014\u2014\n\n"
                    + programme_text(handover, programme, "en"),
            "proposed_decision": _both(lambda _: gettext("Endorse the programme of %(presidency)s.",
                                                         presidency=localized(names, "title"))),
            "deadline_utc": deadline["deadline_utc"], "timezone": deadline["timezone"],
            "committees": ["steering-committee"]}, actor)
        programme.status, programme.silent_procedure_id = "in_silent_procedure", procedure.id
        step.update(silent_procedure.process_data(procedure))
    elif how == "decision":
        programme.endorsed_by, programme.decision_date = "decision", data["decision_date"]
        programme.decision_note = data["note"]
    else:
        programme.revision_comment = data["note"]
    touch(handover)
    cases.step_task(task, step, actor)
    return programme
