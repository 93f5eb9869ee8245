"""Silent procedures of the Steering Committee: launch, respond, extend, withdraw, relaunch.

The BPMN process (`workflows/bpmn/silent_procedure.bpmn`) holds the deadline, the reminders
and the outcome; this module holds the procedure's own rows (text, recipients, links,
responses) and writes them in the same transaction as the step it causes.

Receipt time decides: a response counts only if the server receives it strictly before the
deadline while the procedure is open. An objection and the deadline "at the same instant" are
settled by which commits first: the timer can only fire after the deadline, and a response
whose transaction loses that race is tried again with a new receipt time, so the outcome and
the recorded receipt times always agree.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

import forms
from forms.silent_procedure import PURPOSES
from notifications.ics import deadline_event
from notifications.outbox import queue_email
from workflows import clock

from . import action_links, cases, effects, terms
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .extensions import db
from .models import (
    ActionLink,
    Case,
    CommitteeMember,
    Contact,
    ContactRole,
    DeadlineExtension,
    Partner,
    ProcedureDocument,
    ProcedureRecipient,
    ProcedureResponse,
    SilentProcedure,
)

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
    """Recipients: committee members' contacts (may break silence), observers' (informed)."""
    members = set(db.session.scalars(
        select(CommitteeMember.partner_code).where(CommitteeMember.committee_code.in_(procedure.committees))))
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
                                          can_break=partner.code in members and partner.status == "partner"))
    if not any(partner.code in members for _, partner in contacts):
        message = gettext("No member of these committees has a contact to write to.")
        raise InvalidInput(message, {"committees": [message]})


@cases.use_case
def launch(data: dict, actor: Contact, relaunch_of: SilentProcedure | None = None) -> SilentProcedure:
    """Launch a procedure from validated launch data (`forms.silent_procedure.LaunchForm`)."""
    procedure = prepare(data, actor, relaunch_of)
    case, workflow = cases.begin_case(PROCESS_ID, process_data(procedure), actor)
    procedure.case_id = case.id
    cases.commit(case, workflow)
    return procedure


def prepare(data: dict, actor: Contact, relaunch_of: SilentProcedure | None = None) -> SilentProcedure:
    """The procedure's rows (not committed). A process that calls `silent_procedure` as a call
    activity starts with `process_data(procedure)` in its data."""
    _require(actor, OFFICE_ROLES)
    now = clock.now()
    documents = data.get("documents") or []
    procedure = SilentProcedure(
        subject=data["subject"], text=data["text"], text_hash=text_hash(data["text"], documents),
        text_version=(relaunch_of.text_version + 1) if relaunch_of else 1,
        proposed_decision=data["proposed_decision"], deadline_at=data["deadline_utc"], timezone=data["timezone"],
        committees=sorted(set(data["committees"])), status="open", launched_by_id=actor.id, launched_at=now,
        relaunch_of_id=relaunch_of.id if relaunch_of else None, deadline_sequence=0,
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


def _open_procedure(procedure_id: int, actor: Contact) -> SilentProcedure:
    _require(actor, OFFICE_ROLES)
    procedure = get(procedure_id, actor)
    if procedure.status != "open":
        raise Conflict(gettext("This procedure is already closed (%(status)s).",
                               status=terms.SILENT_PROCEDURE_STATUSES.get(procedure.status, procedure.status)))
    if clock.now() >= procedure.deadline_at:
        raise Conflict(gettext("The deadline has passed: the procedure can no longer be changed."))
    return procedure


@cases.use_case
def extend(procedure_id: int, data: dict, actor: Contact) -> SilentProcedure:
    """Move the deadline later, before it passes; everyone is told, reminders re-planned."""
    procedure = _open_procedure(procedure_id, actor)
    new_deadline = data["deadline_utc"]
    if new_deadline <= procedure.deadline_at:
        message = gettext("The new deadline must be later than the current one.")
        raise InvalidInput(message, {"deadline": [message]})
    db.session.add(DeadlineExtension(procedure_id=procedure.id, previous_deadline_at=procedure.deadline_at,
                                     new_deadline_at=new_deadline, timezone=data["timezone"],
                                     extended_at=clock.now(), extended_by_id=actor.id))
    procedure.deadline_at, procedure.timezone = new_deadline, data["timezone"]
    procedure.deadline_sequence += 1
    case = db.session.get(Case, procedure.case_id)
    workflow = cases.send_message(case, "extend", {"deadline": new_deadline.isoformat(),
                                                   "reminders": reminder_times(new_deadline)}, actor)
    cases.commit(case, workflow)
    return procedure


@cases.use_case
def withdraw(procedure_id: int, actor: Contact) -> SilentProcedure:
    procedure = _open_procedure(procedure_id, actor)
    case = db.session.get(Case, procedure.case_id)
    workflow = cases.send_message(case, "withdraw", {"by": actor.email}, actor)
    cases.commit(case, workflow)
    return procedure


def relaunch(procedure_id: int, data: dict, actor: Contact) -> SilentProcedure:
    """After silence was broken: a new procedure with a new text version, linked to this one."""
    _require(actor, OFFICE_ROLES)
    previous = get(procedure_id, actor)
    if previous.status != "silence_broken":
        raise Conflict(gettext("Only a procedure whose silence was broken can be relaunched."))
    documents = data.get("documents") or [
        {"filename": d.filename, "content_type": d.content_type, "content": d.content} for d in previous.documents]
    launch_data = {"subject": previous.subject, "text": data["text"], "documents": documents,
                   "proposed_decision": data.get("proposed_decision") or previous.proposed_decision,
                   "deadline_utc": data["deadline_utc"], "timezone": data["timezone"],
                   "committees": previous.committees}
    return launch(launch_data, actor, relaunch_of=previous)


# Responses from e-mail links ------------------------------------------------------------

@dataclass(frozen=True)
class Receipt:
    """What happened to a response: `counted`, or why not."""

    counted: bool
    kind: str
    received_at: datetime
    reason: str | None = None  # after_deadline, closed, already_used, already_recorded


def link_state(link: ActionLink) -> str | None:
    """Why a link cannot be used now (None if it can)."""
    procedure = link.procedure
    if procedure.status != "open":
        return "closed"
    if clock.now() >= procedure.deadline_at:
        return "after_deadline"
    if link.revoked_at is not None:
        return "closed"
    if PURPOSES[link.purpose][3] and link.used_at is not None:
        return "already_used"
    return None


def respond(token: str, data: dict) -> Receipt:
    """A member's response through an action link (retried with a new receipt time if it
    loses a race with another change of the procedure)."""
    link = action_links.resolve(token)
    form_key = PURPOSES[link.purpose][1]
    try:
        values = forms.validate(form_key, data)
    except forms.ValidationError as error:
        raise InvalidInput(gettext("The response is not complete."), error.messages) from None
    return cases.with_retries(lambda: _respond(link.id, values))


@cases.use_case
def _respond(link_id: int, values: dict) -> Receipt:
    link = db.session.get(ActionLink, link_id)
    procedure = link.procedure
    kind, _, field, breaks = PURPOSES[link.purpose]
    text = values.get(field, "") if field else ""
    now = clock.now()
    state = link_state(link)
    if state == "already_used":
        db.session.rollback()
        return Receipt(False, kind, now, "already_used")
    if kind == "acknowledgement" and state is None and db.session.scalar(
            select(ProcedureResponse.id).where(ProcedureResponse.procedure_id == procedure.id,
                                               ProcedureResponse.contact_id == link.contact_id,
                                               ProcedureResponse.kind == "acknowledgement",
                                               ProcedureResponse.counted.is_(True))):
        db.session.rollback()
        return Receipt(True, kind, now, "already_recorded")
    counted = state is None
    db.session.add(ProcedureResponse(procedure_id=procedure.id, contact_id=link.contact_id,
                                     partner_code=link.partner_code, kind=kind, text=text, received_at=now,
                                     counted=counted, not_counted_reason=state))
    contact = link.contact
    values_for_mail = {"response_kind": kind, "response_text": text, "received_at": f"{now:%Y-%m-%d %H:%M:%S}",
                       "late_reason": terms.NOT_COUNTED_REASONS.get(state)}
    _mail(procedure, contact, link.partner_code, "received" if counted else "late", **values_for_mail)
    case = db.session.get(Case, procedure.case_id)
    if counted and breaks:
        link.used_at = now
        workflow = cases.send_message(case, "silence_broken", {
            "kind": kind, "member": link.partner_code, "contact": contact.email, "text": text,
            "received_at": now.isoformat()}, contact)
        cases.commit(case, workflow)
    else:
        cases.commit()
    return Receipt(counted, kind, now, state)


# Notices, applied from the BPMN's service tasks ----------------------------------------

def summary(procedure: SilentProcedure, token: str | None = None) -> dict:
    """What notices and pages show of a procedure; document links go through `token`."""
    local = local_deadline(procedure)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    documents = [{"filename": d.filename, "size": d.size, "sha256": d.sha256,
                  "url": f"{base}/act/{token}/documents/{d.id}" if token else None} for d in procedure.documents]
    return {"id": procedure.id, "documents": documents, "subject": procedure.subject, "text": procedure.text,
            "proposed_decision": procedure.proposed_decision, "text_version": procedure.text_version,
            "text_hash": procedure.text_hash, "timezone": procedure.timezone, "deadline_at": procedure.deadline_at,
            "deadline_local": f"{local:%Y-%m-%d %H:%M}", "deadline_utc": f"{procedure.deadline_at:%Y-%m-%d %H:%M}"}


def _links(procedure: SilentProcedure, recipient: ProcedureRecipient, language: str, create: bool) -> list[dict]:
    """The recipient's action links (`token` of the first one serves document downloads)."""
    purposes = ["object", "amend", "comment", "acknowledge"] if recipient.can_break else ["comment"]
    rows = []
    if create:
        rows = [action_links.create(procedure.id, recipient.contact_id, recipient.partner_code, p) for p in purposes]
        db.session.flush()
    else:
        rows = db.session.scalars(select(ActionLink).where(
            ActionLink.procedure_id == procedure.id, ActionLink.contact_id == recipient.contact_id,
            ActionLink.revoked_at.is_(None)).order_by(ActionLink.id)).all()
    return [{"label": terms.LINK_PURPOSES[row.purpose], "url": action_links.url(row),
             "token": action_links.token(row)} for row in rows]


