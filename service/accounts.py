"""Accounts: creating contacts with roles, passwords (argon2) and API tokens (SHA-256 kept)."""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import joinedload

from workflows import clock

from . import sessions, unit_of_work
from .errors import InvalidInput
from .extensions import db
from .models import LANGUAGES, ROLES, ApiToken, Contact, ContactChange, ContactRole, Partner
from .unit_of_work import use_case

_hasher = PasswordHasher()
_log = logging.getLogger(__name__)
MIN_PASSWORD_LENGTH = 10
# How precisely a token's last use is kept.
TOKEN_TOUCH_EVERY = timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_contact(email: str) -> Contact | None:
    return db.session.scalar(select(Contact).where(Contact.email == email.strip().lower()))


def save_contact(email: str, *, roles=(), partner_code: str | None = None, name: str | None = None,
                 language: str | None = None, password: str | None = None, demo: bool = False) -> Contact:
    """Create or update a contact (not committed); roles are added, never removed here."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise InvalidInput("Not a valid e-mail address.", {"email": ["Not a valid e-mail address."]})
    for role in roles:
        if role not in ROLES:
            raise InvalidInput(f"Unknown role {role!r}.", {"role": [f"One of: {', '.join(ROLES)}."]})
    if language is not None and language not in LANGUAGES:
        raise InvalidInput("Unknown language.", {"language": ["fr or en."]})
    if partner_code is not None:
        partner_code = partner_code.strip().upper()
        if db.session.get(Partner, partner_code) is None:
            raise InvalidInput(f"Unknown partner {partner_code!r}.", {"partner": ["Unknown partner code."]})
    contact = find_contact(email)
    if contact is None:
        contact = Contact(email=email, name=name or "", language=language or "en", active=True,
                          demo=demo, created_at=clock.now())
        db.session.add(contact)
    else:
        if name is not None:
            contact.name = name
        if language is not None:
            contact.language = language
    if partner_code is not None:
        contact.partner_code = partner_code
    for role in roles:
        if role not in contact.roles:
            contact.role_rows.append(ContactRole(role=role))
    if password is not None:
        set_password(contact, password)
    return contact


def set_password(contact: Contact, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            {"password": [f"At least {MIN_PASSWORD_LENGTH} characters."]},
        )
    contact.password_hash = _hasher.hash(password)
    if contact.id is not None:
        # Whoever signed in with the old password is signed out.
        sessions.end_all(contact.id)


def check_password(email: str, password: str) -> Contact | None:
    contact = find_contact(email)
    # Hash anyway when the account is unknown, so timing does not tell which e-mails exist.
    stored = contact.password_hash if contact and contact.password_hash and contact.active else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return contact if stored else None


def issue_token(contact: Contact) -> str:
    """A new API token for `contact` (not committed); only its hash is stored."""
    return new_token(contact)[1]


def new_token(contact: Contact, label: str = "") -> tuple[ApiToken, str]:
    """A new API token (not committed): its row and the token, which is never shown again."""
    token = "rp_" + secrets.token_urlsafe(32)
    row = ApiToken(contact=contact, token_hash=_token_hash(token), created_at=clock.now(),
                   label=(label or "").strip()[:100])
    db.session.add(row)
    return row, token


@use_case
def create_account(email: str, *, roles=(), partner_code: str | None = None, name: str | None = None,
                   language: str | None = None, password: str | None = None) -> tuple[Contact, str]:
    """Create or update an account and issue it a new API token: (contact, token); the change is
    kept in the contact's history, made by `system` (the server's shell)."""
    existing = find_contact(email)
    before = snapshot(existing) if existing is not None else None
    contact = save_contact(email, roles=roles, partner_code=partner_code, name=name, language=language,
                           password=password)
    db.session.flush()
    record(contact, "edited" if before else "added", None, before, snapshot(contact))
    return contact, issue_token(contact)


def snapshot(contact: Contact) -> dict:
    """What a contact's history keeps of it (never its password)."""
    return {"name": contact.name, "email": contact.email, "partner": contact.partner_code,
            "function": contact.function or "", "language": contact.language,
            "roles": sorted(contact.roles), "active": bool(contact.active)}


def record(contact: Contact, action: str, actor: Contact | None, before: dict | None = None,
           after: dict | None = None) -> None:
    """Keep one change of a contact: who (None: the system), when, before and after."""
    db.session.add(ContactChange(contact_id=contact.id, at=clock.now(), actor_id=actor.id if actor else None,
                                 actor=actor.email if actor else "system", action=action,
                                 before=before, after=after))


# Built once: every API request runs it (building costs more than running it).
_CONTACT_FOR_TOKEN = (
    select(Contact, ApiToken.id, ApiToken.last_used_at).join(ApiToken, ApiToken.contact_id == Contact.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), Contact.active.is_(True))
    .options(joinedload(Contact.role_rows)))


def contact_for_token(token: str) -> Contact | None:
    """The active contact behind an unrevoked API token; token, contact and roles in one query
    (every API request asks). The token's last use is noted at most once a minute, so that
    reading the API does not write on every request."""
    found = db.session.execute(_CONTACT_FOR_TOKEN, {"token_hash": _token_hash(token)}).unique().one_or_none()
    if found is None:
        return None
    contact, token_id, last_used_at = found
    now = clock.now()
    if unit_of_work.running() is None and (last_used_at is None or now - last_used_at >= TOKEN_TOUCH_EVERY):
        _note_use(token_id, now)
    return contact


def _note_use(token_id: int, now) -> None:
    """Write a token's last use on a connection of its own, best effort: a request that only
    reads must not fail, nor wait on the session, because this note could not be written (the
    database busy with another writer, or down for a moment)."""
    try:
        with db.engine.begin() as connection:
            # Conditional: of requests arriving together, one writes.
            connection.execute(update(ApiToken).where(
                ApiToken.id == token_id,
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOKEN_TOUCH_EVERY))
                .values(last_used_at=now))
    except DBAPIError:
        _log.warning("could not note the use of API token %s", token_id)


_DUMMY_HASH = _hasher.hash("not a password of anyone")
