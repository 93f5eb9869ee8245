"""What the API and the pages show of a handover: plain values, one function per part."""
from __future__ import annotations

from sqlalchemy import select

from service.extensions import db
from service.models import CaseTask, Partner

from . import checklist, programme, results
from .models import Handover


def _iso(value):
    return value.isoformat() if value else None


def _partner(partner: Partner | None) -> dict | None:
    if partner is None:
        return None
    return {"code": partner.code, "name": {"en": partner.name_en, "fr": partner.name_fr}}


def open_tasks(rows: list[Handover]) -> dict[int, list[str]]:
    """The open tasks of each handover's case, in one query: case id -> task ids."""
    found: dict[int, list[str]] = {}
    case_ids = [r.case_id for r in rows if r.case_id]
    if case_ids:
        for case_id, bpmn_id in db.session.execute(select(CaseTask.case_id, CaseTask.bpmn_id)
                                                   .where(CaseTask.case_id.in_(case_ids))):
            found.setdefault(case_id, []).append(bpmn_id)
    return found


def handover(row: Handover, tasks: dict[int, list[str]] | None = None) -> dict:
    """`tasks`: the open tasks of several handovers read at once (`open_tasks`)."""
    tasks = sorted((tasks if tasks is not None else open_tasks([row])).get(row.case_id, []))
    return {
        "id": row.id, "status": row.status, "outgoing": _partner(row.outgoing), "incoming": _partner(row.incoming),
        "incoming_title": {"en": row.incoming_title_en, "fr": row.incoming_title_fr},
        "som_date": _iso(row.som_date), "som_place": row.som_place, "som_timezone": row.som_timezone,
        "som_at": _iso(row.som_at), "opens_at": _iso(row.opens_at), "opened_at": _iso(row.opened_at),
        "opened_by": row.opened_by.email if row.opened_by else ("service" if row.opened_at else None),
        "passed_at": _iso(row.passed_at), "completed_at": _iso(row.completed_at), "case_id": row.case_id,
        "open_tasks": tasks, "version": row.version,
    }


def summary(row: Handover) -> dict | None:
    found = results.of(row)
    if found is None:
        return None
    return {"figures": found.figures, "computed_at": _iso(found.computed_at), "highlights": found.highlights,
            "activities": found.activities, "final": found.final_at is not None, "final_at": _iso(found.final_at),
            "final_by": found.final_by.email if found.final_by else None, "version": found.version}


def programme_of(row: Handover) -> dict | None:
    found = programme.of(row)
    if found is None:
        return None
    return {"partner": found.partner_code, "status": found.status, "vision": found.vision,
            "priorities": found.priorities, "activities": found.activities, "next_som_date": _iso(found.next_som_date),
            "next_som_place": found.next_som_place, "submitted_at": _iso(found.submitted_at),
            "revision_comment": found.revision_comment, "silent_procedure_id": found.silent_procedure_id,
            "endorsed_by": found.endorsed_by, "endorsed_at": _iso(found.endorsed_at),
            "decision_date": _iso(found.decision_date), "decision_note": found.decision_note, "version": found.version}


def checklist_of(row: Handover) -> list[dict]:
    return [{"id": item.id, "key": item.key, "title": checklist.title(item), "due_date": _iso(item.due_date),
             "done": item.done_at is not None, "done_at": _iso(item.done_at),
             "done_by": item.done_by.email if item.done_by else None, "note": item.note,
             "reminders_sent": item.reminders_sent} for item in checklist.items_of(row.id)]
