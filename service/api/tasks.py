"""`/api/tasks`: list ready user tasks, complete one."""
from flask_smorest import Blueprint

from .. import cases
from .auth import require_contact
from .cases import case_view
from .schemas import CaseSchema, TaskCompleteSchema, TaskQuerySchema, TaskSchema

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="Ready user tasks")


@blp.route("")
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskSchema(many=True))
def list_tasks(query):
    """Ready tasks you may act on (the Secretariat and the Presidency see all), filtered."""
    actor = require_contact()
    return cases.list_tasks(
        actor,
        role=query.get("role"),
        assignee=query.get("assignee"),
        process_id=query.get("process"),
        case_id=query.get("case"),
    )


@blp.route("/<task_id>/complete", methods=["POST"])
@blp.arguments(TaskCompleteSchema)
@blp.response(200, CaseSchema)
@blp.alt_response(409, description="The task was completed or changed by someone else first.")
@blp.alt_response(422, description="The data does not pass the task's form.")
def complete_task(body, task_id):
    """Complete a ready task with data checked by its form."""
    actor = require_contact()
    case = cases.complete_task(task_id, body["data"], actor)
    return case_view(case)
