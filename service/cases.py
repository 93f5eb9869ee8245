"""Use cases on BPMN cases: start, complete a task, deliver a message, fire due timers.

Each public use case runs in one unit of work (`service.unit_of_work`): load the case row
(with its version), check the actor's right, restore the workflow, act, run the engine until
it waits, then write the new state, the ready tasks, the timers, the audit entry and the
outbox e-mails, committed once by the unit of work. A concurrent change of the same case makes
the commit fail on the version column: a person gets `Conflict` (409); the scheduler retries.

The functions without `@use_case` (`begin_case`, `step_task`, `send_message`) are the steps a
procedure's own use cases combine with rows of their own, inside the procedure's transaction.
A process that a procedure owns is started and moved only through that procedure's use cases:
the generic start and task doors refuse it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import and_, bindparam, delete, false, func, insert, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

import forms
from workflows import clock, engine
from workflows.definitions import Definition, DefinitionRegistry
from workflows.expressions import ExpressionRefused

from . import unit_of_work
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .extensions import db
from .unit_of_work import use_case
from .workflow_cache import WorkflowCache
from .models import AuditEntry, Case, CaseTask, CaseTimer, Contact, ProcessVersion

Actor = Contact | str  # a signed-in contact, or a system actor such as "scheduler"

#: Roles that may start any process and read every case.
OFFICE_ROLES = ("secretariat",)
READ_ALL_ROLES = ("secretariat", "presidency")


def registry() -> DefinitionRegistry:
    return current_app.extensions["definitions"]


def _actor_label(actor: Actor) -> str:
    return actor.email if isinstance(actor, Contact) else actor


def _actor_id(actor: Actor) -> int | None:
    return actor.id if isinstance(actor, Contact) else None


def _process_version_id(definition: Definition) -> int:
    """The row of the definition's version (written at its first case; a row never changes
    once written, so its id is known in memory once it was found committed)."""
    known = current_app.extensions.setdefault("process_version_ids", {})
    key = (definition.process_id, definition.content_hash)
    if key in known:
        return known[key]
    version, written_now = _process_version(definition)
    if not written_now:
        known[key] = version.id  # read, not written by this transaction: it outlives a rollback
        _version_hashes()[version.id] = version.content_hash
    return version.id


def _process_version(definition: Definition) -> tuple[ProcessVersion, bool]:
    """The definition's version row, and whether this transaction writes it."""
    version = db.session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_id == definition.process_id,
            ProcessVersion.content_hash == definition.content_hash,
        )
    )
    if version is None:
        version = ProcessVersion(
            process_id=definition.process_id,
            content_hash=definition.content_hash,
            filename=definition.filename,
            sources=definition.sources,
            created_at=clock.now(),
        )
        db.session.add(version)
        db.session.flush()
        return version, True
    return version, False


def _validate(form_key: str | None, data: Any) -> dict[str, Any]:
    try:
        return forms.validate(form_key, data)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"data": error.messages}
        raise InvalidInput(gettext("The data is not valid."), messages) from None


def operations() -> dict:
    """Service-task operations by name: the shared ones and every procedure's."""
    return current_app.extensions["operations"]


def owner_of(process_id: str):
    """The procedure that owns `process_id` (its use cases are the only doors), or None."""
    return current_app.extensions["process_owners"].get(process_id)


def _apply_effects(case: Case, services: engine.Services) -> None:
    """Apply what the step's service tasks asked for, inside the step's transaction."""
    handlers = operations()
    for effect in services.effects:
        handlers[effect["operation"]](case, effect["params"])
    services.effects.clear()


@dataclass(frozen=True)
class Snapshot:
    """The ready tasks and waiting timers of a workflow: what the case's rows mirror."""

    tasks: dict[str, engine.UserTaskView]
    timers: dict[str, datetime]

    @classmethod
    def of(cls, workflow) -> "Snapshot":
        return cls({t.id: t for t in engine.ready_user_tasks(workflow)}, engine.waiting_timers(workflow))


NOTHING = Snapshot({}, {})


