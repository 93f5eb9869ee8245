"""Reference data: Action Plans, GCM objectives, partners, committees, presidencies, referents.

Loaded from the files in `config/reference/` by `flask --app service setup`; bilingual texts
are kept as `*_en` / `*_fr` column pairs.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class ActionPlan(db.Model):
    __tablename__ = "action_plans"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean, default=False)

    domains: Mapped[list["Domain"]] = relationship(
        order_by="Domain.number", cascade="all, delete-orphan", back_populates="action_plan"
    )


class Domain(db.Model):
    __tablename__ = "domains"
    __table_args__ = (UniqueConstraint("action_plan_code", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_plan_code: Mapped[str] = mapped_column(ForeignKey("action_plans.code"))
    number: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(Text)
    title_fr: Mapped[str] = mapped_column(Text)

    action_plan: Mapped[ActionPlan] = relationship(back_populates="domains")
    objectives: Mapped[list["Objective"]] = relationship(
        order_by="Objective.number", cascade="all, delete-orphan", back_populates="domain"
    )


class Objective(db.Model):
    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("domain_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    number: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(Text)
    title_fr: Mapped[str] = mapped_column(Text)
    to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)

    domain: Mapped[Domain] = relationship(back_populates="objectives")
    actions: Mapped[list["Action"]] = relationship(
        order_by="Action.number", cascade="all, delete-orphan", back_populates="objective"
    )


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("objective_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id"))
    number: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(Text)
    title_fr: Mapped[str] = mapped_column(Text)
    to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)

    objective: Mapped[Objective] = relationship(back_populates="actions")


class GcmObjective(db.Model):
    __tablename__ = "gcm_objectives"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title_en: Mapped[str] = mapped_column(Text)
    title_fr: Mapped[str] = mapped_column(Text)


class Partner(db.Model):
    """A partner country or organisation, or an observer."""

    __tablename__ = "partners"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # country, organisation
    region: Mapped[str | None] = mapped_column(String(20))  # africa, europe
    status: Mapped[str] = mapped_column(String(20))  # partner, observer


class Committee(db.Model):
    __tablename__ = "committees"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))

    members: Mapped[list["CommitteeMember"]] = relationship(
        order_by="CommitteeMember.partner_code", cascade="all, delete-orphan"
    )


class CommitteeMember(db.Model):
    __tablename__ = "committee_members"
    __table_args__ = (UniqueConstraint("committee_code", "partner_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_code: Mapped[str] = mapped_column(ForeignKey("committees.code"))
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)

    partner: Mapped[Partner] = relationship(lazy="joined")


class Presidency(db.Model):
    """One Presidency's term in the timeline; the current one has no `end` yet.

    Seeded from `config/reference/presidencies.yaml` into an empty table; from then on the
    presidency handover owns it: it closes the outgoing term and adds the incoming one at the
    Senior Officials' Meeting (`set_by_handover_id`), and `setup` never changes such a row.
    """

    __tablename__ = "presidencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    handover_event_en: Mapped[str | None] = mapped_column(String(300))
    handover_event_fr: Mapped[str | None] = mapped_column(String(300))
    # The announced end of the term: its handover opens HANDOVER_OPENS_BEFORE this date.
    term_end: Mapped[date | None] = mapped_column(Date)
    # How notices name it: "the Nigerian Presidency", "la Présidence nigériane".
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_fr: Mapped[str | None] = mapped_column(String(200))
    # The handover that wrote this row (opened or closed the term), if one did.
    set_by_handover_id: Mapped[int | None] = mapped_column(Integer)

    partner: Mapped[Partner] = relationship(lazy="joined")


class Referent(db.Model):
    """A referent country of one domain of an Action Plan."""

    __tablename__ = "referents"
    __table_args__ = (UniqueConstraint("domain_id", "partner_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"))

    domain: Mapped[Domain] = relationship(lazy="joined")
    partner: Mapped[Partner] = relationship(lazy="joined")
