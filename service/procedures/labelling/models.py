"""Labelling requests: a partner's initiative, its review, and (once labelled) its register entry."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from database import db
from database import UTCDateTime

STATUSES = ("draft", "submitted", "changes_requested", "in_silent_procedure", "silence_broken", "labelled", "not_labelled",
            "declined", "lapsed")
#: The fields of the labelling form, stored as columns of the request.
FORM_FIELDS = ("title", "type", "lead_partner", "partners", "implementing_organisations", "start_date", "end_date",
               "location", "budget_eur", "funding_source", "summary", "expected_results", "actions",
               "gcm_objectives", "contact_name", "contact_email")


class LabellingRequest(db.Model):
    __tablename__ = "labelling_requests"
    # The register (labelled, newest first) and a partner's requests (newest first) read an index.
    __table_args__ = (Index("ix_labelling_requests_status_labelled_at", "status", "labelled_at", "id"),
                      Index("ix_labelling_requests_partner_code_id", "partner_code", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # The partner whose focal points own the request (the one who drafted it).
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"), index=True)
    status: Mapped[str] = mapped_column(String(30), index=True, default="draft")
    title: Mapped[str | None] = mapped_column(String(300))
    type: Mapped[str | None] = mapped_column(String(30), index=True)
    lead_partner: Mapped[str | None] = mapped_column(String(20), index=True)
    partners: Mapped[list] = mapped_column(JSON, default=list)
    implementing_organisations: Mapped[list] = mapped_column(JSON, default=list)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(300))
    budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    funding_source: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    expected_results: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[list] = mapped_column(JSON, default=list)
    gcm_objectives: Mapped[list] = mapped_column(JSON, default=list)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    silent_procedure_id: Mapped[int | None] = mapped_column(ForeignKey("silent_procedures.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    decision_note: Mapped[str | None] = mapped_column(Text)
    labelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    results: Mapped[dict | None] = mapped_column(JSON)
    results_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two people editing the same draft: the second save is refused, not silently lost.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class LabellingRequestAction(db.Model):
    """One Action Plan action a request says its initiative serves (with the action's objective):
    the rows the register's filters and the Action Plan coverage read. The request's `actions`
    list is written in the same unit of work (it stays what the form shows)."""

    __tablename__ = "labelling_request_actions"
    __table_args__ = (Index("ix_labelling_request_actions_objective_id", "objective_id", "request_id"),
                      Index("ix_labelling_request_actions_action_id", "action_id", "request_id"))

    request_id: Mapped[int] = mapped_column(ForeignKey("labelling_requests.id", ondelete="CASCADE"),
                                            primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id"))