@dataclass(frozen=True)
class Restored:
    """A workflow with the snapshot its case's rows mirror: what the in-process cache keeps
    (so a step need not walk the task tree once more to learn what the rows were)."""

    workflow: Any
    rows: Snapshot
    weight: int = 0  # the stored state's length: what the cache counts it for


# The step's statements, built once: building one costs several times its execution (a
# statement's parameters, not its shape, change from step to step).
_TASKS, _TIMERS, _CASES = CaseTask.__table__, CaseTimer.__table__, Case.__table__
_DELETE_TASKS = delete(_TASKS).where(_TASKS.c.id.in_(bindparam("gone", expanding=True)))
_INSERT_TASKS = insert(_TASKS)
_DELETE_TIMERS = delete(_TIMERS).where(_TIMERS.c.case_id == bindparam("of_case"),
                                       _TIMERS.c.task_id.in_(bindparam("gone", expanding=True)))
_INSERT_TIMERS = insert(_TIMERS)
_MOVE_TIMER = update(_TIMERS).where(_TIMERS.c.case_id == bindparam("of_case"), _TIMERS.c.task_id == bindparam("task"))
# SET takes the columns the parameters name; WHERE the case at the version read.
_UPDATE_CASE = update(_CASES).where(_CASES.c.id == bindparam("case_id"), _CASES.c.version == bindparam("read_version"))
_INSERT_AUDIT = insert(AuditEntry.__table__)
_TASK_AND_CASE = select(CaseTask).where(CaseTask.id == bindparam("task_id")).options(joinedload(CaseTask.case))
_OPEN_TASKS = select(CaseTask).where(CaseTask.case_id == bindparam("case_id")).order_by(CaseTask.created_at)


def _sync_tasks(case: Case, before: Snapshot, after: Snapshot, now: datetime) -> None:
    """Make the case's task rows match `after`, knowing they matched `before` (no reads)."""
    gone = [task_id for task_id in before.tasks if task_id not in after.tasks]
    if gone:
        db.session.execute(_DELETE_TASKS, {"gone": gone})
    new = [
        {"id": task.id, "case_id": case.id, "bpmn_id": task.bpmn_id, "name": task.name, "lane": task.lane,
         "form": task.form, "assignee": task.assignee.lower() if isinstance(task.assignee, str) else None,
         "partner_code": task.partner, "created_at": now}
        for task_id, task in after.tasks.items()
        if task_id not in before.tasks
    ]
    if new:
        db.session.execute(_INSERT_TASKS, new)


def _sync_timers(case: Case, before: Snapshot, after: Snapshot) -> None:
    """Make the case's timer rows match `after`, knowing they matched `before` (no reads)."""
    gone = [task_id for task_id in before.timers if task_id not in after.timers]
    if gone:
        db.session.execute(_DELETE_TIMERS, {"of_case": case.id, "gone": gone})
    new = [{"case_id": case.id, "task_id": task_id, "due_at": due, "attempts": 0}
           for task_id, due in after.timers.items() if task_id not in before.timers]
    if new:
        db.session.execute(_INSERT_TIMERS, new)
    for task_id, due in after.timers.items():
        if task_id in before.timers and before.timers[task_id] != due:
            db.session.execute(_MOVE_TIMER, {"of_case": case.id, "task": task_id, "due_at": due,
                                             "claimed_by": None, "claimed_until": None})


def _save(case: Case, workflow, before: Snapshot, services, actor: Actor, action: str, detail: dict) -> Restored:
    """Write the case's new state, tasks, timers, audit entry and e-mails (not committed); the
    workflow with what the rows now mirror."""
    with db.session.no_autoflush:
        return _write(case, workflow, before, services, actor, action, detail)