def _ics(procedure: SilentProcedure, language: str, cancelled: bool = False) -> str:
    domain = current_app.config["MAIL_MESSAGE_ID_DOMAIN"]
    with force_locale(language):
        title = gettext("Silent procedure deadline: %(subject)s", subject=procedure.subject)
    return deadline_event(uid=f"silent-procedure-{procedure.id}@{domain}", sequence=procedure.deadline_sequence,
                          summary=title,
                          description=procedure.proposed_decision, deadline=procedure.deadline_at,
                          stamp=clock.now(), cancelled=cancelled)


# What an update notice may mention; each kind fills what concerns it.
_NO_DETAILS = dict.fromkeys(("breaker", "breaking_kind", "response_kind", "response_text", "received_at",
                             "late_reason"))


def _mail(procedure, contact: Contact, member: str, kind: str, *, links=None, ics=None, can_break=True, **values):
    template = "silent_procedure_launch" if kind == "launch" else "silent_procedure_update"
    token = links[0]["token"] if links else None
    queue_email(template=template, to_email=contact.email, to_name=contact.name, language=contact.language,
                case_id=procedure.case_id, ics=ics,
                values={"procedure": summary(procedure, token), "name": contact.name or contact.email, "member": member,
                        "kind": kind, "links": links or [], "can_break": can_break, **_NO_DETAILS, **values})


