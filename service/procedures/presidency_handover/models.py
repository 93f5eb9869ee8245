"""Presidency handovers: the handover of one term, the outgoing Presidency's results summary,
the incoming Presidency's programme, the Secretariat's checklist, and the roles moved."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import UTCDateTime, db
from service.models import Contact, Partner, Presidency

#: scheduled: waits for its opening date; open: being prepared; passed: the Presidency has
#: passed at the SOM, some work remains; completed: everything done.
STATUSES = ("scheduled", "open", "passed", "completed")
PROGRAMME_STATUSES = ("draft", "submitted", "in_silent_procedure", "revision_requested", "endorsed")
#: The Secretariat's tasks every handover has, with their due dates in days from the SOM.
CHECKLIST = (("briefing", -30), ("contacts_list", -14), ("website", 7), ("archives", 30))


class Handover(db.Model):
    """The handover of one Presidency's term (one per term) to the next, at a SOM."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # The outgoing term: a second handover of the same term is refused.
    presidency_id: Mapped[int] = mapped_column(ForeignKey("presidencies.id"), unique=True)
    outgoing_partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    incoming_partner_code: Mapped[str | None] = mapped_column(ForeignKey("partners.code"))
    # How notices will name the incoming Presidency ("the Belgian Presidency").
    incoming_title_en: Mapped[str | None] = mapped_column(String(200))
    incoming_title_fr: Mapped[str | None] = mapped_column(String(200))
    som_date: Mapped[date] = mapped_column(Date)
    som_place: Mapped[str | None] = mapped_column(String(200))
    som_timezone: Mapped[str] = mapped_column(String(64))
    # When the Presidency passes: the start of the SOM's day in its time zone.
    som_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who opened it; none when the service opened it on its date.
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incoming_presidency_id: Mapped[int | None] = mapped_column(ForeignKey("presidencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Every change to the handover's rows touches it: two changes at once, one is refused.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    presidency: Mapped[Presidency] = relationship(foreign_keys=[presidency_id])
    outgoing: Mapped[Partner] = relationship(foreign_keys=[outgoing_partner_code], lazy="joined")
    incoming: Mapped[Partner | None] = relationship(foreign_keys=[incoming_partner_code], lazy="joined")
    opened_by: Mapped[Contact | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ResultsSummary(db.Model):
    """The outgoing Presidency's results: figures from the records of its term (kept with the
    records behind each), activities held that the service has no record of, highlights;
    editable until made final."""

    __tablename__ = "handover_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), unique=True)
    figures: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    highlights: Mapped[str] = mapped_column(Text, default="")
    # [{kind, title, date, place, actions}] entered by hand: they count like the records.
    activities: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    final_by: Mapped[Contact | None] = relationship(foreign_keys=[final_by_id])

    __mapper_args__ = {"version_id_col": version}


class Programme(db.Model):
    """The incoming Presidency's programme: vision, priorities, calendar, the next SOM; endorsed
    by the Steering Committee (silent procedure or a decision the Secretariat records)."""

    __tablename__ = "presidency_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), unique=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    vision: Mapped[str] = mapped_column(Text, default="")
    priorities: Mapped[list] = mapped_column(JSON, default=list)
    # [{kind, title, co_chairs, start_date, end_date, place, domains, objectives, actions}]
    activities: Mapped[list] = mapped_column(JSON, default=list)
    next_som_date: Mapped[date | None] = mapped_column(Date)
    next_som_place: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(30), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    revision_comment: Mapped[str | None] = mapped_column(Text)
    silent_procedure_id: Mapped[int | None] = mapped_column(ForeignKey("silent_procedures.id"))
    # silent_procedure or decision
    endorsed_by: Mapped[str | None] = mapped_column(String(30))
    endorsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class ChecklistItem(db.Model):
    """One Secretariat task of the handover: due on a date, ticked with who and when."""

    __tablename__ = "handover_checklist_items"
    __table_args__ = (UniqueConstraint("handover_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # briefing, contacts_list, website, archives; or custom (its own title)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(300))
    due_date: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # Reminders sent for it while undone (one per reminder offset that passed).
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)

    done_by: Mapped[Contact | None] = relationship(lazy="joined")


class RoleChange(db.Model):
    """A role granted or withdrawn when the Presidency passed."""

    __tablename__ = "handover_role_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    role: Mapped[str] = mapped_column(String(40))
    change: Mapped[str] = mapped_column(String(10))  # granted, withdrawn
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(lazy="joined")
