"""Silent procedures: the procedure, who it addresses, its responses, extensions, documents."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import UTCDateTime, db
from service.models import Contact, Presidency

STATUSES = ("open", "adopted", "silence_broken", "withdrawn")


class SilentProcedure(db.Model):
    __tablename__ = "silent_procedures"
    # The API's list: newest first, by status; the page's list: latest launched first.
    __table_args__ = (Index("ix_silent_procedures_status_id", "status", "id"),
                      Index("ix_silent_procedures_launched_at_id", "launched_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    # The frozen text: a new text means a new procedure (relaunch), never an edit.
    text: Mapped[str] = mapped_column(Text)
    text_version: Mapped[int] = mapped_column(Integer, default=1)
    text_hash: Mapped[str] = mapped_column(String(64))
    proposed_decision: Mapped[str] = mapped_column(Text)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    committees: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True, default="open")
    launched_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    relaunch_of_id: Mapped[int | None] = mapped_column(ForeignKey("silent_procedures.id"))
    # The ICS sequence of the deadline: bumped on every extension.
    deadline_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The Presidency in whose name it was launched: it keeps that name after a handover.
    presidency_id: Mapped[int | None] = mapped_column(ForeignKey("presidencies.id"))
    # Why the Secretariat withdrew it (told to everyone, kept in the record).
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    launched_by: Mapped[Contact | None] = relationship()
    presidency: Mapped[Presidency | None] = relationship()
    recipients: Mapped[list["ProcedureRecipient"]] = relationship(
        order_by="ProcedureRecipient.id", back_populates="procedure"
    )
    documents: Mapped[list["ProcedureDocument"]] = relationship(order_by="ProcedureDocument.id")


class ProcedureRecipient(db.Model):
    """One contact addressed by a procedure, for a member (state or organisation)."""

    __tablename__ = "procedure_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("silent_procedures.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    # Observers are informed but cannot break silence.
    can_break: Mapped[bool] = mapped_column(Boolean)
    # The committees the member was addressed under (a member of two is addressed once).
    committees: Mapped[list | None] = mapped_column(JSON)

    procedure: Mapped[SilentProcedure] = relationship(back_populates="recipients")
    contact: Mapped[Contact] = relationship(lazy="joined")


class ProcedureResponse(db.Model):
    """A response as received: counted only if received before the deadline while open."""

    __tablename__ = "procedure_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("silent_procedures.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    kind: Mapped[str] = mapped_column(String(20))  # objection, amendment, comment, acknowledgement
    text: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    counted: Mapped[bool] = mapped_column(Boolean)
    not_counted_reason: Mapped[str | None] = mapped_column(String(200))
    # The link it came through: a link records one response at most.
    link_id: Mapped[int | None] = mapped_column(ForeignKey("action_links.id"), unique=True)
    # One response per member, kind and state of the procedure (comments excepted: one per
    # link); a second contact of the same member, or a race, finds the row already there.
    dedup_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    contact: Mapped[Contact] = relationship(lazy="joined")


class DeadlineExtension(db.Model):
    __tablename__ = "deadline_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("silent_procedures.id"), index=True)
    previous_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    extended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    # Why (told to everyone, kept in the record); none on extensions made before reasons were asked.
    reason: Mapped[str | None] = mapped_column(Text)

    extended_by: Mapped[Contact | None] = relationship()


class ProcedureDocument(db.Model):
    """A document attached to a procedure's text, frozen with it (hash kept)."""

    __tablename__ = "procedure_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("silent_procedures.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