@effects.operation("silent_procedure_notice")
def notice(case: Case, params: dict) -> None:
    procedure = db.session.get(SilentProcedure, params["procedure_id"])
    procedure.case_id = case.id  # known from the first notice on (the launch runs inside the case's start)
    kind = params["kind"]
    now = clock.now()
    recipients = list(procedure.recipients)
    if kind == "launch":
        for r in recipients:
            _mail(procedure, r.contact, r.partner_code, "launch", can_break=r.can_break,
                  ics=_ics(procedure, r.contact.language),
                  links=_links(procedure, r, r.contact.language, create=True))
        return
    if kind == "reminder":
        if now >= procedure.deadline_at:
            return  # the scheduler was late: no reminder after the deadline
        responded = set(db.session.scalars(select(ProcedureResponse.partner_code).where(
            ProcedureResponse.procedure_id == procedure.id, ProcedureResponse.counted.is_(True))))
        for r in recipients:
            if r.can_break and r.partner_code not in responded:
                _mail(procedure, r.contact, r.partner_code, "reminder",
                      links=_links(procedure, r, r.contact.language, create=False))
        return
    if kind == "extended":
        for r in recipients:
            _mail(procedure, r.contact, r.partner_code, "extended", ics=_ics(procedure, r.contact.language),
                  links=_links(procedure, r, r.contact.language, create=False))
        return
    # The procedure ends: withdrawn, adopted or silence broken.
    outcome = params["outcome"]
    procedure.status, procedure.closed_at = outcome, now
    db.session.execute(update(ActionLink).where(ActionLink.procedure_id == procedure.id,
                                                ActionLink.revoked_at.is_(None)).values(revoked_at=now)
                       .execution_options(synchronize_session=False))
    breaker = db.session.scalar(select(ProcedureResponse).where(
        ProcedureResponse.procedure_id == procedure.id, ProcedureResponse.counted.is_(True),
        ProcedureResponse.kind.in_(("objection", "amendment"))).order_by(ProcedureResponse.received_at))
    extra = {"breaker": breaker.partner_code if breaker else None,
             "breaking_kind": breaker.kind if breaker else None}
    told = set()
    audience = [(r.contact, r.partner_code) for r in recipients]
    if procedure.launched_by is not None:
        audience.append((procedure.launched_by, procedure.launched_by.partner_code or "Secretariat"))
    for contact, member in audience:
        if contact.id in told:
            continue
        told.add(contact.id)
        _mail(procedure, contact, member, outcome,
              ics=_ics(procedure, contact.language, cancelled=True) if outcome == "withdrawn" else None,
              **extra)


