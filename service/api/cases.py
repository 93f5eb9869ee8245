"""`/api/cases`: start a case, read one (status, ready tasks, timers, timeline).

What a step answers (starting a case, completing a task) leaves the timeline out: it grows with
the case, and the caller has just made its last line; `GET /api/cases/{id}` tells it."""
from flask import make_response
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from sqlalchemy import bindparam, select

from .. import cases
from ..extensions import db
from ..models import AuditEntry, CaseTimer
from . import pagination
from .auth import require_contact
from .schemas import CaseCreateSchema, CaseQuerySchema, CaseSchema, CaseSummarySchema

blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="Cases (running processes)")


_TIMERS = select(CaseTimer).where(CaseTimer.case_id == bindparam("case_id")).order_by(CaseTimer.due_at)
_TIMELINE = select(AuditEntry).where(AuditEntry.case_id == bindparam("case_id")).order_by(AuditEntry.at, AuditEntry.id)


def case_view(case, timeline: bool = False) -> dict:
    view = {
        "id": case.id,
        "process_id": case.process_id,
        # Process versions never change once written: their hashes are known in memory.
        "process_version": {"content_hash": cases.process_version_hash(case.process_version_id)},
        "status": case.status,
        "version": case.version,
        "data": case.data,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "completed_at": case.completed_at,
        "ready_tasks": cases.open_tasks(case.id),
        "timers": db.session.scalars(_TIMERS, {"case_id": case.id}).all(),
    }
    if timeline:
        view["timeline"] = db.session.scalars(_TIMELINE, {"case_id": case.id}).all()
    return view


@blp.route("", methods=["GET"])
@blp.arguments(CaseQuerySchema, location="query")
@blp.response(200, CaseSummarySchema(many=True))
def list_cases(query):
    """Cases you may read (the Secretariat and the Presidency: all), newest first, filtered by
    process and status, in pages (`Link: rel=next`)."""
    actor = require_contact()
    limit = pagination.limit_of(query)
    after = query.get("after")
    before_id = int(after) if after and after.isdigit() and len(after) <= 10 else None
    found = cases.list_cases(actor, process_id=query.get("process"), status=query.get("status"),
                             before_id=before_id, limit=limit + 1)
    page, cursor = pagination.split(found, limit, lambda case: str(case.id))
    return pagination.with_next(make_response(CaseSummarySchema(many=True).dump(page)), cursor)


@blp.route("", methods=["POST"])
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseSchema)
def start_case(body):
    """Start a case of a process with initial data (Secretariat); the case without its timeline."""
    actor = require_contact()
    case = cases.start_case(body["process"], body["data"], actor)
    return case_view(case)


@blp.route("/<int:case_id>")
@blp.response(200, CaseSchema)
def get_case(case_id):
    """One case: status, ready tasks, waiting timers and its timeline."""
    actor = require_contact()
    case = cases.get_case(case_id)
    if not cases.may_read_case(case, actor):
        abort(404, message=gettext("No case %(number)s.", number=case_id))
    return case_view(case, timeline=True)
