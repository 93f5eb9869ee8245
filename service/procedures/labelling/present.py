"""What the labelling pages show: names, not codes (partners, actions, Global Compact objectives),
read for a whole page of requests at once, and the responses that broke a silence."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from service import reference
from service.extensions import db
from service.models import GcmObjective, Partner
from service.procedures.silent_procedure.models import ProcedureResponse, SilentProcedure

from .models import LabellingRequest

#: How the partners are grouped where one chooses among them (code of `Partner.region`).
REGIONS = (("africa", _l("African countries")), ("europe", _l("European countries")),
           (None, _l("Organisations")))


@dataclass
class Names:
    """The reference rows a page's requests name, each read once for the whole page."""

    partners: dict[str, Partner] = field(default_factory=dict)
    actions: dict[int, tuple] = field(default_factory=dict)  # number -> (domain, objective, action)
    gcm: dict[int, GcmObjective] = field(default_factory=dict)

    def partner(self, code: str | None):
        return self.partners.get(code) if code else None


def names_for(requests: list[LabellingRequest]) -> Names:
    """Three queries whatever the number of requests."""
    codes = {code for r in requests for code in [r.partner_code, r.lead_partner, *(r.partners or [])] if code}
    numbers = {n for r in requests for n in (r.actions or [])}
    objectives = {n for r in requests for n in (r.gcm_objectives or [])}
    names = Names()
    if codes:
        names.partners = {p.code: p for p in db.session.scalars(select(Partner).where(Partner.code.in_(codes)))}
    if numbers:
        names.actions = {a.number: (d, o, a) for d, o, a in reference.actions_by_number(numbers)}
    if objectives:
        names.gcm = {o.number: o for o in db.session.scalars(
            select(GcmObjective).where(GcmObjective.number.in_(objectives)).order_by(GcmObjective.number))}
    return names


def partner_groups(partners: list[Partner]) -> list[tuple[Any, list[Partner]]]:
    """(region's words, its partners) in the order of `REGIONS`; empty regions left out."""
    groups = []
    for code, words in REGIONS:
        members = [p for p in partners if p.region == code]
        if members:
            groups.append((words, members))
    return groups


@dataclass
class BrokenSilence:
    """The silent procedure a request went to, and who objected or asked for an amendment, and why."""

    procedure: SilentProcedure
    responses: list[tuple[ProcedureResponse, Partner | None]]


def broken_silence(request: LabellingRequest) -> BrokenSilence | None:
    if request.silent_procedure_id is None:
        return None
    procedure = db.session.get(SilentProcedure, request.silent_procedure_id)
    rows = db.session.execute(
        select(ProcedureResponse, Partner).join(Partner, Partner.code == ProcedureResponse.partner_code, isouter=True)
        .where(ProcedureResponse.procedure_id == procedure.id,
               ProcedureResponse.kind.in_(("objection", "amendment")))
        .order_by(ProcedureResponse.received_at, ProcedureResponse.id)).all()
    return BrokenSilence(procedure, [tuple(row) for row in rows])
