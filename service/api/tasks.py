"""`/api/tasks`: list ready user tasks, complete one."""
from datetime import datetime

from flask import make_response
from flask_smorest import Blueprint

from .. import cases
from . import pagination
from .auth import require_contact
from .cases import case_view
from .schemas import CaseSchema, TaskCompleteSchema, TaskQuerySchema, TaskSchema

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="Ready user tasks")


def _after(cursor: str | None):
    """(created at, task id) from a cursor, or None when it is not one."""
    if not cursor or cursor.count("|") != 1:
        return None
    moment, task_id = cursor.split("|")
    try:
        created_at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return (created_at, task_id[:36]) if created_at.tzinfo is not None else None


@blp.route("")
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskSchema(many=True))
def list_tasks(query):
    """Ready tasks you may act on (the Secretariat and the Presidency see all), filtered, oldest
    first, in pages (`Link: rel=next`)."""
    actor = require_contact()
    limit = pagination.limit_of(query)
    tasks = cases.list_tasks(actor, role=query.get("role"), assignee=query.get("assignee"),
                             process_id=query.get("process"), case_id=query.get("case"),
                             after=_after(query.get("after")), limit=limit + 1)
    page, cursor = pagination.split(tasks, limit, lambda t: f"{t.created_at.isoformat()}|{t.id}")
    return pagination.with_next(make_response(TaskSchema(many=True).dump(page)), cursor)


@blp.route("/<task_id>/complete", methods=["POST"])
@blp.arguments(TaskCompleteSchema)
@blp.response(200, CaseSchema)
@blp.alt_response(409, description="The task was completed or changed by someone else first.")
@blp.alt_response(422, description="The data does not pass the task's form.")
def complete_task(body, task_id):
    """Complete a ready task with data checked by its form; the case without its timeline
    (`GET /api/cases/{id}` has it)."""
    actor = require_contact()
    case = cases.complete_task(task_id, body["data"], actor)
    return case_view(case)
