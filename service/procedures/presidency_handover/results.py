"""The outgoing Presidency's results summary: pre-filled from the records of its term when the
handover opens, completed (highlights, activities held that the service has no record of) by
the outgoing Presidency or the Secretariat, counted again from the records on every change, and
frozen when made final."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from service import cases
from service.errors import Conflict, Forbidden
from service.extensions import db
from service.models import Contact
from service.unit_of_work import use_case
from workflows import clock

from . import summary
from .models import Handover, ResultsSummary
from .access import get, is_outgoing, touch


def _figures(handover: Handover, activities: list[dict]) -> dict:
    # After the SOM the term is over: its records are those until the SOM.
    end = handover.som_at if handover.status in ("passed", "completed") else None
    return summary.compute(handover.presidency.start, activities, end)


def create_summary(handover: Handover) -> ResultsSummary:
    """The summary, pre-filled from the records (inside the caller's unit of work)."""
    row = db.session.scalar(select(ResultsSummary).where(ResultsSummary.handover_id == handover.id))
    if row is None:
        row = ResultsSummary(handover_id=handover.id, figures=_figures(handover, []), computed_at=clock.now(),
                             highlights="", activities=[])
        db.session.add(row)
    return row


def of(handover: Handover) -> ResultsSummary | None:
    return db.session.scalar(select(ResultsSummary).where(ResultsSummary.handover_id == handover.id))


def _editable(handover_id: int, actor: Contact) -> tuple[Handover, ResultsSummary]:
    handover = get(handover_id, actor)
    if not (actor.has_role("secretariat") or is_outgoing(handover, actor)):
        raise Forbidden(gettext("Only the outgoing Presidency or the Secretariat may change its results summary."))
    row = of(handover)
    if row is None:
        raise Conflict(gettext("The results summary exists once the handover is open."))
    if row.final_at is not None:
        raise Conflict(gettext("The results summary was made final on %(date)s: it can no longer be changed.",
                               date=row.final_at.date().isoformat()))
    return handover, row


@use_case
def update(handover_id: int, data: dict, actor: Contact, version: int | None = None) -> ResultsSummary:
    """Highlights and the activities held; the figures are counted again from the records."""
    handover, row = _editable(handover_id, actor)
    if version is not None and version != row.version:
        raise Conflict(gettext("Someone else saved this summary in the meantime; reload it and try again."))
    if "highlights" in data:
        row.highlights = data["highlights"]
    if "activities" in data:
        row.activities = [{**a, "date": a["date"].isoformat()} for a in data["activities"]]
    row.figures, row.computed_at = _figures(handover, row.activities), clock.now()
    row.updated_at, row.updated_by_id = clock.now(), actor.id
    touch(handover)
    return row


@use_case
def refresh(handover_id: int, actor: Contact) -> ResultsSummary:
    """Count the figures again from the records, as they stand now."""
    handover, row = _editable(handover_id, actor)
    row.figures, row.computed_at = _figures(handover, row.activities), clock.now()
    touch(handover)
    return row


@use_case
def make_final(handover_id: int, actor: Contact) -> ResultsSummary:
    """Freeze the summary as it stands, counted one last time."""
    handover, row = _editable(handover_id, actor)
    task = cases.open_task(handover.case_id, "finalise_summary")
    if task is None:
        raise Conflict(gettext("The results summary is not waiting to be made final."))
    row.figures, row.computed_at = _figures(handover, row.activities), clock.now()
    row.final_at, row.final_by_id = clock.now(), actor.id
    touch(handover)
    cases.step_task(task, {"summary_final": True}, actor)
    return row
