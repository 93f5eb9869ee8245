"""What the API answers about cycles, their roadmap and report, comments and meetings."""
from __future__ import annotations

from typing import Any

from . import coverage, meetings
from .content import form_values
from .models import ReferentCycle, ReferentDeliverable, RoadmapComment, ThematicMeeting


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _email(contact) -> str | None:
    return contact.email if contact is not None else None


def deliverable(item: ReferentDeliverable, *, content: bool = True) -> dict[str, Any]:
    view = {
        "kind": item.kind, "status": item.status, "version": item.version,
        "updated_at": _iso(item.updated_at), "updated_by": _email(item.updated_by),
        "submitted_at": _iso(item.submitted_at), "submitted_by": _email(item.submitted_by),
        "accepted_at": _iso(item.accepted_at), "comments_until": _iso(item.comments_until),
        "reviews": [{"decision": r.decision, "comment": r.comment, "reviewed_at": _iso(r.reviewed_at),
                     "reviewed_by": _email(r.reviewed_by)} for r in item.reviews],
    }
    if content:
        view["content"] = form_values(item)
    return view


def cycle(item: ReferentCycle) -> dict[str, Any]:
    return {
        "id": item.id, "action_plan": item.action_plan_code, "domain": item.domain.number,
        "domain_title": {"en": item.domain.title_en, "fr": item.domain.title_fr},
        "partners": item.partner_codes, "period_start": item.period_start.isoformat(),
        "period_end": item.period_end.isoformat(), "timezone": item.timezone,
        "roadmap_due": _iso(item.roadmap_due_at), "report_due": _iso(item.report_due_at), "status": item.status,
        "case_id": item.case_id, "opened_at": _iso(item.opened_at),
        "roadmap": deliverable(item.deliverable("roadmap"), content=False),
        "report": deliverable(item.deliverable("report"), content=False),
    }


def comment(item: RoadmapComment) -> dict[str, Any]:
    return {"id": item.id, "member": item.partner_code, "contact": item.contact.email, "text": item.text,
            "received_at": _iso(item.received_at)}


def meetings_page(items: list[ThematicMeeting]) -> list[dict[str, Any]]:
    """A page of meetings: what they serve and their evaluations, read for the page at once."""
    served, summaries = coverage.meetings_numbers([m.id for m in items]), meetings.summaries(items)
    return [meeting(m, served[m.id], summaries[m.id]) for m in items]


def meeting(item: ThematicMeeting, served: dict | None = None, summary: dict | None = None) -> dict[str, Any]:
    if served is None:
        served = coverage.numbers(meeting_id=item.id).get(None, {"objectives": [], "actions": []})
    return {
        "id": item.id, "title": item.title, "action_plan": item.action_plan_code, "cycle_id": item.cycle_id,
        "co_chairs": item.co_chairs, "start_date": item.start_date.isoformat(), "end_date": item.end_date.isoformat(),
        "place": item.place, "participants": item.participants, "countries": item.countries,
        "conclusions": item.conclusions, "objectives": served["objectives"], "actions": served["actions"],
        "documents": [{"id": d.id, "filename": d.filename, "size": d.size, "sha256": d.sha256} for d in item.documents],
        "recorded_at": _iso(item.recorded_at), "evaluation": summary or meetings.summary(item),
    }
