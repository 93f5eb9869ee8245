"""Counters of the rate limits, when they are kept in the service's own database."""
from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateLimitCounter(db.Model):
    """Hits of one limit by one client (account or address) in the current window."""

    __tablename__ = "rate_limit_counters"

    # SHA-256 of the limit's key (which may hold an e-mail address typed at sign-in).
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # End of the window, in seconds since the epoch (wall clock, as the limiter counts).
    expires_at: Mapped[float] = mapped_column(Float, index=True)
