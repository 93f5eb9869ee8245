"""The scheduler's heartbeat, as a row monitoring can read."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from database import UTCDateTime

from ..extensions import db


class SchedulerHeartbeat(db.Model):
    """When a scheduler last beat and last finished a round (wall-clock time: a training
    clock moved forward must not make a live scheduler look dead)."""

    __tablename__ = "scheduler_heartbeats"

    owner: Mapped[str] = mapped_column(String(80), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    round_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
