"""Contacts: the people the service writes to; some of them sign in (password or API token)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Boolean, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from database import UTCDateTime

ROLES = ("secretariat", "partner", "committee-member", "presidency", "referent")
LANGUAGES = ("fr", "en")


class Contact(db.Model):
    """A person: name, e-mail, preferred language, partner, roles; an account if it signs in."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="", index=True)
    # What the person does in their administration (e.g. "Director of migration").
    function: Mapped[str] = mapped_column(String(200), default="", server_default="")
    language: Mapped[str] = mapped_column(String(2), default="en")
    partner_code: Mapped[str | None] = mapped_column(ForeignKey("partners.code"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the Secretariat last sent the invitation to set a password.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list["ContactRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class ContactRole(db.Model):
    __tablename__ = "contact_roles"
    __table_args__ = (UniqueConstraint("contact_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40), index=True)


class ApiToken(db.Model):
    """A bearer token for the API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the token is for, as its owner named it (e.g. "reporting script").
    label: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Written at most once a minute (`accounts.TOKEN_TOUCH_EVERY`): a read stays a read.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship()


class ContactChange(db.Model):
    """The audit trail of the contact base: who changed which contact, when, before and after.

    Contacts are never deleted (they are deactivated), so the trail keeps its subject."""

    __tablename__ = "contact_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    actor: Mapped[str] = mapped_column(String(320))  # an e-mail, or "system"
    # added, edited, imported, deactivated, reactivated, invited, password_set, settings_changed,
    # token_issued, token_revoked
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