def _write(case: Case, workflow, before: Snapshot, services, actor: Actor, action: str, detail: dict) -> Restored:
    # A step is a few Core statements, not the ORM's unit of work: the ORM's bookkeeping cost
    # more than the SQL. The case row first: its version check decides a race before any
    # other row is written (two racing steps would otherwise collide on the rows they both
    # derive from the state).
    now = clock.now()
    after = Snapshot.of(workflow)
    # A workflow waiting on a task or a timer has not ended; only then is the tree walked.
    stuck = engine.stalled(workflow) if not after.tasks and not after.timers else []
    completed = not stuck and not after.tasks and not after.timers and workflow.is_completed()
    values = {"state": engine.dump(workflow), "data": engine.case_data(workflow, completed), "updated_at": now}
    if completed:
        values.update(status="completed", completed_at=now)
    elif stuck:
        values.update(status="stalled")
    _update_case(case, values)
    _sync_tasks(case, before, after, now)
    _sync_timers(case, before, after)
    _audit(case, now, actor, action, detail)
    if stuck:
        # SpiffWorkflow stopped without an open task or an end (its task tree is walked
        # 1,000 levels deep at most): an incident, recorded with the step that caused it.
        current_app.logger.error("Case %s stopped by the engine with no open task and no end: %s", case.id, stuck)
        _audit(case, now, "system", "engine_stalled", {"left_ready": stuck, "after": action})
    _apply_effects(case, services)
    return Restored(workflow, after, len(values["state"]))


def _update_case(case: Case, values: dict[str, Any]) -> None:
    """The case row's new values, if nobody changed it since it was read (else `Conflict`)."""
    values["version"] = case.version + 1
    result = db.session.execute(_UPDATE_CASE, {"case_id": case.id, "read_version": case.version, **values})
    if result.rowcount != 1:
        raise Conflict(gettext("This case was changed by someone else at the same time; reload and try again."))
    for name, value in values.items():
        set_committed_value(case, name, value)
    unit_of_work.current().written(case)


def _audit(case: Case, now: datetime, actor: Actor, action: str, detail: dict) -> None:
    db.session.execute(_INSERT_AUDIT, {"case_id": case.id, "at": now, "actor_id": _actor_id(actor),
                                       "actor": _actor_label(actor), "action": action, "detail": detail})


def _services() -> engine.Services:
    return engine.Services(operations())


def _restore(case: Case, services: engine.Services):
    """The case's workflow (from the in-process cache when it holds this version), and what
    its rows mirror now."""
    cached = _cache().take(case.id, case.version)
    if cached is None:
        version = case.process_version
        spec, subprocess_specs = registry().specs_for(case.process_id, version.content_hash, version.sources)
        workflow = engine.restore(case.state, spec, subprocess_specs, services)
        return workflow, Snapshot.of(workflow)
    engine.attach(cached.workflow, services)
    return cached.workflow, cached.rows


def workflow_for_reading(case: Case):
    """The case's workflow restored from its stored state, to look at (never cached, never saved)."""
    version = case.process_version
    spec, subprocess_specs = registry().specs_for(case.process_id, version.content_hash, version.sources)
    return engine.restore(case.state, spec, subprocess_specs, _services())


def _cache() -> WorkflowCache:
    return current_app.extensions["workflow_cache"]


def _engine_failure(error: Exception) -> InvalidInput:
    return InvalidInput(f"The process could not go on with this data: {error}")


@use_case
def start_case(process_id: str, data: Any, actor: Actor) -> Case:
    """Start a case of `process_id` with `data` (checked by the start form, if any)."""
    definition = registry().get(process_id)
    if definition is None:
        raise NotFound(gettext("No process called %(name)s.", name=repr(process_id)))
    if isinstance(actor, Contact) and not actor.has_role(*OFFICE_ROLES):
        raise Forbidden(gettext("Only the Secretariat may start this process."))
    owner = owner_of(process_id)
    if owner is not None:
        raise Conflict(gettext("Cases of %(process)s are started through %(door)s, not here.",
                               process=process_id, door=owner.start_door))
    data = _validate(definition.start_form, data if data is not None else {})
    return begin_case(process_id, data, actor)


