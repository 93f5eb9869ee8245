"""The silent procedure's e-mails: the launch notice with each member's links, reminders,
extensions, the outcome, and the receipt of a response. Queued in the outbox inside the step
that causes them (the `silent_procedure_notice` service-task operation, or a response)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from notifications.ics import deadline_event
from notifications.outbox import queue_email
from service import desk, links, reference, terms
from service.errors import Conflict, InvalidInput
from service.i18n import recipient_timezones
from service.extensions import db
from service.models import is_row_id
from service.models import Case, Contact
from workflows import clock

from .models import DeadlineExtension, ProcedureRecipient, ProcedureResponse, SilentProcedure
from .use_cases import local_deadline

SUBJECT = "silent_procedure"

def summary(procedure: SilentProcedure, token: str | None = None) -> dict:
    """What notices and pages show of a procedure; document links go through `token`."""
    local = local_deadline(procedure)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    documents = [{"filename": d.filename, "size": d.size, "sha256": d.sha256,
                  "url": f"{base}/act/{token}/documents/{d.id}" if token else None} for d in procedure.documents]
    return {"id": procedure.id, "documents": documents, "subject": procedure.subject, "text": procedure.text,
            "proposed_decision": procedure.proposed_decision, "text_version": procedure.text_version,
            "text_hash": procedure.text_hash, "timezone": procedure.timezone, "status": procedure.status,
            "deadline_at": procedure.deadline_at, "on_behalf_of": reference.presidency_names(procedure.presidency),
            "deadline_local": f"{local:%Y-%m-%d %H:%M}", "deadline_utc": f"{procedure.deadline_at:%Y-%m-%d %H:%M}"}


def _links(procedure: SilentProcedure, recipient: ProcedureRecipient, language: str, create: bool) -> list[dict]:
    """The recipient's action links (`token` of the first one serves document downloads)."""
    purposes = ["object", "amend", "comment", "acknowledge"] if recipient.can_break else ["comment"]
    if create:
        rows = [links.create(SUBJECT, procedure.id, recipient.contact_id, p, partner_code=recipient.partner_code)
                for p in purposes]
        db.session.flush()
    else:
        rows = links.of_contact(SUBJECT, procedure.id, recipient.contact_id)
    return [{"label": terms.LINK_PURPOSES[row.purpose], "url": links.url(row), "token": links.token(row)}
            for row in rows]


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
                             "late_reason", "reason"))


def _mail(procedure, contact: Contact, member: str, kind: str, *, links=None, ics=None, can_break=True,
          zones=None, **values):
    """One notice; `zones`: the recipients' time zones when read together (`_zones`)."""
    template = "silent_procedure_launch" if kind == "launch" else "silent_procedure_update"
    token = links[0]["token"] if links else None
    zone = zones[contact.email.lower()] if zones is not None else ...
    queue_email(template=template, to_email=contact.email, to_name=contact.name, language=contact.language,
                case_id=procedure.case_id, ics=ics, zone=zone,
                values={"procedure": summary(procedure, token), "name": contact.name or contact.email, "member": member,
                        "kind": kind, "links": links or [], "can_break": can_break, **_NO_DETAILS, **values})


def tell_member(procedure: SilentProcedure, contact: Contact, member: str, kind: str, *, late_reason=None, **values):
    """A member's contact is told its response was received (`received`) or not counted (`late`)."""
    _mail(procedure, contact, member, kind, late_reason=terms.NOT_COUNTED_REASONS.get(late_reason), **values)


def _zones(contacts) -> dict:
    """The time zones of a notice's recipients, in one query (one per e-mail made a launch or
    an outcome cost a query per member)."""
    return recipient_timezones(contact.email for contact in contacts)


def _procedure_for(case: Case, params: dict) -> SilentProcedure:
    """The procedure a step speaks of; only its own case may speak of it."""
    procedure_id = params.get("procedure_id")
    procedure = db.session.get(SilentProcedure, procedure_id) if is_row_id(procedure_id) else None
    if procedure is None:
        raise InvalidInput(f"No silent procedure {procedure_id!r} to run.")
    if procedure.case_id is None and params["kind"] == "launch" and procedure.status == "open":
        # Known from the launch notice on (a call activity launches inside its caller's case).
        procedure.case_id = case.id
    if procedure.case_id != case.id:
        raise Conflict(f"Silent procedure {procedure.id} is run by another case.")
    return procedure


