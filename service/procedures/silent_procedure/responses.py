"""Members' responses through e-mailed action links: object, amend, comment, acknowledge.

Receipt time decides: a response counts only if the server receives it strictly before the
deadline while the procedure is open. An objection and the deadline "at the same instant" are
settled by which commits first: the timer can only fire after the deadline, and a response
whose transaction loses that race is tried again with a new receipt time, so the outcome and
the recorded receipt times always agree.

A link acts once: the first POST claims it (a conditional UPDATE) and records one response; a
replay writes nothing, sends nothing, and is told what was recorded. A member (a state or
organisation, which may have several contacts) has at most one response of each kind per
state of the procedure (counted, or not counted for one reason); comments are the exception,
one per link, and the page that thanks for a comment offers a new link for the next one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forms.silent_procedure import PURPOSES
from service import cases, desk, links
from service.errors import Conflict
from service.extensions import db
from service.models import ActionLink, Case
from service.unit_of_work import use_case, with_retries
from workflows import clock

from . import notices
from .models import ProcedureRecipient, ProcedureResponse, SilentProcedure

SUBJECT = "silent_procedure"


@dataclass(frozen=True)
class Receipt:
    """What happened to a response: `counted`, or why not; `replay` when the link had acted."""

    counted: bool
    kind: str
    received_at: datetime
    reason: str | None = None  # after_deadline, closed, already_recorded
    replay: bool = False
    next_link: ActionLink | None = None  # a new comment link, after a counted comment


def procedure_of(link: ActionLink) -> SilentProcedure:
    return db.session.get(SilentProcedure, link.subject_id)


def link_state(link: ActionLink) -> str | None:
    """Why a link cannot be counted now (None if it can): a used link first, then the
    procedure's state, then the link's own."""
    if link.used_at is not None:
        return "already_used"
    procedure = procedure_of(link)
    if procedure.status != "open":
        return "closed"
    if clock.now() >= procedure.deadline_at:
        return "after_deadline"
    if links.state(link) is not None:
        return "closed"
    return None


def respond(link_id: int, values: dict) -> Receipt:
    """A member's response (parsed by the purpose's form), tried again with a new receipt
    time if it loses a race with another change of the procedure."""
    return with_retries(_respond, link_id, values)


@use_case
def _respond(link_id: int, values: dict) -> Receipt:
    link = db.session.get(ActionLink, link_id)
    if link.used_at is not None:
        return replay(link)
    # The case row before any other (the link, the response, the desk line): every writer of
    # a procedure (a response, its timers, an extension) takes that row first, so two of them
    # wait for each other instead of locking rows in opposite orders (a deadlock on
    # PostgreSQL); and the procedure is read after the wait, as the one before left it.
    lock_case(link.subject_id)
    procedure = procedure_of(link)
    kind, _, field, breaks = PURPOSES[link.purpose]
    text = values.get(field, "") if field else ""
    now = clock.now()
    state = link_state(link)
    counted = state is None
    key = None if kind == "comment" else f"{procedure.id}/{link.partner_code}/{kind}/{state or 'counted'}"
    if key is not None and db.session.scalar(select(ProcedureResponse.id).where(ProcedureResponse.dedup_key == key)):
        links.claim(link, "already_recorded")
        return Receipt(counted, kind, now, "already_recorded")
    if not links.claim(link, "counted" if counted else f"not_counted:{state}"):
        raise Conflict(gettext("This link was used at the same moment by another request."))
    db.session.add(ProcedureResponse(procedure_id=procedure.id, contact_id=link.contact_id, link_id=link.id,
                                     dedup_key=key, partner_code=link.partner_code, kind=kind, text=text,
                                     received_at=now, counted=counted, not_counted_reason=state))
    try:
        db.session.flush()
    except IntegrityError:
        # Another contact of the same member answered the same way at the same moment.
        raise Conflict(gettext("The same response was recorded at the same moment.")) from None
    contact = link.contact
    notices.tell_member(procedure, contact, link.partner_code, "received" if counted else "late",
                        response_kind=kind, response_text=text, received_at=f"{now:%Y-%m-%d %H:%M:%S}",
                        late_reason=state)
    if counted:
        desk.update(procedure.case_id, SUBJECT, not_answered=not_answered(procedure))
    next_link = None
    if counted and breaks:
        cases.send_message(db.session.get(Case, procedure.case_id), "silence_broken", {
            "kind": kind, "member": link.partner_code, "contact": contact.email, "text": text,
            "received_at": now.isoformat()}, contact)
    elif counted and kind == "comment":
        next_link = links.create(SUBJECT, procedure.id, link.contact_id, "comment", partner_code=link.partner_code)
        db.session.flush()
    return Receipt(counted, kind, now, state, next_link=next_link)


def lock_case(procedure_id: int) -> None:
    """Take the row of the procedure's case for this transaction (PostgreSQL: `FOR UPDATE`;
    SQLite writes one transaction at a time anyway)."""
    case_id = select(SilentProcedure.case_id).where(SilentProcedure.id == procedure_id).scalar_subquery()
    db.session.execute(select(Case.id).where(Case.id == case_id).with_for_update())


def not_answered(procedure: SilentProcedure) -> int:
    """How many members that may break silence have not responded (counted) yet."""
    members = select(ProcedureRecipient.partner_code).where(
        ProcedureRecipient.procedure_id == procedure.id, ProcedureRecipient.can_break.is_(True)).distinct()
    answered = select(ProcedureResponse.partner_code).where(
        ProcedureResponse.procedure_id == procedure.id, ProcedureResponse.counted.is_(True)).distinct()
    return db.session.scalar(select(func.count()).select_from(members.except_(answered).subquery())) or 0


def replay(link: ActionLink) -> Receipt:
    """What the link did when it acted (it acts no more)."""
    kind = PURPOSES[link.purpose][0]
    response = db.session.scalar(select(ProcedureResponse).where(ProcedureResponse.link_id == link.id))
    if response is None:  # the member's response had come through another contact's link
        return Receipt(False, kind, link.used_at, link.outcome or "already_recorded", replay=True)
    return Receipt(response.counted, kind, response.received_at, response.not_counted_reason, replay=True)
