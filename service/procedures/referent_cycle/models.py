"""Referent-country cycles: the cycle, its referent partners, its roadmap and report (shared
drafts, reviews, the Steering Committee's comments), the thematic meetings held with their
anonymous evaluations, and the Action Plan objectives and actions all of them serve."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database import UTCDateTime, db
from service.models import Action, Contact, Domain, Objective, Partner

CYCLE_STATUSES = ("roadmap_due", "roadmap_submitted", "roadmap_revision", "roadmap_accepted", "roadmap_missing",
                  "report_due", "report_submitted", "report_revision", "completed", "report_missing")
FINAL_STATUSES = ("completed", "report_missing")
DELIVERABLE_KINDS = ("roadmap", "report")
DELIVERABLE_STATUSES = ("draft", "submitted", "revision_requested", "accepted", "missing")


class ReferentCycle(db.Model):
    """One domain of an Action Plan, one period: the referents' roadmap and report."""

    __tablename__ = "referent_cycles"
    # One case per domain and period (overlapping periods are refused before this is reached).
    __table_args__ = (UniqueConstraint("domain_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_plan_code: Mapped[str] = mapped_column(ForeignKey("action_plans.code"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # The zone the period's days and the due dates are read in (IANA name).
    timezone: Mapped[str] = mapped_column(String(64))
    roadmap_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    report_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(30), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    domain: Mapped[Domain] = relationship(lazy="joined")
    partner_rows: Mapped[list["ReferentCyclePartner"]] = relationship(
        order_by="ReferentCyclePartner.position", cascade="all, delete-orphan", lazy="selectin")
    deliverables: Mapped[list["ReferentDeliverable"]] = relationship(
        order_by="ReferentDeliverable.kind", cascade="all, delete-orphan", lazy="selectin", back_populates="cycle")

    @property
    def partner_codes(self) -> list[str]:
        return [row.partner_code for row in self.partner_rows]

    def deliverable(self, kind: str) -> "ReferentDeliverable":
        return next(d for d in self.deliverables if d.kind == kind)


class ReferentCyclePartner(db.Model):
    """A referent partner of one cycle (the domain's referents by default, changeable)."""

    __tablename__ = "referent_cycle_partners"
    __table_args__ = (UniqueConstraint("cycle_id", "partner_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("referent_cycles.id", ondelete="CASCADE"), index=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    partner: Mapped[Partner] = relationship(lazy="joined")


class ReferentDeliverable(db.Model):
    """The roadmap or the report of a cycle: one shared draft, edited by every focal point of
    every referent partner, submitted by one of them, reviewed by the Secretariat.

    `content` holds the form's answers except the Action Plan objectives and actions, which are
    rows of `referent_action_plan_links`."""

    __tablename__ = "referent_deliverables"
    __table_args__ = (UniqueConstraint("cycle_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("referent_cycles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The Steering Committee's comments on an accepted roadmap are taken until then.
    comments_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A save over answers someone else saved in the meantime is refused, never lost.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    cycle: Mapped[ReferentCycle] = relationship(back_populates="deliverables")
    # Loaded with the deliverables of a page of cycles at once (a list makes no query per row).
    updated_by: Mapped[Contact | None] = relationship(foreign_keys=[updated_by_id], lazy="selectin")
    submitted_by: Mapped[Contact | None] = relationship(foreign_keys=[submitted_by_id], lazy="selectin")
    reviews: Mapped[list["DeliverableReview"]] = relationship(order_by="DeliverableReview.id",
                                                               cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class DeliverableReview(db.Model):
    """The Secretariat's decision on a submitted roadmap or report: accept, or revise (why)."""

    __tablename__ = "referent_deliverable_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("referent_deliverables.id", ondelete="CASCADE"),
                                                index=True)
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    reviewed_by: Mapped[Contact | None] = relationship(lazy="selectin")


class RoadmapComment(db.Model):
    """A Steering Committee member's comment on an accepted roadmap: kept, shown, never blocking."""

    __tablename__ = "referent_roadmap_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("referent_cycles.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    partner_code: Mapped[str | None] = mapped_column(ForeignKey("partners.code"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("action_links.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(lazy="joined")


class ThematicMeeting(db.Model):
    """A thematic meeting held: a record of its own, in a cycle's domain or not."""

    __tablename__ = "thematic_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    action_plan_code: Mapped[str] = mapped_column(ForeignKey("action_plans.code"))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("referent_cycles.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300))
    participants: Mapped[int] = mapped_column(Integer)
    countries: Mapped[int] = mapped_column(Integer)
    conclusions: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    evaluation_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    co_chair_rows: Mapped[list["ThematicMeetingCoChair"]] = relationship(
        order_by="ThematicMeetingCoChair.position", cascade="all, delete-orphan", lazy="selectin")
    documents: Mapped[list["ThematicMeetingDocument"]] = relationship(
        order_by="ThematicMeetingDocument.id", cascade="all, delete-orphan", lazy="selectin")

    @property
    def co_chairs(self) -> list[str]:
        return [row.partner_code for row in self.co_chair_rows]


class ThematicMeetingCoChair(db.Model):
    __tablename__ = "thematic_meeting_co_chairs"
    __table_args__ = (UniqueConstraint("meeting_id", "partner_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("thematic_meetings.id", ondelete="CASCADE"), index=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    partner: Mapped[Partner] = relationship(lazy="joined")


class ThematicMeetingDocument(db.Model):
    __tablename__ = "thematic_meeting_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("thematic_meetings.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeetingEvaluation(db.Model):
    """One participant's answer to the evaluation questionnaire, anonymous: no link, no
    contact and no time are kept with it, and its key is random (no order to match links by)."""

    __tablename__ = "thematic_meeting_evaluations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("thematic_meetings.id", ondelete="CASCADE"), index=True)
    met_expectations: Mapped[str] = mapped_column(String(10))  # yes, partly, no
    usefulness: Mapped[int] = mapped_column(Integer)  # 1 (not useful) to 5 (very useful)
    recommendations: Mapped[str] = mapped_column(Text, default="")


class ActionPlanLink(db.Model):
    """One Action Plan objective (and, when chosen, one of its actions) served by a roadmap's
    or report's activity, by a report as a whole, or by a thematic meeting: the rows the
    coverage of the Action Plan is counted from."""

    __tablename__ = "referent_action_plan_links"
    __table_args__ = (
        CheckConstraint("(deliverable_id IS NULL) <> (meeting_id IS NULL)", name="one_source"),
        Index("ix_referent_action_plan_links_objective", "objective_id", "action_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int | None] = mapped_column(
        ForeignKey("referent_deliverables.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("thematic_meetings.id", ondelete="CASCADE"),
                                                   index=True)
    # The activity's position (from 1) in the deliverable; None: the deliverable or meeting itself.
    activity: Mapped[int | None] = mapped_column(Integer)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)

    objective: Mapped[Objective] = relationship(lazy="joined")
    action: Mapped[Action | None] = relationship(lazy="joined")
