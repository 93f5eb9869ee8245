"""Signed action links for e-mails, for any procedure and purpose: `{PUBLIC_BASE_URL}/act/<token>`.

The token is signed (itsdangerous, one salt per purpose) and names a database row; the row
binds it to one contact, one purpose and one subject (what it acts on: a silent procedure, a
referent cycle, ...), and records its use, its expiry and its revocation. A forged or altered
token fails the signature; an unknown, revoked, expired or used one fails the row.

`GET /act/<token>` only shows a confirmation page (mail scanners open every link); the page's
`POST` acts through the purpose's use case, which claims the link with a conditional UPDATE,
so a link acts once however many times, and however concurrently, it is posted.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from workflows import clock

from .errors import NotFound
from .extensions import db
from .models import ActionLink, Contact

# Links issued before links had purposes were all silent-procedure links, signed with this salt.
LEGACY_SALT = "rabat-process/silent-procedure-action"
LEGACY_SUBJECT = "silent_procedure"


class InvalidLink(NotFound):
    """Not a link this service issued (or no longer one)."""


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _salt(purpose: str) -> str:
    return f"rabat-process/action-link/{purpose}"


def create(subject_type: str, subject_id: int, contact_id: int, purpose: str, *,
           partner_code: str | None = None, expires_at: datetime | None = None) -> ActionLink:
    """A new link (added to the session, not committed)."""
    link = ActionLink(token_id=secrets.token_urlsafe(24), subject_type=subject_type, subject_id=subject_id,
                      contact_id=contact_id, partner_code=partner_code, purpose=purpose,
                      created_at=clock.now(), expires_at=expires_at)
    db.session.add(link)
    return link


def token(link: ActionLink) -> str:
    return _serializer(_salt(link.purpose)).dumps(link.token_id)


def url(link: ActionLink) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/act/{token(link)}"


# The link, its contact and the contact's roles in one query (every link page asks).
_LINK_BY_TOKEN = (select(ActionLink).where(ActionLink.token_id == bindparam("token_id"))
                  .options(joinedload(ActionLink.contact).joinedload(Contact.role_rows)))


def resolve(value: str) -> ActionLink:
    """The link row behind a token, or `InvalidLink`."""
    valid, token_id = _serializer(_salt("any")).loads_unsafe(value)
    link = db.session.execute(_LINK_BY_TOKEN, {"token_id": token_id}).unique().scalar_one_or_none() \
        if isinstance(token_id, str) and len(token_id) <= 64 else None
    if link is None or not _signed_for(link, value):
        raise InvalidLink(gettext("This link is not valid. Use the link from your most recent e-mail."))
    if not link.contact.active:
        raise InvalidLink(gettext("This link is no longer valid: the contact it was sent to was deactivated."))
    return link


def _signed_for(link: ActionLink, value: str) -> bool:
    salts = [_salt(link.purpose)]
    if link.subject_type == LEGACY_SUBJECT:
        salts.append(LEGACY_SALT)
    for salt in salts:
        try:
            if _serializer(salt).loads(value) == link.token_id:
                return True
        except BadSignature:
            continue
    return False


def state(link: ActionLink) -> str | None:
    """Why the link itself cannot act now (None if it can): `used`, `revoked` or `expired`."""
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at is not None and clock.now() >= link.expires_at:
        return "expired"
    return None


def claim(link: ActionLink, outcome: str) -> bool:
    """Mark the link used, with what happened, if nobody did first (inside the caller's
    transaction). False: another request used it first; act on nothing."""
    now = clock.now()
    result = db.session.execute(
        update(ActionLink).where(ActionLink.id == link.id, ActionLink.used_at.is_(None))
        .values(used_at=now, outcome=outcome).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    link.used_at, link.outcome = now, outcome
    return True


def revoke_all(subject_type: str, subject_id: int) -> None:
    """Revoke every unrevoked link of a subject (inside the caller's transaction)."""
    db.session.execute(
        update(ActionLink).where(ActionLink.subject_type == subject_type, ActionLink.subject_id == subject_id,
                                 ActionLink.revoked_at.is_(None))
        .values(revoked_at=clock.now()).execution_options(synchronize_session=False))


def of_contact(subject_type: str, subject_id: int, contact_id: int) -> list[ActionLink]:
    """A contact's links for a subject that can still act, oldest first."""
    return list(db.session.scalars(select(ActionLink).where(
        ActionLink.subject_type == subject_type, ActionLink.subject_id == subject_id,
        ActionLink.contact_id == contact_id, ActionLink.revoked_at.is_(None),
        ActionLink.used_at.is_(None)).order_by(ActionLink.id)))
