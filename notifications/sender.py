"""Delivering the outbox: claim due rows, send them, mark them sent; back off on failure.

Each message keeps the Message-ID it was given when queued, on every attempt. A row is claimed
with a conditional UPDATE before it is sent, so two senders never take the same row; the
claim is renewed while its sender lives and lapses `SCHEDULER_LEASE_SECONDS` after it died, so
a sender that died mid-way does not strand a message. Delivery is at least once: a sender
killed between the SMTP server's acceptance and the UPDATE that records it leaves the message
to be sent again, with the same Message-ID, by which receivers recognise the duplicate.
"""
from __future__ import annotations

import smtplib
from datetime import timedelta

from flask import current_app
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate
from sqlalchemy import or_, select, update

from flask_mail import Mail

from database import db
from workflows import clock

from .models import OutboxMessage

#: Flask-Mail, bound to the app in `create_app`; only the sender talks to SMTP.
mail = Mail()


def _backoff(attempts: int) -> timedelta:
    base = current_app.config["MAIL_RETRY_BASE"]
    cap = current_app.config["MAIL_RETRY_CAP"]
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _claim(message_id: int, owner: str) -> bool:
    now = clock.now()
    lease = timedelta(seconds=current_app.config["SCHEDULER_LEASE_SECONDS"])
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "pending",
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_by=owner, claimed_until=now + lease)
    )
    db.session.commit()
    return result.rowcount == 1


def _mark_sent(row_id: int, transport: str) -> None:
    """The one statement between a delivery and its record (see `deliver_due`)."""
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
        .values(status="sent", transport=transport, attempts=OutboxMessage.attempts + 1, sent_at=clock.now(),
                claimed_by=None, claimed_until=None, last_error=None)
    )
    db.session.commit()


def renew(owner: str, message_ids: list[int], until) -> int:
    """Extend this sender's claims on messages it is still delivering; how many it kept."""
    if not message_ids:
        return 0
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == owner, OutboxMessage.status == "pending")
        .values(claimed_until=until)
    )
    db.session.commit()
    return result.rowcount


def _as_mail(row: OutboxMessage) -> EmailMessage:
    """The MIME message, built with the standard library's SMTP policy.

    (Flask-Mail's own Message folds long non-ASCII subjects inside words, which mail
    clients then show with a stray space; its connection still does the sending.)
    """
    message = EmailMessage(policy=SMTP)
    message["Subject"] = row.subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((row.to_name, row.to_email)) if row.to_name else row.to_email
    message["Message-ID"] = row.message_id
    message["Date"] = formatdate(row.created_at.timestamp(), usegmt=True)
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    if row.ics:
        message.add_attachment(row.ics.encode("utf-8"), maintype="text", subtype="calendar",
                               filename="deadline.ics", params={"method": "PUBLISH"})
    return message


def deliver_due(limit: int = 50, owner: str = "sender", leases=None) -> int:
    """Send (or capture) the outbox rows that are due; return how many went out.

    Delivery is at least once: a message is marked sent by one UPDATE right after the SMTP
    server accepted it, nothing in between; a sender killed in that instant leaves the
    message pending, and it goes again (same Message-ID) once the claim lapses. `leases`
    (the scheduler's) holds the message being delivered, so its claim is renewed meanwhile.
    """
    now = clock.now()
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    if not due_ids:
        return 0
    capture = current_app.config["MAIL_DELIVERY"] == "capture"
    sent = 0
    connection = None
    try:
        for row_id in due_ids:
            if not _claim(row_id, owner):
                continue
            if leases is not None:
                leases.hold("messages", [row_id])
            try:
                row = db.session.get(OutboxMessage, row_id)
                message = None if capture else _as_mail(row)
                db.session.commit()  # no transaction stays open while the SMTP server answers
                try:
                    if not capture:
                        if connection is None:
                            connection = mail.connect().__enter__()
                        connection.host.send_message(message)
                except (OSError, smtplib.SMTPException) as error:
                    connection = None
                    row.attempts += 1
                    row.last_error = f"{type(error).__name__}: {error}"[:2000]
                    row.next_attempt_at = clock.now() + _backoff(row.attempts)
                    row.claimed_by = row.claimed_until = None
                    db.session.commit()
                    # The server is likely down: leave the rest for the next round.
                    break
                _mark_sent(row_id, "capture" if capture else "smtp")
                sent += 1
            finally:
                if leases is not None:
                    leases.release("messages", row_id)
    finally:
        if connection is not None:
            try:
                connection.__exit__(None, None, None)
            except (OSError, smtplib.SMTPException):
                pass
    return sent


def next_attempt_due():
    """When a pending message may next be taken (due and not claimed by a live sender), or None."""
    now = clock.now()
    pending = OutboxMessage.status == "pending"
    unclaimed = db.session.scalar(
        select(OutboxMessage.next_attempt_at)
        .where(pending, or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.next_attempt_at)
        .limit(1)
    )
    # A message another sender is delivering comes back only if its claim lapses.
    claim_end = db.session.scalar(
        select(OutboxMessage.claimed_until)
        .where(pending, OutboxMessage.claimed_until >= now)
        .order_by(OutboxMessage.claimed_until)
        .limit(1)
    )
    found = [t for t in (unclaimed, claim_end) if t is not None]
    return min(found) if found else None
