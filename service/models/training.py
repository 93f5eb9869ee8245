"""The training clock's offset, shared by every process of a training installation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from database import UTCDateTime

from ..extensions import db


class TrainingClock(db.Model):
    """How far ahead of real time the service's clock runs (one row), with who moved it last."""

    __tablename__ = "training_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moved_by: Mapped[str | None] = mapped_column(String(320))
