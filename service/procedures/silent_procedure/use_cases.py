"""Silent procedures of the Steering Committee: launch, extend, withdraw, relaunch.

The BPMN process (`workflows/bpmn/silent_procedure.bpmn`) holds the deadline, the reminders
and the outcome; this package holds the procedure's own rows (text, recipients, links,
responses) and writes them in the same unit of work as the step they cause.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from service import cases, reference, terms
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.extensions import db
from service.models import Case, CommitteeMember, Contact, ContactRole, Partner
from service.unit_of_work import use_case
from workflows import clock

from .models import DeadlineExtension, ProcedureDocument, ProcedureRecipient, SilentProcedure

PROCESS_ID = "silent_procedure"
OFFICE_ROLES = ("secretariat",)
READ_ROLES = ("secretariat", "presidency")


def _require(actor: Contact, roles) -> None:
    if not actor.has_role(*roles):
        raise Forbidden(gettext("Only the Secretariat may do this."))


def text_hash(text: str, documents: list[dict] = ()) -> str:
    """The version's fingerprint: the text and every attached document (name and content)."""
    digest = hashlib.sha256(text.encode("utf-8"))
    for document in documents:
        digest.update(b"\0" + document["filename"].encode("utf-8") + b"\0" + hashlib.sha256(document["content"]).digest())
    return digest.hexdigest()


def local_deadline(procedure: SilentProcedure) -> datetime:
    return procedure.deadline_at.astimezone(ZoneInfo(procedure.timezone))


def reminder_times(deadline: datetime) -> list[str]:
    """The configured reminders before `deadline` that are still ahead, earliest first."""
    now = clock.now()
    offsets = [o for o in current_app.config["SILENT_PROCEDURE_REMINDERS"].split(",") if o.strip()]
    times = sorted({deadline - clock.duration(o, deadline) for o in offsets})
    return [t.isoformat() for t in times if now < t < deadline]


def process_data(procedure: SilentProcedure) -> dict:
    """The data the `silent_procedure` process starts with."""
    reminders = reminder_times(procedure.deadline_at)
    return {
        "procedure_id": procedure.id,
        "deadline": procedure.deadline_at.isoformat(),
        "reminders": reminders,
        "reminder_index": 0,
        "next_reminder": reminders[0] if reminders else procedure.deadline_at.isoformat(),
    }


def _address(procedure: SilentProcedure) -> None:
    """Recipients: committee members' contacts (may break silence), observers' (informed).
    A member of several of the committees is addressed once, under each of them."""
    members: dict[str, list[str]] = {}
    for partner_code, committee_code in db.session.execute(
            select(CommitteeMember.partner_code, CommitteeMember.committee_code)
            .where(CommitteeMember.committee_code.in_(procedure.committees))
            .order_by(CommitteeMember.committee_code)):
        members.setdefault(partner_code, []).append(committee_code)
    contacts = db.session.execute(
        select(Contact, Partner)
        .join(ContactRole, ContactRole.contact_id == Contact.id)
        .join(Partner, Partner.code == Contact.partner_code)
        .where(ContactRole.role == "committee-member", Contact.active.is_(True))
        .where((Contact.partner_code.in_(members)) | (Partner.status == "observer"))
        .order_by(Contact.partner_code, Contact.email)
    ).all()
    for contact, partner in contacts:
        db.session.add(ProcedureRecipient(procedure=procedure, contact_id=contact.id, partner_code=partner.code,
                                          can_break=partner.code in members and partner.status == "partner",
                                          committees=members.get(partner.code, [])))
    if not any(partner.code in members for _, partner in contacts):
        message = gettext("No member of these committees has a contact to write to.")
        raise InvalidInput(message, {"committees": [message]})


def _known_committees(codes) -> None:
    unknown = sorted(set(codes) - reference.committee_codes())
    if unknown:
        message = gettext("Unknown committee: %(codes)s.", codes=", ".join(unknown))
        raise InvalidInput(message, {"committees": [message]})


@use_case
def launch(data: dict, actor: Contact, relaunch_of: SilentProcedure | None = None) -> SilentProcedure:
    """Launch a procedure from parsed launch data (`forms.silent_procedure.LaunchForm`)."""
    procedure = prepare(data, actor, relaunch_of)
    case = cases.begin_case(PROCESS_ID, process_data(procedure), actor)
    procedure.case_id = case.id
    return procedure


def prepare(data: dict, actor: Contact, relaunch_of: SilentProcedure | None = None) -> SilentProcedure:
    """The procedure's rows, inside the caller's unit of work. A process that calls
    `silent_procedure` as a call activity starts with `process_data(procedure)` in its data."""
    _require(actor, OFFICE_ROLES)
    _known_committees(data["committees"])
    now = clock.now()
    documents = data.get("documents") or []
    procedure = SilentProcedure(
        subject=data["subject"], text=data["text"], text_hash=text_hash(data["text"], documents),
        text_version=(relaunch_of.text_version + 1) if relaunch_of else 1,
        proposed_decision=data["proposed_decision"], deadline_at=data["deadline_utc"], timezone=data["timezone"],
        committees=sorted(set(data["committees"])), status="open", launched_by_id=actor.id, launched_at=now,
        relaunch_of_id=relaunch_of.id if relaunch_of else None, deadline_sequence=0,
        presidency=reference.current_presidency(),
    )
    db.session.add(procedure)
    for document in documents:
        procedure.documents.append(ProcedureDocument(
            filename=document["filename"], content_type=document["content_type"],
            size=len(document["content"]), sha256=hashlib.sha256(document["content"]).hexdigest(),
            content=document["content"], uploaded_at=now))
    _address(procedure)
    db.session.flush()
    return procedure