def begin_case(process_id: str, data: dict[str, Any], actor: Actor) -> Case:
    """Start a case inside the caller's unit of work.

    For use cases that start a case together with rows of their own; the data is trusted
    (validated by the caller)."""
    definition = registry().get(process_id)
    services = _services()
    try:
        workflow = engine.start(definition.spec, definition.subprocess_specs, data, services)
    except (ExpressionRefused, engine.WorkflowException) as error:
        raise _engine_failure(error) from None
    now = clock.now()
    case = Case(
        process_version_id=_process_version_id(definition),
        process_id=process_id,
        status="running",
        state="",
        state_format=engine.STATE_FORMAT,
        started_by_id=_actor_id(actor),
        created_at=now,
        updated_at=now,
    )
    db.session.add(case)
    db.session.flush()
    restored = _save(case, workflow, NOTHING, services, actor, "case_started",
                     {"process": process_id, "version": definition.content_hash[:12]})
    unit_of_work.current().keep(case, restored)
    return case


def process_version_hash(version_id: int) -> str | None:
    """The content hash of a process version (a row never changed once written, so known in
    memory after its first read)."""
    hashes = _version_hashes()
    if version_id not in hashes:
        hashes[version_id] = db.session.scalar(
            select(ProcessVersion.content_hash).where(ProcessVersion.id == version_id))
    return hashes[version_id]


def _version_hashes() -> dict[int, str]:
    return current_app.extensions.setdefault("process_version_hashes", {})


def get_case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(gettext("No case %(number)s.", number=case_id))
    return case


def may_read_case(case: Case, actor: Actor) -> bool:
    if not isinstance(actor, Contact):
        return True
    if actor.has_role(*READ_ALL_ROLES) or case.started_by_id == actor.id:
        return True
    acted = db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.case_id == case.id, AuditEntry.actor_id == actor.id).limit(1)
    )
    if acted is not None:
        return True
    return any(may_act_on_task(task, actor) for task in open_tasks(case.id))


def may_act_on_task(task: CaseTask, actor: Actor) -> bool:
    """A task in lane X is for contacts with role X (and for its assignee only, if it has one)."""
    if not isinstance(actor, Contact):
        return False
    if task.assignee:
        return actor.email.lower() == task.assignee
    if task.partner_code and actor.partner_code != task.partner_code:
        return False
    lane = task.lane or "secretariat"
    return actor.has_role(lane)


def open_tasks(case_id: int) -> list[CaseTask]:
    return list(db.session.scalars(_OPEN_TASKS, {"case_id": case_id}))


def _may_act_in_sql(actor: Actor):
    """`may_act_on_task` as a condition on the task rows."""
    if not isinstance(actor, Contact):
        return false()
    lane_is_a_role = func.coalesce(CaseTask.lane, "secretariat").in_(sorted(actor.roles))
    partner_ok = or_(CaseTask.partner_code.is_(None), CaseTask.partner_code == actor.partner_code) \
        if actor.partner_code else CaseTask.partner_code.is_(None)
    return or_(CaseTask.assignee == actor.email.lower(),
               and_(CaseTask.assignee.is_(None), partner_ok, lane_is_a_role))


def list_tasks(actor: Actor, *, role: str | None = None, assignee: str | None = None,
               process_id: str | None = None, case_id: int | None = None,
               after: tuple[datetime, str] | None = None, limit: int | None = None) -> list[CaseTask]:
    """Ready user tasks the actor may see, filtered by lane, assignee, process or case, oldest
    first; `after` (created at, task id) and `limit` give a page. All filtered in SQL."""
    query = select(CaseTask).join(Case).options(contains_eager(CaseTask.case)).order_by(CaseTask.created_at, CaseTask.id)
    if not (isinstance(actor, Contact) and actor.has_role(*READ_ALL_ROLES)):
        query = query.where(_may_act_in_sql(actor))
    if role:
        query = query.where(CaseTask.lane == role)
    if assignee:
        query = query.where(CaseTask.assignee == assignee.lower())
    if process_id:
        query = query.where(Case.process_id == process_id)
    if case_id:
        query = query.where(CaseTask.case_id == case_id)
    if after is not None:
        query = query.where(or_(CaseTask.created_at > after[0],
                                and_(CaseTask.created_at == after[0], CaseTask.id > after[1])))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def list_cases(actor: Actor, *, process_id: str | None = None, status: str | None = None,
               before_id: int | None = None, limit: int = 50) -> list[Case]:
    """Cases the actor may read (the Secretariat and the Presidency: all; others: those they
    started or acted in), newest first; `before_id` and `limit` give a page."""
    query = select(Case).order_by(Case.id.desc())
    if isinstance(actor, Contact) and not actor.has_role(*READ_ALL_ROLES):
        acted = select(AuditEntry.case_id).where(AuditEntry.actor_id == actor.id)
        query = query.where(or_(Case.started_by_id == actor.id, Case.id.in_(acted)))
    if process_id:
        query = query.where(Case.process_id == process_id)
    if status:
        query = query.where(Case.status == status)
    if before_id is not None:
        query = query.where(Case.id < before_id)
    return list(db.session.scalars(query.limit(limit)))


