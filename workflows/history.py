"""A case's finished turns, pruned from its workflow's task tree.

SpiffWorkflow keeps every task a case ever ran in one tree, and a loop adds two levels per
turn. Every step walks the tree several times and saves all of it, so a step's cost grew with
the case's age; and SpiffWorkflow walks 1,000 levels deep at most, so after about 500 turns
its engine no longer reached the open task and the case stopped. The record people read of a
case is its timeline (the audit entries), not the tree: the tree need only keep what the
engine still reads.

What goes: a finished task of an earlier turn, in a plain stretch of the path (its parent and
itself each with one child), of a simple kind (a user, manual, script, service, send or receive
task, an exclusive gateway, an intermediate event), when a later task of the same element on
the same path finished too. Its child takes its place under its parent. What stays: every
branch point, join, boundary event, subprocess and multi-instance task; the last finished
instance of each element (the diagram marks it finished); the task the engine ran last; every
task still open. Each task keeps its own data, so removing an ancestor loses nothing of it.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins import (
    ExclusiveGatewayMixin,
    ManualTaskMixin,
    NoneTaskMixin,
    ReceiveTaskMixin,
    ScriptTaskMixin,
    SendTaskMixin,
    ServiceTaskMixin,
    UserTaskMixin,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    EventBasedGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

_PLAIN = (UserTaskMixin, ManualTaskMixin, NoneTaskMixin, ScriptTaskMixin, ServiceTaskMixin, SendTaskMixin,
          ReceiveTaskMixin, ExclusiveGatewayMixin, IntermediateCatchEvent, IntermediateThrowEvent)
_NEVER = (BoundaryEvent, EventBasedGateway, LoopTask)
_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def prune(workflow) -> int:
    """Remove the finished turns the engine no longer reads (see the module); how many tasks."""
    tasks = workflow.tasks
    keep = {workflow.task_tree.id}
    if workflow.last_task is not None:
        keep.add(workflow.last_task.id)
    # What each task has heard of from below: a path climbs on only with news.
    heard: dict = {}
    removed = 0
    # From every open task and every leaf (an ended path) up towards the root.
    for start in [task for task in tasks.values() if task.state & _OPEN or not task._children]:
        later: set[str] = set()  # elements finished further down this path
        task = start.parent
        while task is not None:
            known = heard.setdefault(task.id, set())
            if known and later <= known:
                break
            known |= later
            parent = task.parent
            if task.state != TaskState.COMPLETED:
                task = parent
                continue
            name = task.task_spec.name
            if (name in later and task.id not in keep and parent is not None
                    and parent.state == TaskState.COMPLETED and len(parent._children) == 1
                    and len(task._children) == 1 and _plain(task.task_spec)):
                child = tasks[task._children[0]]
                child._parent = parent.id
                parent._children = [child.id]
                del tasks[task.id]
                removed += 1
            later.add(name)
            task = parent
    return removed


def _plain(spec) -> bool:
    return isinstance(spec, _PLAIN) and not isinstance(spec, _NEVER)
