"""Signed action links for e-mails: `{PUBLIC_BASE_URL}/act/<token>`.

The token is signed (itsdangerous, a salt of its own) and names a database row; the row binds
it to one contact, one procedure and one purpose, and records its use and revocation. A
forged or altered token fails the signature; an unknown or revoked one fails the row.
"""
from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from workflows import clock

from .errors import NotFound
from .extensions import db
from .models import ActionLink

SALT = "rabat-process/silent-procedure-action"


class InvalidLink(NotFound):
    """Not a link this service issued (or no longer one)."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def create(procedure_id: int, contact_id: int, partner_code: str, purpose: str) -> ActionLink:
    link = ActionLink(token_id=secrets.token_urlsafe(24), procedure_id=procedure_id, contact_id=contact_id,
                      partner_code=partner_code, purpose=purpose, created_at=clock.now())
    db.session.add(link)
    return link


def token(link: ActionLink) -> str:
    return _serializer().dumps(link.token_id)


def url(link: ActionLink) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/act/{token(link)}"


def resolve(value: str) -> ActionLink:
    """The link row behind a token, or `InvalidLink`."""
    try:
        token_id = _serializer().loads(value)
    except BadSignature:
        raise InvalidLink(gettext("This link is not valid. Use the link from your most recent e-mail.")) from None
    link = db.session.scalar(select(ActionLink).where(ActionLink.token_id == token_id)) if isinstance(token_id, str) else None
    if link is None:
        raise InvalidLink(gettext("This link is not valid. Use the link from your most recent e-mail."))
    return link
