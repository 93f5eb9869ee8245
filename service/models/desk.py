"""What the Secretariat's desk lists: one line per open matter of a case, kept by its procedure."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from database import UTCDateTime

from ..extensions import db


class DeskLine(db.Model):
    """A case as its procedure sums it up: title, status, next deadline, whose move it is, and
    how many of those addressed have not answered. Written in the step that changes it, so the
    desk is one indexed query, whatever the procedure."""

    __tablename__ = "desk_lines"
    __table_args__ = (
        Index("ix_desk_lines_open_deadline", "open", "deadline_at", "case_id"),
        Index("ix_desk_lines_procedure", "procedure", "status"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    procedure: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(40))
    open: Mapped[bool] = mapped_column(default=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_timezone: Mapped[str | None] = mapped_column(String(64))
    waiting_on: Mapped[str | None] = mapped_column(String(40))  # a role
    partner_code: Mapped[str | None] = mapped_column(String(20), index=True)
    domain_number: Mapped[int | None] = mapped_column(Integer)
    addressed: Mapped[int | None] = mapped_column(Integer)
    not_answered: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