def get(procedure_id: int, actor: Contact) -> SilentProcedure:
    procedure = db.session.get(SilentProcedure, procedure_id)
    if procedure is None or not actor.has_role(*READ_ROLES):
        raise NotFound(gettext("No silent procedure %(number)s.", number=procedure_id))
    return procedure


def visible_page(actor: Contact, *, status: str | None = None, before_id: int | None = None,
                 limit: int = 50) -> list[SilentProcedure]:
    """`limit` procedures with an id below `before_id`, newest first, by status, for those who may read them."""
    if not actor.has_role(*READ_ROLES):
        raise Forbidden(gettext("Only the Secretariat and the Presidency may list silent procedures."))
    query = select(SilentProcedure).order_by(SilentProcedure.id.desc())
    if status:
        query = query.where(SilentProcedure.status == status)
    if before_id is not None:
        query = query.where(SilentProcedure.id < before_id)
    return list(db.session.scalars(query.limit(limit)))


def _open_procedure(procedure_id: int, actor: Contact) -> SilentProcedure:
    _require(actor, OFFICE_ROLES)
    procedure = get(procedure_id, actor)
    if procedure.status != "open":
        raise Conflict(gettext("This procedure is already closed (%(status)s).",
                               status=terms.SILENT_PROCEDURE_STATUSES.get(procedure.status, procedure.status)))
    if clock.now() >= procedure.deadline_at:
        raise Conflict(gettext("The deadline has passed: the procedure can no longer be changed."))
    return procedure


def may_extend(procedure_id: int, data: dict, actor: Contact) -> SilentProcedure:
    """The procedure, if `actor` may extend it as `data` says; else the refusal (the page asks
    before it confirms)."""
    procedure = _open_procedure(procedure_id, actor)
    if data["deadline_utc"] <= procedure.deadline_at:
        message = gettext("The new deadline must be later than the current one.")
        raise InvalidInput(message, {"deadline": [message]})
    return procedure


def may_withdraw(procedure_id: int, data: dict, actor: Contact) -> SilentProcedure:
    """The procedure, if `actor` may withdraw it; else the refusal."""
    return _open_procedure(procedure_id, actor)


@use_case
def extend(procedure_id: int, data: dict, actor: Contact) -> SilentProcedure:
    """Move the deadline later, before it passes; everyone is told why, reminders re-planned."""
    procedure = may_extend(procedure_id, data, actor)
    new_deadline = data["deadline_utc"]
    db.session.add(DeadlineExtension(procedure_id=procedure.id, previous_deadline_at=procedure.deadline_at,
                                     new_deadline_at=new_deadline, timezone=data["timezone"],
                                     extended_at=clock.now(), extended_by_id=actor.id, reason=data["reason"]))
    procedure.deadline_at, procedure.timezone = new_deadline, data["timezone"]
    procedure.deadline_sequence += 1
    db.session.flush()  # the notice the step queues reads the extension and its reason
    cases.send_message(db.session.get(Case, procedure.case_id), "extend", {
        "deadline": new_deadline.isoformat(), "reminders": reminder_times(new_deadline),
        "reason": data["reason"]}, actor)
    return procedure


@use_case
def withdraw(procedure_id: int, data: dict, actor: Contact) -> SilentProcedure:
    """Withdraw before the deadline, for the reason given (`forms.silent_procedure.WithdrawForm`)."""
    procedure = may_withdraw(procedure_id, data, actor)
    procedure.withdrawal_reason = data["reason"]
    cases.send_message(db.session.get(Case, procedure.case_id), "withdraw",
                       {"by": actor.email, "reason": data["reason"]}, actor)
    return procedure


@use_case
def relaunch(procedure_id: int, data: dict, actor: Contact) -> SilentProcedure:
    """After silence was broken: a new procedure with a new text version, linked to this one."""
    _require(actor, OFFICE_ROLES)
    previous = get(procedure_id, actor)
    if previous.status != "silence_broken":
        raise Conflict(gettext("Only a procedure whose silence was broken can be relaunched."))
    later = db.session.scalar(select(SilentProcedure.id).where(SilentProcedure.relaunch_of_id == previous.id))
    if later is not None:
        raise Conflict(gettext("This procedure was already relaunched as silent procedure no. %(number)s.",
                               number=later))
    documents = data.get("documents") or [
        {"filename": d.filename, "content_type": d.content_type, "content": d.content} for d in previous.documents]
    launch_data = {"subject": previous.subject, "text": data["text"], "documents": documents,
                   "proposed_decision": data.get("proposed_decision") or previous.proposed_decision,
                   "deadline_utc": data["deadline_utc"], "timezone": data["timezone"],
                   "committees": previous.committees}
    return launch(launch_data, actor, relaunch_of=previous)