def _still_active(procedure: SilentProcedure) -> list[ProcedureRecipient]:
    """The procedure's recipients whose contact is still active (deactivated ones get nothing)."""
    return list(db.session.scalars(
        select(ProcedureRecipient).join(Contact, Contact.id == ProcedureRecipient.contact_id)
        .where(ProcedureRecipient.procedure_id == procedure.id, Contact.active.is_(True))
        .order_by(ProcedureRecipient.id)))


def notice(case: Case, params: dict) -> None:
    """The `silent_procedure_notice` operation: launch, reminder, extended, or the outcome."""
    procedure = _procedure_for(case, params)
    kind = params["kind"]
    now = clock.now()
    # At launch, the recipients were just chosen among active contacts; later notices skip
    # those deactivated since.
    recipients = list(procedure.recipients) if kind == "launch" else _still_active(procedure)
    if kind == "launch":
        addressed = len({r.partner_code for r in recipients if r.can_break})
        desk.note(case.id, SUBJECT, procedure.id, title=procedure.subject, status="open",
                  path=f"/silent-procedures/{procedure.id}", deadline_at=procedure.deadline_at,
                  deadline_timezone=procedure.timezone, waiting_on="committee-member",
                  addressed=addressed, not_answered=addressed)
        zones = _zones(r.contact for r in recipients)
        for r in recipients:
            _mail(procedure, r.contact, r.partner_code, "launch", can_break=r.can_break, zones=zones,
                  ics=_ics(procedure, r.contact.language),
                  links=_links(procedure, r, r.contact.language, create=True))
        return
    if kind == "reminder":
        if now >= procedure.deadline_at:
            return  # the scheduler was late: no reminder after the deadline
        responded = set(db.session.scalars(select(ProcedureResponse.partner_code).where(
            ProcedureResponse.procedure_id == procedure.id, ProcedureResponse.counted.is_(True))))
        zones = _zones(r.contact for r in recipients)
        for r in recipients:
            if r.can_break and r.partner_code not in responded:
                _mail(procedure, r.contact, r.partner_code, "reminder", zones=zones,
                      links=_links(procedure, r, r.contact.language, create=False))
        return
    if kind == "extended":
        desk.update(case.id, SUBJECT, deadline_at=procedure.deadline_at, deadline_timezone=procedure.timezone)
        reason = db.session.scalar(select(DeadlineExtension.reason).where(
            DeadlineExtension.procedure_id == procedure.id).order_by(DeadlineExtension.id.desc()).limit(1))
        zones = _zones(r.contact for r in recipients)
        for r in recipients:
            _mail(procedure, r.contact, r.partner_code, "extended", ics=_ics(procedure, r.contact.language), zones=zones,
                  links=_links(procedure, r, r.contact.language, create=False), reason=reason)
        return
    # The procedure ends: withdrawn, adopted or silence broken.
    outcome = params["outcome"]
    procedure.status, procedure.closed_at = outcome, now
    links.revoke_all(SUBJECT, procedure.id)
    desk.update(case.id, SUBJECT, status=outcome, open=False, waiting_on=None)
    breaker = db.session.scalar(select(ProcedureResponse).where(
        ProcedureResponse.procedure_id == procedure.id, ProcedureResponse.counted.is_(True),
        ProcedureResponse.kind.in_(("objection", "amendment"))).order_by(ProcedureResponse.received_at))
    extra = {"breaker": breaker.partner_code if breaker else None,
             "breaking_kind": breaker.kind if breaker else None,
             "reason": procedure.withdrawal_reason if outcome == "withdrawn" else None}
    told = set()
    audience = [(r.contact, r.partner_code) for r in recipients]
    if procedure.launched_by is not None and procedure.launched_by.active:
        audience.append((procedure.launched_by, procedure.launched_by.partner_code or "Secretariat"))
    zones = _zones(contact for contact, _ in audience)
    for contact, member in audience:
        if contact.id in told:
            continue
        told.add(contact.id)
        _mail(procedure, contact, member, outcome, zones=zones,
              ics=_ics(procedure, contact.language, cancelled=True) if outcome == "withdrawn" else None, **extra)
