"""Running BPMN cases with SpiffWorkflow: start, restore, step, inspect, save.

A `BpmnWorkflow` is never shared between threads: the service layer restores one from its
stored state for each use case, acts on it, saves it, and lets it go.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Iterable
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import clock  # noqa: F401 - installs the application clock in SpiffWorkflow
from .expressions import RestrictedScriptEngine
from .history import prune

class _StateEncoder(json.JSONEncoder):
    """Task data may hold dates and decimals from validated forms."""

    def default(self, value):
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return super().default(value)


class _CaseStateConverter(BpmnWorkflowConverter):
    """A case's state without its process spec.

    The spec belongs to the process version (parsed once from its BPMN, kept in memory), not to
    each case: leaving it out halves the stored state and the work of every save and restore.
    """

    def to_dict(self, workflow, tasks: bool = True):
        """`tasks=False`: the tasks are left for `dump` to write (`_task_json`); the other
        fields are `WorkflowConverter.to_dict`'s, which would convert every task."""
        dct = WorkflowConverter.to_dict(self, workflow) if tasks else {
            "data": self.registry.convert(self.registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "root": str(workflow.task_tree.id),
        }
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        if spec is None:
            raise ValueError("a case's state is restored with its process version's spec")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_SETTLED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.FUTURE | TaskState.PREDICTED_MASK


def _settled_key(task):
    """What a task's part of the state depends on, when nothing else can change it; None for a
    task whose part must be converted each time.

    SpiffWorkflow writes nothing more into a finished task (its data is copied to its
    children, never shared), nor into a predicted one (future, likely, maybe: no data until it
    is reached), except through what the key sees: its state or the time of it, its parent or
    list of children (a branch removed, a finished turn pruned: `history`), `triggered`; and
    its parent's state, against whose data its own is written as a difference. A workflow
    reset from a task changes the states it touches."""
    parent = task.parent
    if parent is None or not (task.state & _SETTLED and parent.state & _SETTLED):
        return None
    return (task.state, task.last_state_change, task.triggered, task._parent, tuple(task._children),
            parent.state, parent.last_state_change)


_CONFIG = dict(SPIFF_CONFIG)
_CONFIG[BpmnWorkflow] = _CaseStateConverter
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG), json_encoder_cls=_StateEncoder)

#: Stored with each case, so a future library upgrade can tell which format it reads.
STATE_FORMAT = f"spiffworkflow-3.2.0/serializer-{SERIALIZER.VERSION}/spec-by-version"


class NothingWaiting(Exception):
    """A message arrived for a case that is not waiting for it."""


@dataclass(frozen=True)
class UserTaskView:
    """What the service needs to know of a ready user task."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    assignee: str | None
    partner: str | None
    process_id: str


def _properties(task_spec) -> dict[str, str]:
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {})


class Services:
    """Collects what service tasks ask for during a step (e-mail notices, status changes).

    A service task names an operation (`spiffworkflow:serviceTaskOperator id="..."`) and its
    parameters (restricted expressions). Nothing runs here: the effect is recorded, and the
    service layer applies it in the same commit as the workflow state, so a notice exists
    exactly when the step that caused it was saved.
    """

    def __init__(self, operations: Iterable[str] = ("notify",)):
        self.effects: list[dict[str, Any]] = []
        self.names = tuple(operations)

    def operations(self) -> dict[str, Callable[..., Any]]:
        return {name: self._recorder(name) for name in self.names}

    def _recorder(self, name: str) -> Callable[..., Any]:
        def record(context, **params):
            self.effects.append({"operation": name, "params": params})
            # The task's result variable holds what was asked, e.g. an outcome a caller can test.
            return {"operation": name, **params}

        return record


def script_engine(services: Services) -> RestrictedScriptEngine:
    return RestrictedScriptEngine(services.operations())


def start(spec, subprocess_specs, data: dict[str, Any], services: Services) -> BpmnWorkflow:
    """A new workflow with `data` as its initial data, run until it waits."""
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine(services))
    workflow.task_tree.data.update(data)
    # The root's data flows into the start event and from there through the process.
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    return workflow


def restore(state: str, spec, subprocess_specs, services: Services) -> BpmnWorkflow:
    """The workflow saved by `dump`, on the spec of the process version it runs."""
    dct = json.loads(state)
    SERIALIZER.migrate(dct)
    workflow = SERIALIZER.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
    attach(workflow, services)
    return workflow


def attach(workflow: BpmnWorkflow, services: Services) -> None:
    """Give a workflow the script engine that collects this use case's effects."""
    workflow.script_engine = script_engine(services)


# Where the tasks go in the text of a state (a token no data can hold by chance).
_TASKS_HERE = f"tasks:{uuid4().hex}"
_ENCODE = SERIALIZER._encoder_cls(separators=(", ", ": ")).encode


def _task_json(task, registry) -> str:
    """`"id": {...}` of one task, the text remembered while `_settled_key` holds."""
    key = _settled_key(task)
    remembered = task.__dict__.get("_case_state_json")
    if key is not None and remembered is not None and remembered[0] == key:
        return remembered[1]
    text = f'"{task.id}": {_ENCODE(registry.convert(task))}'
    if key is not None:
        task._case_state_json = (key, text)
    return text


