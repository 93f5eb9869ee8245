"""`/api/cases`: start a case, read one (status, ready tasks, timers, timeline)."""
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from .. import cases
from ..extensions import db
from ..models import AuditEntry, CaseTimer
from .auth import require_contact
from .schemas import CaseCreateSchema, CaseSchema

blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="Cases (running processes)")


def case_view(case) -> dict:
    return {
        "id": case.id,
        "process_id": case.process_id,
        "process_version": case.process_version,
        "status": case.status,
        "version": case.version,
        "data": case.data,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "completed_at": case.completed_at,
        "ready_tasks": cases.open_tasks(case.id),
        "timers": db.session.scalars(
            select(CaseTimer).where(CaseTimer.case_id == case.id).order_by(CaseTimer.due_at)
        ).all(),
        "timeline": db.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.at, AuditEntry.id)
        ).all(),
    }


@blp.route("", methods=["POST"])
@blp.arguments(CaseCreateSchema)
@blp.response(201, CaseSchema)
def start_case(body):
    """Start a case of a process with initial data (Secretariat)."""
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
    return case_view(case)