@use_case
def complete_task(task_id: str, data: Any, actor: Actor) -> Case:
    """Complete a ready user task with `data`, validated by the task's form."""
    # The task and its case in one query (the step needs both).
    task = db.session.scalar(_TASK_AND_CASE, {"task_id": task_id})
    if task is None:
        raise Conflict(gettext("This task is no longer open (it was completed or withdrawn)."))
    if not may_act_on_task(task, actor):
        raise Forbidden(gettext("You may not complete this task."))
    owner = owner_of(task.case.process_id)
    if owner is not None:
        door = owner.task_doors.get(task.bpmn_id, owner.start_door)
        raise Conflict(gettext("This task belongs to the %(procedure)s procedure: use %(door)s.",
                               procedure=owner.title, door=door))
    # The form is the one the task's BPMN definition names: only the task row knows it.
    data = _validate(task.form, data if data is not None else {})
    return step_task(task, data, actor)


def step_task(task: CaseTask, data: dict[str, Any], actor: Actor, audit: dict | None = None) -> Case:
    """Complete a task inside the caller's unit of work; the case.

    `data` is trusted (validated by the caller); `audit` replaces it in the audit entry."""
    case = get_case(task.case_id)
    services = _services()
    workflow, before = _restore(case, services)
    try:
        engine.complete_user_task(workflow, task.id, data)
    except LookupError:
        raise Conflict(gettext("This task is no longer open.")) from None
    except (ExpressionRefused, engine.WorkflowException) as error:
        raise _engine_failure(error) from None
    restored = _save(case, workflow, before, services, actor, "task_completed",
                     {"task": task.bpmn_id, "name": task.name, "data": data if audit is None else audit})
    unit_of_work.current().keep(case, restored)
    return case


def open_task(case_id: int, bpmn_id: str) -> CaseTask | None:
    """The ready task `bpmn_id` of a case, if there is one."""
    return db.session.scalar(select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.bpmn_id == bpmn_id))


@use_case
def deliver_message(case_id: int, name: str, payload: dict[str, Any], actor: Actor) -> Case:
    """Deliver message `name` to a waiting case; `Conflict` if it no longer waits for it."""
    return send_message(get_case(case_id), name, payload, actor)


def send_message(case: Case, name: str, payload: dict[str, Any], actor: Actor) -> Case:
    """Deliver a message inside the caller's unit of work; the case."""
    services = _services()
    workflow, before = _restore(case, services)
    try:
        engine.deliver_message(workflow, name, payload)
    except engine.NothingWaiting:
        raise Conflict(gettext("This case is not waiting for %(name)s.", name=repr(name))) from None
    restored = _save(case, workflow, before, services, actor, "message_received", {"message": name, "payload": payload})
    unit_of_work.current().keep(case, restored)
    return case


@use_case
def fire_due_timers(case_id: int) -> bool:
    """Let the case's due timers move on; True if the state changed. Used by the scheduler."""
    case = db.session.get(Case, case_id)
    if case is None or case.status != "running":
        return False
    services = _services()
    workflow, before = _restore(case, services)
    engine.fire_due_timers(workflow)
    fired = sorted(set(before.timers) - set(engine.waiting_timers(workflow)))
    if not fired and not workflow.is_completed():
        return False  # nothing was written: the unit of work commits nothing
    restored = _save(case, workflow, before, services, "scheduler", "timer_fired",
                     {"due": [before.timers[t].isoformat() for t in fired]})
    unit_of_work.current().keep(case, restored)
    return True