def dump(workflow: BpmnWorkflow) -> str:
    """The workflow's state, as SpiffWorkflow's serializer writes it (without the spec).

    The tasks' map is written apart, from each finished task's remembered text: a step encodes
    only the tasks it changed, not the whole history again."""
    registry = SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert_to_dict[registry.typenames[type(workflow)]](workflow, tasks=False)
        dct["tasks"] = _TASKS_HERE
        dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
        text = _ENCODE(dct)
        tasks = "{" + ", ".join(_task_json(task, registry) for task in workflow.tasks.values()) + "}"
    finally:
        registry._encoder_mode = False
    return text.replace(f'"{_TASKS_HERE}"', tasks, 1)


def _ready_manual(workflow: BpmnWorkflow) -> list:
    """The ready user tasks, in the order SpiffWorkflow's walk of the tree gives them.

    Every task is in the workflow's (or a subprocess's) map of tasks: one look at each finds
    them without the walk, which costs ten times more. Several at once (parallel branches) are
    put in the walk's order by the walk itself."""
    found = [task for tree in (workflow, *workflow.subprocesses.values()) for task in tree.tasks.values()
             if task.state == TaskState.READY and task.task_spec.manual]
    if len(found) > 1:
        return workflow.get_tasks(state=TaskState.READY, manual=True)
    return found


def ready_user_tasks(workflow: BpmnWorkflow) -> list[UserTaskView]:
    views = []
    for task in _ready_manual(workflow):
        props = _properties(task.task_spec)
        assignee = task.data.get(props["assignee"]) if props.get("assignee") else None
        partner = task.data.get(props["partner"]) if props.get("partner") else None
        views.append(
            UserTaskView(
                id=str(task.id),
                bpmn_id=task.task_spec.bpmn_id,
                name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                lane=task.task_spec.lane,
                form=props.get("form"),
                assignee=assignee,
                partner=partner if isinstance(partner, str) else None,
                process_id=task.workflow.spec.name,
            )
        )
    return views


def _run_engine(workflow: BpmnWorkflow) -> None:
    """Run the engine until the workflow waits, then drop the finished turns it will not read."""
    workflow.do_engine_steps()
    prune(workflow)


def complete_user_task(workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> None:
    """Complete a READY user task with `data` and run the engine until it waits."""
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise LookupError(task_id)
    task.data.update(data)
    task.run()
    _run_engine(workflow)


def fire_due_timers(workflow: BpmnWorkflow) -> None:
    """Let every timer whose due time has passed (by the application clock) move on."""
    workflow.refresh_timers()
    _run_engine(workflow)


def deliver_message(workflow: BpmnWorkflow, name: str, payload: dict[str, Any]) -> None:
    """Deliver message `name` with `payload`; `NothingWaiting` if no task waits for it."""
    try:
        workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
    except WorkflowException as error:
        raise NothingWaiting(str(error)) from None
    _run_engine(workflow)


def _due_time(event_value: Any) -> datetime | None:
    if isinstance(event_value, dict):  # a cycle: the next occurrence
        if event_value.get("cycles") == 0:
            return None
        event_value = event_value.get("next")
    if not isinstance(event_value, str):
        return None
    try:
        due = TimerEventDefinition.parse_time_or_duration(event_value)
    except Exception:
        return None
    if not isinstance(due, datetime):
        return None
    due = due.astimezone(timezone.utc)
    # A plain datetime, not the clock-aware stand-in SpiffWorkflow's module now builds.
    return datetime(*due.timetuple()[:6], due.microsecond, tzinfo=timezone.utc)


def waiting_timers(workflow: BpmnWorkflow) -> dict[str, datetime]:
    """Task id → due instant (UTC) of every timer the workflow is waiting on.

    Covers intermediate and boundary timers and the timer inside an event-based gateway,
    in the process and in its subprocesses.
    """
    timers: dict[str, datetime] = {}
    # Subprocesses register their waiting events with the top workflow's event manager.
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        if not isinstance(definition, (TimerEventDefinition, MultipleEventDefinition)):
            continue
        if task.state != TaskState.WAITING:
            continue
        due = _due_time(task.internal_data.get("event_value"))
        if due is not None:
            timers[str(task.id)] = due
    return timers



_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def stalled(workflow: BpmnWorkflow) -> list[str]:
    """The tasks left active when the engine stopped with no open user task, no event waited
    for and no end (SpiffWorkflow walks its task tree 1,000 levels deep at most: a long loop
    leaves its next task where the engine does not look, and the workflow then says it is
    completed). Empty for a workflow that waits or has ended. Reads every task once."""
    active = [task for tree in (workflow, *workflow.subprocesses.values())
              for task in tree.tasks.values() if task.state & _ACTIVE]
    for task in active:
        if task.state == TaskState.READY and task.task_spec.manual:
            return []
        if task.state == TaskState.WAITING and getattr(task.task_spec, "event_definition", None) is not None:
            return []
    return sorted({task.task_spec.bpmn_id or task.task_spec.name for task in active})


def case_data(workflow: BpmnWorkflow, completed: bool | None = None) -> dict[str, Any]:
    """The case's data as of its last step, as JSON-compatible values (`completed`: whether
    the workflow ended, when the caller knows)."""
    if workflow.is_completed() if completed is None else completed:
        values = workflow.data
    else:
        values = workflow.last_task.data if workflow.last_task is not None else workflow.task_tree.data
    return json.loads(json.dumps({k: v for k, v in values.items() if k != "data_objects"}, cls=_StateEncoder))
