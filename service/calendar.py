"""Deadlines in a person's own calendar: a feed at a secret address (revocable; only its hash is
kept), and each deadline as an `.ics` file of its own.

Whose deadlines: the Secretariat's and the Presidency's feed has every open deadline; anyone
else's has the deadlines of what waits on one of their roles and concerns their partner (or
no partner in particular, like a silent procedure addressed to the whole committee).
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from sqlalchemy import and_, or_, select, update

from workflows import clock

from .extensions import db
from .models import CalendarFeed, Contact, DeskLine
from .unit_of_work import use_case

FEED_LIMIT = 500


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@use_case
def issue_feed(contact: Contact) -> str:
    """A new secret address for the contact's feed; the previous one stops working."""
    now = clock.now()
    db.session.execute(update(CalendarFeed).where(CalendarFeed.contact_id == contact.id,
                                                  CalendarFeed.revoked_at.is_(None)).values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(contact_id=contact.id, token_hash=_hash(token), created_at=now))
    return token


@use_case
def revoke_feed(contact: Contact) -> None:
    db.session.execute(update(CalendarFeed).where(CalendarFeed.contact_id == contact.id,
                                                  CalendarFeed.revoked_at.is_(None)).values(revoked_at=clock.now()))


def has_feed(contact: Contact) -> bool:
    return db.session.scalar(select(CalendarFeed.id).where(
        CalendarFeed.contact_id == contact.id, CalendarFeed.revoked_at.is_(None)).limit(1)) is not None


def contact_for_feed(token: str) -> Contact | None:
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None or feed.revoked_at is not None or not feed.contact.active:
        return None
    return feed.contact


def concerning(contact: Contact):
    """The condition on desk lines: what concerns this contact."""
    if contact.has_role("secretariat", "presidency"):
        return DeskLine.open.is_(True)
    partner = or_(DeskLine.partner_code.is_(None), DeskLine.partner_code == contact.partner_code) \
        if contact.partner_code else DeskLine.partner_code.is_(None)
    return and_(DeskLine.open.is_(True), DeskLine.waiting_on.in_(sorted(contact.roles)), partner)


def deadlines(contact: Contact) -> list[DeskLine]:
    """The open deadlines that concern the contact, soonest first."""
    return list(db.session.scalars(select(DeskLine).where(concerning(contact), DeskLine.deadline_at.is_not(None))
                                   .order_by(DeskLine.deadline_at, DeskLine.case_id).limit(FEED_LIMIT)))


def event(line: DeskLine, words) -> dict:
    """A desk line as a calendar event; `words(line)` says its summary."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    domain = current_app.config["MAIL_MESSAGE_ID_DOMAIN"]
    return {"uid": f"deadline-{line.procedure}-{line.case_id}@{domain}", "summary": words(line),
            "description": line.title, "deadline": line.deadline_at, "url": base + line.path}
