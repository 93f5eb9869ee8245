"""Delivering the outbox: claim due rows, send them, mark them sent; back off on failure.

Each message keeps the Message-ID it was given when queued, on every attempt. A row is claimed
with a conditional UPDATE before it is sent, so two senders never take the same row; a claim
expires after the lease, so a sender that died mid-way does not strand a message.
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


def _claim(message_id: int, owner_until) -> bool:
    now = clock.now()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "pending",
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=owner_until)
    )
    db.session.commit()
    return result.rowcount == 1


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


def deliver_due(limit: int = 50) -> int:
    """Send (or capture) the outbox rows that are due; return how many went out."""
    now = clock.now()
    lease = timedelta(seconds=current_app.config["SCHEDULER_LEASE_SECONDS"])
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
            if not _claim(row_id, now + lease):
                continue
            row = db.session.get(OutboxMessage, row_id)
            try:
                if not capture:
                    if connection is None:
                        connection = mail.connect().__enter__()
                    connection.host.send_message(_as_mail(row))
            except (OSError, smtplib.SMTPException) as error:
                connection = None
                row.attempts += 1
                row.last_error = f"{type(error).__name__}: {error}"[:2000]
                row.next_attempt_at = clock.now() + _backoff(row.attempts)
                row.claimed_until = None
                db.session.commit()
                # The server is likely down: leave the rest for the next round.
                break
            row.status = "sent"
            row.transport = "capture" if capture else "smtp"
            row.attempts += 1
            row.sent_at = clock.now()
            row.claimed_until = None
            row.last_error = None
            db.session.commit()
            sent += 1
    finally:
        if connection is not None:
            try:
                connection.__exit__(None, None, None)
            except (OSError, smtplib.SMTPException):
                pass
    return sent


def next_attempt_due():
    """When the earliest pending message is next due, or None."""
    return db.session.scalar(
        select(OutboxMessage.next_attempt_at)
        .where(OutboxMessage.status == "pending")
        .order_by(OutboxMessage.next_attempt_at)
        .limit(1)
    )
