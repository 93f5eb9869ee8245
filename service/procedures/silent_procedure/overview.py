"""What the pages show of silent procedures: one procedure with every member it addresses and
their responses, the list of procedures, filtered, sorted and paged in SQL, and how an ended
procedure ended (for a member's link followed afterwards).

Reads only; a fixed number of queries whatever the number of members or procedures.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from service.extensions import db
from service.i18n import localized
from service.models import Contact, DeskLine, Partner

from .models import DeadlineExtension, ProcedureRecipient, ProcedureResponse, SilentProcedure
from .models import STATUSES

SORTS = ("newest", "deadline")


@dataclass
class Member:
    """A state or organisation addressed: its contacts, and what it answered (nothing yet: [])."""

    code: str
    partner: Partner
    can_break: bool
    contacts: list[Contact] = field(default_factory=list)
    responses: list[ProcedureResponse] = field(default_factory=list)


@dataclass
class Overview:
    procedure: SilentProcedure
    members: list[Member]
    extensions: list[DeadlineExtension]
    relaunched_as: int | None
    # The matter the procedure decides on, when another procedure launched it (a labelling
    # request): its desk line, which names it and gives its page.
    part_of: DeskLine | None

    @property
    def answered(self) -> int:
        return sum(1 for m in self.members if m.can_break and any(r.counted for r in m.responses))

    @property
    def may_break(self) -> int:
        return sum(1 for m in self.members if m.can_break)


def overview(procedure: SilentProcedure) -> Overview:
    """The procedure page's content: members in name order, each response in receipt order."""
    members: dict[str, Member] = {}
    rows = db.session.execute(
        select(ProcedureRecipient, Partner)  # the recipient's contact comes joined
        .join(Partner, Partner.code == ProcedureRecipient.partner_code)
        .where(ProcedureRecipient.procedure_id == procedure.id)
        .order_by(ProcedureRecipient.partner_code, ProcedureRecipient.id)).all()
    for recipient, partner in rows:
        member = members.setdefault(recipient.partner_code, Member(recipient.partner_code, partner, False))
        member.can_break = member.can_break or recipient.can_break
        member.contacts.append(recipient.contact)
    responses = db.session.scalars(
        select(ProcedureResponse).where(ProcedureResponse.procedure_id == procedure.id)
        .order_by(ProcedureResponse.received_at, ProcedureResponse.id)).all()
    for response in responses:
        if response.partner_code in members:
            members[response.partner_code].responses.append(response)
    extensions = db.session.scalars(
        select(DeadlineExtension).where(DeadlineExtension.procedure_id == procedure.id)
        .options(selectinload(DeadlineExtension.extended_by)).order_by(DeadlineExtension.id)).all()
    relaunched_as = db.session.scalar(
        select(SilentProcedure.id).where(SilentProcedure.relaunch_of_id == procedure.id))
    part_of = db.session.scalar(
        select(DeskLine).where(DeskLine.case_id == procedure.case_id, DeskLine.procedure != "silent_procedure")
        .order_by(DeskLine.procedure).limit(1)) if procedure.case_id else None
    ordered = sorted(members.values(), key=lambda m: (not m.can_break, m.code))
    return Overview(procedure, ordered, list(extensions), relaunched_as, part_of)


@dataclass(frozen=True)
class Line:
    """A procedure in the list, with how many members may break silence and how many answered."""

    procedure: SilentProcedure
    members: int
    answered: int


@dataclass(frozen=True)
class ListPage:
    lines: list[Line]
    number: int
    has_next: bool


def listing(status: str | None, sort: str, number: int, size: int) -> ListPage:
    """Page `number` (from 1) of the procedures, in a stable order: newest launched first, or
    the nearest deadline first; the counts come in the same query."""
    may_break = (select(ProcedureRecipient.partner_code)
                 .where(ProcedureRecipient.procedure_id == SilentProcedure.id, ProcedureRecipient.can_break.is_(True)))
    members = (select(func.count(func.distinct(ProcedureRecipient.partner_code)))
               .where(ProcedureRecipient.procedure_id == SilentProcedure.id, ProcedureRecipient.can_break.is_(True))
               .correlate(SilentProcedure).scalar_subquery())
    answered = (select(func.count(func.distinct(ProcedureResponse.partner_code)))
                .where(and_(ProcedureResponse.procedure_id == SilentProcedure.id, ProcedureResponse.counted.is_(True),
                            ProcedureResponse.partner_code.in_(may_break.correlate(SilentProcedure))))
                .correlate(SilentProcedure).scalar_subquery())
    query = select(SilentProcedure, members, answered)
    if status in STATUSES:
        query = query.where(SilentProcedure.status == status)
    if sort == "deadline":
        query = query.order_by(SilentProcedure.deadline_at, SilentProcedure.id)
    else:
        query = query.order_by(SilentProcedure.launched_at.desc(), SilentProcedure.id.desc())
    rows = db.session.execute(query.offset((number - 1) * size).limit(size + 1)).all()
    return ListPage([Line(p, m or 0, a or 0) for p, m, a in rows[:size]], number, len(rows) > size)


def ending(procedure: SilentProcedure) -> dict | None:
    """How a closed procedure ended, for whoever follows one of its links afterwards."""
    if procedure.status == "open":
        return None
    breaker = breaker_name = None
    if procedure.status == "silence_broken":
        # What broke silence and the member's name, in one query (no contact to load).
        found = db.session.execute(
            select(ProcedureResponse.kind, Partner).join(Partner, Partner.code == ProcedureResponse.partner_code)
            .where(ProcedureResponse.procedure_id == procedure.id, ProcedureResponse.counted.is_(True),
                   ProcedureResponse.kind.in_(("objection", "amendment")))
            .order_by(ProcedureResponse.received_at).limit(1)).first()
        if found is not None:
            breaker, breaker_name = SimpleNamespace(kind=found[0]), localized(found[1])
    relaunched_as = db.session.execute(
        select(SilentProcedure.id, SilentProcedure.deadline_at, SilentProcedure.timezone)
        .where(SilentProcedure.relaunch_of_id == procedure.id).limit(1)).first()
    return {"status": procedure.status, "closed_at": procedure.closed_at, "timezone": procedure.timezone,
            "reason": procedure.withdrawal_reason, "breaker": breaker, "breaker_name": breaker_name,
            "relaunched_as": relaunched_as}
