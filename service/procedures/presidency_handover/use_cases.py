"""Presidency handovers: scheduling, opening, the incoming Presidency and the SOM, reading.

One handover per Presidency term. When the term's end is recorded, its handover is
scheduled: a case of `workflows/bpmn/presidency_handover.bpmn` waits on a timer (a row of the
shared timer table, fired once however many schedulers run) until `HANDOVER_OPENS_BEFORE`
the term's end, and then opens by itself. The Secretariat may open it earlier, or open one at
once when no end was recorded. The summary, programme and checklist use cases are in
`results.py`, `programme.py` and `checklist.py`; what happens at the SOM is in `passing.py`.
"""
from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forms.presidency_handover import som_checks, som_instant
from service import cases, reference
from service.errors import Conflict, InvalidInput
from service.extensions import db
from service.i18n import partner_timezone
from service.models import Case, CaseTask, Contact, Partner, Presidency
from service.unit_of_work import use_case
from workflows import clock

from .access import READ_ALL, get, require_secretariat, touch
from .checklist import default_items, follow_som, reminder_plan
from .models import Handover, Programme
from .notices import invite_incoming

PROCESS_ID = "presidency_handover"
DEFAULT_TIMEZONE = "Europe/Brussels"


# Reading ---------------------------------------------------------------------------------------

