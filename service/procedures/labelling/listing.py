"""The labelling pages' lists, filtered and paged in SQL in a stable order (the id breaks ties):
the requests a person may see, and the public register of labelled initiatives."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select

from service import reference
from service.extensions import db
from service.models import Contact

from .models import LabellingRequest
from .use_cases import READ_ALL

PAGE_SIZE = 25


@dataclass
class Page:
    rows: list[LabellingRequest]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _page(query: Select, number: int, size: int | None) -> Page:
    size = size or PAGE_SIZE
    number = min(max(number, 1), 100_000)  # an offset the databases take, past any real list
    rows = db.session.scalars(query.offset((number - 1) * size).limit(size + 1)).all()
    return Page(list(rows[:size]), number, len(rows) > size)


def _holds(column, values):
    """The JSON list in `column` holds one of `values`: an EXISTS over its items."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        items = func.json_array_elements_text(column).table_valued("value")
        values = [str(v) for v in values]
    else:
        items = func.json_each(column).table_valued("value")
    return select(1).select_from(items).where(items.c.value.in_(values)).exists()


def requests_page(actor: Contact, status: str | None = None, number: int = 1, size: int | None = None) -> Page:
    """The requests `actor` may read, newest first; a partner's focal points see their partner's."""
    query = select(LabellingRequest).order_by(LabellingRequest.id.desc())
    if not actor.has_role(*READ_ALL):
        if not actor.has_role("partner") or not actor.partner_code:
            return Page([], 1, False)
        query = query.where(LabellingRequest.partner_code == actor.partner_code)
    if status:
        query = query.where(LabellingRequest.status == status)
    return _page(query, number, size)


def register_page(filters: dict[str, Any], number: int = 1, size: int | None = None) -> Page:
    """Labelled initiatives, the latest labelled first, filtered by domain, objective, action,
    partner (lead or associated), type and year (the initiative runs during it)."""
    query = (select(LabellingRequest).where(LabellingRequest.status == "labelled")
             .order_by(LabellingRequest.labelled_at.desc(), LabellingRequest.id.desc()))
    if filters.get("domain") or filters.get("objective") or filters.get("action"):
        wanted = {a.number for d, o, a in reference.actions_by_number(reference.current_action_numbers())
                  if (not filters.get("domain") or d.number == filters["domain"])
                  and (not filters.get("objective") or o.number == filters["objective"])
                  and (not filters.get("action") or a.number == filters["action"])}
        if not wanted:
            return Page([], 1, False)
        query = query.where(_holds(LabellingRequest.actions, wanted))
    if filters.get("partner"):
        query = query.where(or_(LabellingRequest.lead_partner == filters["partner"],
                                _holds(LabellingRequest.partners, [filters["partner"]])))
    if filters.get("type"):
        query = query.where(LabellingRequest.type == filters["type"])
    if filters.get("year"):
        year = filters["year"]
        if not 1 <= year <= 9999:  # no initiative runs outside the calendar's years
            return Page([], 1, False)
        query = query.where(LabellingRequest.start_date <= date(year, 12, 31),
                            func.coalesce(LabellingRequest.end_date, LabellingRequest.start_date) >= date(year, 1, 1))
    return _page(query, number, size)
