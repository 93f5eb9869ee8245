"""The public register of labelled initiatives: filtered list and entries."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from service import reference
from service.extensions import db

from .models import LabellingRequest


def register(filters: dict[str, Any]) -> list[LabellingRequest]:
    """Labelled initiatives, filtered by domain, objective, action, partner, type and year."""
    rows = db.session.scalars(select(LabellingRequest).where(LabellingRequest.status == "labelled")
                              .order_by(LabellingRequest.labelled_at.desc(), LabellingRequest.id.desc())).all()
    wanted_actions = None
    if filters.get("domain") or filters.get("objective"):
        actions = reference.actions_by_number(reference.current_action_numbers())
        wanted_actions = {a.number for d, o, a in actions
                          if (not filters.get("domain") or d.number == filters["domain"])
                          and (not filters.get("objective") or o.number == filters["objective"])}
    result = []
    for row in rows:
        if wanted_actions is not None and not wanted_actions.intersection(row.actions):
            continue
        if filters.get("action") and filters["action"] not in row.actions:
            continue
        if filters.get("partner") and filters["partner"] != row.lead_partner and filters["partner"] not in row.partners:
            continue
        if filters.get("type") and filters["type"] != row.type:
            continue
        if filters.get("year") and not (row.start_date.year <= filters["year"] <= (row.end_date or row.start_date).year):
            continue
        result.append(row)
    return result


def register_entry(row: LabellingRequest, language: str = "en") -> dict[str, Any]:
    actions = reference.actions_by_number(row.actions)
    return {
        "id": row.id, "title": row.title, "type": row.type, "lead_partner": row.lead_partner, "partners": row.partners,
        "implementing_organisations": row.implementing_organisations,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None, "location": row.location,
        "budget_eur": str(row.budget_eur) if row.budget_eur is not None else None,
        # Today's titles (the Secretariat may correct them); the decision's text kept those it quoted.
        "actions": [{"domain": d.number, "objective": o.number, "action": a.number,
                     "title": {"en": a.title_en, "fr": a.title_fr}} for d, o, a in actions],
        "gcm_objectives": row.gcm_objectives, "summary": row.summary,
        "labelled_at": row.labelled_at.isoformat() if row.labelled_at else None,
        "results": row.results, "results_submitted_at": row.results_submitted_at.isoformat() if row.results_submitted_at else None,
    }


def action_references(numbers: set[int]) -> list[str]:
    """The requests naming one of these actions (drafts too: their numbers would silently
    point elsewhere), as words. Only two columns are read; the JSON lists are compared here."""
    rows = db.session.execute(select(LabellingRequest.id, LabellingRequest.actions).order_by(LabellingRequest.id)).all()
    return [gettext("labelling request no. %(number)s", number=row.id)
            for row in rows if numbers.intersection(row.actions or [])]