def visible(actor: Contact, *, status: str | None = None, page: int = 1, per_page: int = 20) -> tuple[list[Handover], int]:
    """The handovers the actor may see, newest first, one page of them; and how many in all."""
    query = select(Handover)
    if not actor.has_role(*READ_ALL):
        if not actor.partner_code or not actor.has_role("partner"):
            return [], 0
        query = query.where((Handover.incoming_partner_code == actor.partner_code)
                            | (Handover.outgoing_partner_code == actor.partner_code))
    if status:
        query = query.where(Handover.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(Handover.opened_by))
                              .order_by(Handover.som_date.desc(), Handover.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


# The troika ---------------------------------------------------------------------------------

def troika() -> dict:
    """The previous, current and next Presidency (the next one once a handover names it)."""
    timeline = db.session.scalars(select(Presidency).order_by(Presidency.start.is_(None).desc(), Presidency.start,
                                                              Presidency.id)).all()
    current = reference.current_presidency()
    previous = nxt = None
    if current is not None:
        earlier = timeline[:timeline.index(current)]
        previous = earlier[-1] if earlier else None
        handover = db.session.scalar(select(Handover).where(Handover.presidency_id == current.id))
        if handover is not None and handover.incoming_partner_code:
            nxt = handover.incoming
    return {"previous": previous.partner if previous else None, "current": current.partner if current else None,
            "next": nxt, "current_presidency": current}


# Schedule and opening -----------------------------------------------------------------------

def months_before(day: date, duration: str) -> tuple[date, timedelta]:
    """`duration` (ISO 8601, e.g. P4M) before `day`: the calendar part applied to the date
    (the 31st becomes the month's last day), and what is left as a time span."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    parsed = TimerEventDefinition.parse_iso_duration(duration.strip())
    months = int(parsed.pop("years", 0)) * 12 + int(parsed.pop("months", 0))
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    shifted = date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))
    return shifted, timedelta(**{k: float(v) for k, v in parsed.items()})


def opening_instant(som_date: date, zone: str) -> datetime:
    """When a scheduled handover opens: `HANDOVER_OPENS_BEFORE` the SOM, in its time zone."""
    day, rest = months_before(som_date, current_app.config["HANDOVER_OPENS_BEFORE"])
    return som_instant(day, zone) - rest


def _reminders(som_date: date, zone: str, opening_day: date) -> list[str]:
    return reminder_plan(default_items(som_date, opening_day), zone)


def _schedule_data(handover: Handover) -> dict:
    return {"opens_at": handover.opens_at.isoformat(), "som_at": handover.som_at.isoformat(),
            "incoming_partner_code": handover.incoming_partner_code,
            "checklist_reminders": _reminders(handover.som_date, handover.som_timezone,
                                              handover.opens_at.astimezone(_zone(handover)).date())}


def _zone(handover: Handover):
    from zoneinfo import ZoneInfo

    return ZoneInfo(handover.som_timezone)


def _new_handover(presidency: Presidency, **values) -> Handover:
    """A handover row for `presidency`'s term, or `Conflict` when the term already has one."""
    now = clock.now()
    handover = Handover(presidency_id=presidency.id, outgoing_partner_code=presidency.partner_code,
                        created_at=now, updated_at=now, **values)
    db.session.add(handover)
    try:
        db.session.flush()  # two at once: the unique term decides, and the loser is told clearly
    except IntegrityError:
        raise Conflict(gettext("A handover of this Presidency's term already exists.")) from None
    return handover


def schedule(presidency: Presidency, actor) -> Handover | None:
    """Schedule (or move) the automatic opening of the handover of `presidency`'s term, from its
    recorded end (inside the caller's unit of work). None when there is nothing to schedule."""
    if presidency.term_end is None or presidency.end is not None:
        return None
    handover = db.session.scalar(select(Handover).where(Handover.presidency_id == presidency.id))
    zone = partner_timezone(presidency.partner) or DEFAULT_TIMEZONE
    if handover is None:
        som_at = som_instant(presidency.term_end, zone)
        handover = _new_handover(presidency, som_date=presidency.term_end, som_timezone=zone, som_at=som_at,
                                 status="scheduled", opens_at=opening_instant(presidency.term_end, zone))
        case = cases.begin_case(PROCESS_ID, {"handover_id": handover.id, "opened": False, "incoming_partner_code": None,
                                             "outgoing_partner_code": handover.outgoing_partner_code,
                                             "checklist_reminder_index": 0, **_schedule_data(handover)}, actor)
        handover.case_id = case.id
        return handover
    if handover.status == "scheduled" and handover.som_date != presidency.term_end:
        _move_scheduled(handover, presidency.term_end, handover.som_timezone, actor)
    return handover


def _move_scheduled(handover: Handover, som_date: date, zone: str, actor) -> None:
    handover.som_date, handover.som_timezone = som_date, zone
    handover.som_at = som_instant(som_date, zone)
    handover.opens_at = opening_instant(som_date, zone)
    touch(handover)
    cases.send_message(db.session.get(Case, handover.case_id), "handover_reschedule", _schedule_data(handover), actor)


@use_case
def schedule_current_term() -> str:
    """`setup`: schedule the current term's handover from its recorded end; says what it did."""
    current = reference.current_presidency()
    if current is None:
        return "Presidency handover: no current Presidency recorded."
    handover = schedule(current, "setup")
    if handover is None:
        return f"Presidency handover: no end recorded for the {current.partner_code} term; the Secretariat opens it."
    if handover.status == "scheduled":
        return (f"Presidency handover no. {handover.id} of the {current.partner_code} term opens by itself on "
                f"{handover.opens_at:%Y-%m-%d %H:%M} UTC.")
    return f"Presidency handover no. {handover.id} of the {current.partner_code} term: {handover.status}."


@use_case
def record_term_end(data: dict, actor: Contact) -> Presidency:
    """The announced end of the current term; its handover is scheduled (or moved) from it."""
    require_secretariat(actor)
    current = reference.current_presidency()
    if current is None:
        raise Conflict(gettext("No Presidency is recorded as current."))
    handover = db.session.scalar(select(Handover).where(Handover.presidency_id == current.id))
    if handover is not None and handover.status != "scheduled":
        raise Conflict(gettext("The handover of this term is open (no. %(number)s): change the SOM's date on it.",
                               number=handover.id))
    current.term_end = data["term_end"]
    schedule(current, actor)
    return current


def _outgoing_differs(incoming: str | None, outgoing: str) -> None:
    if incoming and incoming == outgoing:
        name = reference_name(outgoing)
        message = gettext("The incoming Presidency must be another partner than the outgoing one (%(name)s).", name=name)
        raise InvalidInput(message, {"incoming": [message]})


def reference_name(code: str) -> str:
    from service.i18n import localized

    return localized(db.session.get(Partner, code))


def _minimum() -> timedelta:
    return clock.duration(current_app.config["SILENT_PROCEDURE_MIN_DURATION"])


def _checked_som(som_date: date, zone: str) -> datetime:
    try:
        return som_checks(som_date, zone, _minimum())
    except ValidationError as error:
        raise InvalidInput(gettext("The SOM's date cannot be used."), error.messages) from None


def _titles(handover: Handover, data: dict) -> None:
    for language in ("en", "fr"):
        key = f"incoming_title_{language}"
        if key in data:
            setattr(handover, key, data[key].strip() or None)


@use_case
def open_handover(data: dict, actor: Contact) -> Handover:
    """The Secretariat opens the handover of the current term (parsed `OpenForm` values): a
    scheduled one opens now, with these details; a term without one gets one."""
    require_secretariat(actor)
    current = reference.current_presidency()
    if current is None:
        raise Conflict(gettext("No Presidency is recorded as current."))
    _outgoing_differs(data["incoming"], current.partner_code)
    som_at = data.get("som_at") or _checked_som(data["som_date"], data["som_timezone"])
    existing = db.session.scalar(select(Handover).where(Handover.presidency_id == current.id))
    if existing is not None and existing.status != "scheduled":
        raise Conflict(gettext("The handover of this term is already open (no. %(number)s): change it rather than "
                               "open another.", number=existing.id))
    details = {"incoming_partner_code": data["incoming"], "som_date": data["som_date"], "som_place": data["som_place"],
               "som_timezone": data["som_timezone"], "som_at": som_at}
    if existing is not None:
        handover = existing
        for name, value in details.items():
            setattr(handover, name, value)
        handover.incoming = db.session.get(Partner, data["incoming"])
        _titles(handover, data)
        handover.opened_by_id = actor.id
        touch(handover)
        cases.send_message(db.session.get(Case, handover.case_id), "handover_open", {
            "incoming_partner_code": handover.incoming_partner_code, "som_at": som_at.isoformat(),
            "checklist_reminders": _reminders(handover.som_date, handover.som_timezone, clock.now().date())}, actor)
        return handover
    handover = _new_handover(current, status="scheduled", opened_by_id=actor.id, **details)
    _titles(handover, data)
    case = cases.begin_case(PROCESS_ID, {
        "handover_id": handover.id, "opened": True, "opens_at": clock.now().isoformat(), "som_at": som_at.isoformat(),
        "outgoing_partner_code": handover.outgoing_partner_code,
        "incoming_partner_code": handover.incoming_partner_code, "checklist_reminder_index": 0,
        "checklist_reminders": _reminders(handover.som_date, handover.som_timezone, clock.now().date())}, actor)
    handover.case_id = case.id
    return handover


@use_case
def update_details(handover_id: int, data: dict, actor: Contact) -> Handover:
    """Name the incoming Presidency, move the SOM, rename: before the Presidency passes."""
    require_secretariat(actor)
    handover = get(handover_id, actor)
    if handover.status not in ("scheduled", "open"):
        raise Conflict(gettext("The Presidency has passed: the handover's details are kept as they were."))
    was_named = handover.incoming_partner_code is not None
    incoming_changed = "incoming" in data and data["incoming"] != handover.incoming_partner_code
    if incoming_changed:
        _outgoing_differs(data["incoming"], handover.outgoing_partner_code)
        programme = db.session.scalar(select(Programme).where(Programme.handover_id == handover.id))
        if programme is not None and programme.status != "draft":
            raise Conflict(gettext("The incoming Presidency has submitted its programme: it can no longer be changed."))
        handover.incoming = db.session.get(Partner, data["incoming"])
        if programme is not None:
            programme.partner_code = data["incoming"]
        # The programme's task belongs to the incoming Presidency's focal points.
        db.session.execute(update(CaseTask).where(CaseTask.case_id == handover.case_id,
                                                  CaseTask.bpmn_id == "submit_programme")
                           .values(partner_code=data["incoming"]).execution_options(synchronize_session=False))
    som_date = data.get("som_date", handover.som_date)
    zone = data.get("som_timezone", handover.som_timezone)
    som_moved = (som_date, zone) != (handover.som_date, handover.som_timezone)
    moved_by = som_date - handover.som_date
    if som_moved:
        som_at = _checked_som(som_date, zone)
        handover.som_date, handover.som_timezone, handover.som_at = som_date, zone, som_at
    if "som_place" in data:
        handover.som_place = data["som_place"]
    _titles(handover, data)
    touch(handover)
    if handover.status == "scheduled":
        if som_moved:  # the scheduled SOM is the term's end: the opening moves with it
            handover.presidency.term_end = som_date
            handover.opens_at = opening_instant(som_date, zone)
        if som_moved or incoming_changed:
            cases.send_message(db.session.get(Case, handover.case_id), "handover_reschedule",
                               _schedule_data(handover), actor)
        return handover
    task = cases.open_task(handover.case_id, "name_incoming")
    if task is not None and handover.incoming_partner_code:
        cases.step_task(task, {"incoming_partner_code": handover.incoming_partner_code,
                               "som_at": handover.som_at.isoformat()}, actor)
    elif som_moved and was_named:
        cases.send_message(db.session.get(Case, handover.case_id), "handover_som_moved",
                           {"som_at": handover.som_at.isoformat()}, actor)
    if moved_by:
        follow_som(handover, moved_by, actor)
    if incoming_changed:
        invite_incoming(handover)
    return handover
