"""A roadmap's or report's answers as the form takes them: the stored content, with the
objectives and actions put back from their link rows."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from . import coverage
from .models import ReferentDeliverable


def jsonable(value):
    """Dates as ISO text, at any depth (what the JSON column and the API hold)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def form_values(deliverable: ReferentDeliverable) -> dict[str, Any]:
    """The deliverable's answers as the form takes them, objectives and actions included."""
    values = jsonable(dict(deliverable.content or {}))
    served = coverage.numbers(deliverable_id=deliverable.id) if deliverable.id else {}
    empty = {"objectives": [], "actions": []}
    if deliverable.kind == "roadmap":
        values["activities"] = [{**activity, **served.get(i, empty)}
                                for i, activity in enumerate(values.get("activities") or [], start=1)]
    else:
        values.update(served.get(None, empty))
    return values