# The record -------------------------------------------------------------------------------

def record(procedure: SilentProcedure) -> dict:
    """Everything that happened, for printing and export."""
    from notifications.models import OutboxMessage

    def iso(value):
        return value.isoformat() if value else None

    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == procedure.case_id)
                               .order_by(OutboxMessage.id)).all() if procedure.case_id else []
    responses = db.session.scalars(select(ProcedureResponse).where(ProcedureResponse.procedure_id == procedure.id)
                                   .order_by(ProcedureResponse.received_at, ProcedureResponse.id)).all()
    extensions = db.session.scalars(select(DeadlineExtension).where(DeadlineExtension.procedure_id == procedure.id)
                                    .order_by(DeadlineExtension.id)).all()
    return {
        "id": procedure.id,
        "subject": procedure.subject,
        "status": procedure.status,
        "text": procedure.text,
        "text_version": procedure.text_version,
        "text_hash": procedure.text_hash,
        "proposed_decision": procedure.proposed_decision,
        "committees": procedure.committees,
        "documents": [{"filename": d.filename, "content_type": d.content_type, "size": d.size, "sha256": d.sha256}
                      for d in procedure.documents],
        "deadline": iso(procedure.deadline_at),
        "deadline_local": local_deadline(procedure).isoformat(),
        "timezone": procedure.timezone,
        "launched_at": iso(procedure.launched_at),
        "launched_by": procedure.launched_by.email if procedure.launched_by else None,
        "closed_at": iso(procedure.closed_at),
        "relaunch_of": procedure.relaunch_of_id,
        "members_addressed": [{"member": r.partner_code, "contact": r.contact.email, "can_break_silence": r.can_break}
                              for r in procedure.recipients],
        "emails": [{"queued_at": iso(m.created_at), "to": m.to_email, "subject": m.subject, "status": m.status,
                    "delivered_at": iso(m.sent_at), "attempts": m.attempts, "last_error": m.last_error,
                    "message_id": m.message_id} for m in mails],
        "responses": [{"member": r.partner_code, "contact": r.contact.email, "kind": r.kind, "text": r.text,
                       "received_at": iso(r.received_at), "counted": r.counted, "not_counted_reason": r.not_counted_reason}
                      for r in responses],
        "extensions": [{"from": iso(e.previous_deadline_at), "to": iso(e.new_deadline_at), "timezone": e.timezone,
                        "at": iso(e.extended_at)} for e in extensions],
    }
