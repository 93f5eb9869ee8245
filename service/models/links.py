"""Action links: the database side of a signed e-mail link (see `service.links`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import UTCDateTime

from ..extensions import db
from .accounts import Contact


class ActionLink(db.Model):
    """One link: one contact, one purpose, one subject (what it acts on, by type and id).

    Single-use: `used_at` is set by the one request that acts (a conditional UPDATE), and
    `outcome` keeps what happened, so a replay can say it without acting again.
    """

    __tablename__ = "action_links"
    __table_args__ = (Index("ix_action_links_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    # The member (state or organisation) the contact acts for, when it acts for one.
    partner_code: Mapped[str | None] = mapped_column(ForeignKey("partners.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(40))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship()
