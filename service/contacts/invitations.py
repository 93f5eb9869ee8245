"""Inviting a contact: a single-use link (`service.links`, purpose `set_password`) e-mailed
in the contact's language, to a page where they choose their password; then they sign in.

A new invitation revokes the contact's earlier unused ones; the link refuses once used,
expired, revoked, or when the contact was deactivated (`links.resolve`)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from sqlalchemy import update

from notifications.outbox import queue_email
from workflows import clock

from .. import accounts, links
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..models import ActionLink, Contact
from ..unit_of_work import use_case, with_retries
from . import directory
from .use_cases import record, require_secretariat

SUBJECT = "contact"
PURPOSE = "set_password"


@use_case
def invite(contact_id: int, actor: Contact) -> Contact:
    """E-mail the contact a link to choose a password (earlier invitations stop working)."""
    require_secretariat(actor)
    contact = directory.get(contact_id)
    if not contact.active:
        raise InvalidInput(gettext("This contact is deactivated: reactivate it first."))
    now = clock.now()
    db.session.execute(update(ActionLink).where(
        ActionLink.subject_type == SUBJECT, ActionLink.subject_id == contact.id, ActionLink.purpose == PURPOSE,
        ActionLink.used_at.is_(None), ActionLink.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False))
    until = now + clock.duration(current_app.config["INVITATION_VALID_FOR"], now)
    link = links.create(SUBJECT, contact.id, contact.id, PURPOSE, expires_at=until)
    db.session.flush()
    queue_email(template="contact_invitation", to_email=contact.email, to_name=contact.name,
                language=contact.language, values={"name": contact.name or contact.email, "email": contact.email,
                                                   "until": until, "link_url": links.url(link)})
    contact.invited_at = now
    record(contact, "invited", actor, None, {"until": until.isoformat()})
    return contact


@dataclass(frozen=True)
class Outcome:
    done: bool  # the password was set by this request
    reason: str | None = None  # why not: used, revoked, expired
    replay: bool = False


def link_state(link: ActionLink) -> str | None:
    return links.state(link)


def set_password(link_id: int, values: dict) -> Outcome:
    return with_retries(_set_password, link_id, values)


@use_case
def _set_password(link_id: int, values: dict) -> Outcome:
    link = db.session.get(ActionLink, link_id)
    if link.used_at is not None:
        return Outcome(link.outcome == "password_set", "used", replay=True)
    state = links.state(link)
    if state is not None:
        return Outcome(False, state)
    if not links.claim(link, "password_set"):
        raise Conflict(gettext("This link was used at the same moment by another request."))
    contact = link.contact
    accounts.set_password(contact, values["password"])
    record(contact, "password_set", contact, None, None)
    return Outcome(True)
