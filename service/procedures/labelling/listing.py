"""The labelling pages' lists, filtered and paged in SQL in a stable order (the id breaks ties):
the requests a person may see, and the public register of labelled initiatives."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from service.extensions import db
from service.models import Contact

from .models import LabellingRequest
from .register import register_query
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
    """Labelled initiatives, the latest labelled first, filtered as `register.register_query` says."""
    if filters.get("year") and not 1 <= filters["year"] <= 9999:  # no initiative runs outside the calendar's years
        return Page([], 1, False)
    return _page(register_query(filters), number, size)
