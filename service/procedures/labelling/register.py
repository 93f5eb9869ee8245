"""The public register of labelled initiatives: filtered in SQL, newest first, and its entries."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select

from service.extensions import db
from service.models import Action, Domain, Objective

from . import actions as request_actions
from .models import LabellingRequest, LabellingRequestAction


def _holds(column, values):
    """The JSON list in `column` holds one of `values`: an EXISTS over its items."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        items = func.json_array_elements_text(column).table_valued("value")
        values = [str(v) for v in values]
    else:
        items = func.json_each(column).table_valued("value")
    return select(1).select_from(items).where(items.c.value.in_(values)).exists()


def register_query(filters: dict[str, Any]):
    """Labelled initiatives, filtered by domain, objective, action, partner, type and year,
    newest labelled first (the order the keyset pages follow)."""
    query = select(LabellingRequest).where(LabellingRequest.status == "labelled")
    served = select(LabellingRequestAction.request_id).where(
        LabellingRequestAction.request_id == LabellingRequest.id)
    if filters.get("action"):
        query = query.where(served.join(Action, Action.id == LabellingRequestAction.action_id)
                            .where(Action.number == filters["action"]).exists())
    if filters.get("objective") or filters.get("domain"):
        in_plan = served.join(Objective, Objective.id == LabellingRequestAction.objective_id).join(Domain)
        if filters.get("objective"):
            in_plan = in_plan.where(Objective.number == filters["objective"])
        if filters.get("domain"):
            in_plan = in_plan.where(Domain.number == filters["domain"])
        query = query.where(in_plan.exists())
    if filters.get("partner"):
        code = filters["partner"]
        query = query.where(or_(LabellingRequest.lead_partner == code, _holds(LabellingRequest.partners, [code])))
    if filters.get("type"):
        query = query.where(LabellingRequest.type == filters["type"])
    if filters.get("year") and 1 <= filters["year"] <= 9999:
        year = filters["year"]
        query = query.where(LabellingRequest.start_date <= date(year, 12, 31),
                            func.coalesce(LabellingRequest.end_date, LabellingRequest.start_date) >= date(year, 1, 1))
    return query.order_by(LabellingRequest.labelled_at.desc(), LabellingRequest.id.desc())


def register(filters: dict[str, Any]) -> list[LabellingRequest]:
    """Every labelled initiative the filters keep (the CSV export), newest first."""
    return list(db.session.scalars(register_query(filters)))


def register_page(filters: dict[str, Any], after: tuple[datetime, int] | None, limit: int) -> list[LabellingRequest]:
    """`limit` initiatives after the cursor (labelled at, id), in the register's order."""
    query = register_query(filters)
    if after is not None:
        moment, request_id = after
        query = query.where(or_(LabellingRequest.labelled_at < moment,
                                and_(LabellingRequest.labelled_at == moment, LabellingRequest.id < request_id)))
    return list(db.session.scalars(query.limit(limit)))


def register_entries(rows: list[LabellingRequest], language: str = "en") -> list[dict[str, Any]]:
    """The entries of many initiatives, their actions read in one query."""
    served = request_actions.of(row.id for row in rows)
    return [register_entry(row, language, actions=served.get(row.id, [])) for row in rows]


def register_entry(row: LabellingRequest, language: str = "en", actions: list[dict] | None = None) -> dict[str, Any]:
    if actions is None:
        actions = request_actions.of([row.id]).get(row.id, [])
    return {
        "id": row.id, "title": row.title, "type": row.type, "lead_partner": row.lead_partner, "partners": row.partners,
        "implementing_organisations": row.implementing_organisations,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None, "location": row.location,
        "budget_eur": str(row.budget_eur) if row.budget_eur is not None else None,
        # Today's titles (the Secretariat may correct them); the decision's text kept those it quoted.
        "actions": actions,
        "gcm_objectives": row.gcm_objectives, "summary": row.summary,
        "labelled_at": row.labelled_at.isoformat() if row.labelled_at else None,
        "results": row.results, "results_submitted_at": row.results_submitted_at.isoformat() if row.results_submitted_at else None,
    }


def coverage_rows(start: date, end: date):
    """(id, title, objective id, action id) of the initiatives labelled and running between those days."""
    return (select(LabellingRequest.id, LabellingRequest.title, LabellingRequestAction.objective_id,
                   LabellingRequestAction.action_id)
            .join(LabellingRequestAction, LabellingRequestAction.request_id == LabellingRequest.id)
            .where(LabellingRequest.status == "labelled", LabellingRequest.start_date <= end,
                   func.coalesce(LabellingRequest.end_date, LabellingRequest.start_date) >= start))


def action_references(numbers: set[int]) -> list[str]:
    """The requests naming one of these actions (drafts too: their numbers would silently
    point elsewhere), as words. Only two columns are read; the JSON lists are compared here."""
    rows = db.session.execute(select(LabellingRequest.id, LabellingRequest.actions).order_by(LabellingRequest.id)).all()
    return [gettext("labelling request no. %(number)s", number=row.id)
            for row in rows if numbers.intersection(row.actions or [])]
