"""Cases (running BPMN instances), their timers and their audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, JSON
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from database import UTCDateTime


class ProcessVersion(db.Model):
    """One version of a process definition, identified by the hash of its BPMN content."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    sources: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Case(db.Model):
    """A running (or finished) instance of a process, with its workflow state."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # running, completed
    state: Mapped[str] = mapped_column(Text)
    state_format: Mapped[str] = mapped_column(String(80))
    # The case's data as of its last step (readable without restoring the workflow).
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: every UPDATE says "WHERE version = <what I read>".
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    process_version: Mapped[ProcessVersion] = relationship()

    __mapper_args__ = {"version_id_col": version}


class CaseTask(db.Model):
    """A ready user task, kept as a row so tasks can be listed without restoring workflows."""

    __tablename__ = "case_tasks"
    # The task list reads oldest first, (created_at, id) being its keyset.
    __table_args__ = (Index("ix_case_tasks_lane_assignee", "lane", "assignee"),
                      Index("ix_case_tasks_created_at_id", "created_at", "id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(40))
    form: Mapped[str | None] = mapped_column(String(80))
    assignee: Mapped[str | None] = mapped_column(String(320))
    # For a partner's task: only that partner's contacts may act on it.
    partner_code: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()


class CaseTimer(db.Model):
    """A timer a case waits on, with its due time: what the scheduler looks at."""

    __tablename__ = "case_timers"
    __table_args__ = (UniqueConstraint("case_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class AuditEntry(db.Model):
    """One step of a case: who did what, when. Written in the same commit as the step."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    actor: Mapped[str] = mapped_column(String(320))  # an e-mail, or "scheduler", "system"
    action: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
