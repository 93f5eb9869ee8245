"""Server-side sessions of the web pages.

Signing in writes a `web_sessions` row and puts a random key to it in the (signed) session
cookie; the cookie also keeps the CSRF token and the chosen language, nothing that signs
anyone in by itself. A session ends, and its row is deleted, when its contact signs out, when
the contact's password changes, after `SESSION_IDLE_TIMEOUT` without a request, and
`SESSION_ABSOLUTE_TIMEOUT` after signing in, whichever comes first. A copy of an old cookie
then opens nothing.

The cookie is `Secure` when `PUBLIC_BASE_URL` is https (unless `SESSION_COOKIE_SECURE` says
otherwise), `HttpOnly` and `SameSite=Lax`.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Flask, current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import delete, or_, select, update

from workflows import clock

from .extensions import db
from .models import Contact, WebSession

KEY = "session_key"
# How often the last request's time is written (idle time is measured to this precision).
TOUCH_EVERY = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _timeouts() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return clock.duration(config["SESSION_IDLE_TIMEOUT"]), clock.duration(config["SESSION_ABSOLUTE_TIMEOUT"])


def _expired(now: datetime):
    idle, absolute = _timeouts()
    return or_(WebSession.last_seen_at <= now - idle, WebSession.created_at <= now - absolute)


def begin(contact: Contact) -> None:
    """Sign `contact` in: a new row, a new cookie (nothing of the previous session is kept)."""
    now = clock.elapsed_now()
    db.session.execute(delete(WebSession).where(_expired(now)))
    key = secrets.token_urlsafe(32)
    db.session.add(WebSession(key_hash=_hash(key), contact_id=contact.id, created_at=now, last_seen_at=now))
    db.session.commit()
    session.clear()
    session[KEY] = key
    session["lang"] = contact.language
    g.signed_in = contact


def end() -> None:
    """Sign out: the row goes, and the cookie is emptied."""
    key = session.get(KEY)
    if key:
        db.session.execute(delete(WebSession).where(WebSession.key_hash == _hash(key)))
        db.session.commit()
    session.clear()
    g.signed_in = None


def end_all(contact_id: int) -> None:
    """End every session of a contact (in the caller's transaction), e.g. at a password change."""
    db.session.execute(delete(WebSession).where(WebSession.contact_id == contact_id))


def current() -> Contact | None:
    """The signed-in contact of this request, or None (read once per request)."""
    if "signed_in" not in g:
        g.signed_in = _resolve()
    return g.signed_in


def _resolve() -> Contact | None:
    key = session.get(KEY)
    if not key or not isinstance(key, str):
        return None
    found = db.session.execute(
        select(WebSession, Contact).join(Contact, Contact.id == WebSession.contact_id)
        .where(WebSession.key_hash == _hash(key))).first()
    if found is None:
        session.pop(KEY, None)
        return None
    row, contact = found
    now = clock.elapsed_now()
    idle, absolute = _timeouts()
    if not contact.active or now - row.last_seen_at >= idle or now - row.created_at >= absolute:
        db.session.execute(delete(WebSession).where(WebSession.id == row.id))
        db.session.commit()
        session.pop(KEY, None)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        db.session.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
        db.session.commit()
    return contact


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, `Secure` whenever the service is reached over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config.get("SESSION_COOKIE_SECURE")
        if configured is None:
            return https(app)
        return bool(configured)


def https(app: Flask) -> bool:
    return str(app.config.get("PUBLIC_BASE_URL", "")).lower().startswith("https://")


def register(app: Flask) -> None:
    app.session_interface = SessionCookie()

    @app.before_request
    def _load_session():
        # Read (and touched) before any view works, so that its commit carries nothing else.
        current()
