"""The history of the reference data edited in the service: who changed what, when, from what to what.

Kept apart from the reference tables themselves: `setup` reads it to know which rows the
Secretariat edited (those it never overwrites), and the pages show it next to each item.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import UTCDateTime

from ..extensions import db
from .accounts import Contact

#: What can be edited, each with its key: `cadiz/action/3`, `SN`, `steering-committee`, ...
KINDS = ("domain", "objective", "action", "gcm_objective", "partner", "committee", "referents")


class ReferenceChange(db.Model):
    __tablename__ = "reference_changes"
    __table_args__ = (Index("ix_reference_changes_kind_key", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    kind: Mapped[str] = mapped_column(String(30))
    # The item's key after the change (before it, for a removal).
    key: Mapped[str] = mapped_column(String(120))
    # The item's fields before and after; None for an addition (before) or a removal (after).
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    by: Mapped[Contact | None] = relationship(lazy="joined")
