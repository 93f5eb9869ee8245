"""A procedure's unalterable record: text version, members addressed, every e-mail and
response with its time, extensions, the outcome; as a dict (page, JSON) and as CSV lines."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from notifications.models import OutboxMessage
from service.extensions import db

from .models import DeadlineExtension, ProcedureResponse, SilentProcedure
from .use_cases import local_deadline


def _iso(value):
    return value.isoformat() if value else None


def _by_committee(procedure: SilentProcedure) -> dict[str, list[str]]:
    """Each committee addressed → its members addressed (a member of two appears under both,
    though it was addressed, and counts, once)."""
    members: dict[str, list[str]] = {code: [] for code in procedure.committees}
    for recipient in procedure.recipients:
        for code in recipient.committees or []:
            if recipient.partner_code not in members.setdefault(code, []):
                members[code].append(recipient.partner_code)
    return members


def record(procedure: SilentProcedure) -> dict:
    """Everything that happened, for printing and export."""
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == procedure.case_id)
                               .order_by(OutboxMessage.id)).all() if procedure.case_id else []
    responses = db.session.scalars(select(ProcedureResponse).where(ProcedureResponse.procedure_id == procedure.id)
                                   .order_by(ProcedureResponse.received_at, ProcedureResponse.id)).all()
    extensions = db.session.scalars(select(DeadlineExtension).where(DeadlineExtension.procedure_id == procedure.id)
                                    .options(joinedload(DeadlineExtension.extended_by))
                                    .order_by(DeadlineExtension.id)).all()
    relaunched_as = db.session.scalar(select(SilentProcedure.id).where(SilentProcedure.relaunch_of_id == procedure.id))
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
        "deadline": _iso(procedure.deadline_at),
        "deadline_local": local_deadline(procedure).isoformat(),
        "timezone": procedure.timezone,
        "launched_at": _iso(procedure.launched_at),
        "launched_by": procedure.launched_by.email if procedure.launched_by else None,
        "on_behalf_of": procedure.presidency.partner_code if procedure.presidency else None,
        "closed_at": _iso(procedure.closed_at),
        "withdrawal_reason": procedure.withdrawal_reason,
        "relaunch_of": procedure.relaunch_of_id,
        "relaunched_as": relaunched_as,
        "members_addressed": [{"member": r.partner_code, "contact": r.contact.email, "can_break_silence": r.can_break,
                               "committees": r.committees or []} for r in procedure.recipients],
        "addressed_by_committee": _by_committee(procedure),
        "emails": [{"queued_at": _iso(m.created_at), "to": m.to_email, "subject": m.subject, "status": m.status,
                    "delivered_at": _iso(m.sent_at), "attempts": m.attempts, "last_error": m.last_error,
                    "message_id": m.message_id} for m in mails],
        "responses": [{"member": r.partner_code, "contact": r.contact.email, "kind": r.kind, "text": r.text,
                       "received_at": _iso(r.received_at), "counted": r.counted, "not_counted_reason": r.not_counted_reason}
                      for r in responses],
        "extensions": [{"from": _iso(e.previous_deadline_at), "to": _iso(e.new_deadline_at), "timezone": e.timezone,
                        "at": _iso(e.extended_at), "by": e.extended_by.email if e.extended_by else None,
                        "reason": e.reason} for e in extensions],
    }


def csv_rows(record: dict):
    """The record as CSV lines, one per event: launch, members, e-mails, responses, extensions, outcome;
    the last column says why the Secretariat extended or withdrew."""
    for row in _events(record):
        yield row + [""] * (6 - len(row))


def _events(record: dict):
    yield ["time_utc", "event", "who", "detail", "counted_or_status", "reason"]
    yield [record["launched_at"], "launched", record["launched_by"],
           f"{record['subject']} (text v{record['text_version']}, sha256 {record['text_hash']})", "open"]
    for member in record["members_addressed"]:
        yield [record["launched_at"], "addressed", member["contact"],
               member["member"] + (f" ({', '.join(member['committees'])})" if member["committees"] else ""),
               "may break silence" if member["can_break_silence"] else "observer"]
    for mail in record["emails"]:
        yield [mail["queued_at"], "email", mail["to"], mail["subject"],
               mail["status"] + (f" at {mail['delivered_at']}" if mail["delivered_at"] else "")
               + (f" ({mail['last_error']})" if mail["last_error"] else "")]
    for response in record["responses"]:
        yield [response["received_at"], response["kind"], f"{response['contact']} ({response['member']})",
               response["text"], "counted" if response["counted"] else f"not counted: {response['not_counted_reason']}"]
    for extension in record["extensions"]:
        yield [extension["at"], "extended", extension["by"] or "", f"{extension['from']} -> {extension['to']}",
               extension["timezone"], extension["reason"] or ""]
    if record["closed_at"]:
        yield [record["closed_at"], "outcome", "", "", record["status"], record["withdrawal_reason"] or ""]
