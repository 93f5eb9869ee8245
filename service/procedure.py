"""What a procedure declares about itself, once, for the app to register it.

A procedure (silent procedure, labelling request, ...) is a package under
`service/procedures/`; its `__init__.py` builds one `Procedure` record, and
`service/procedures/__init__.py` lists the records. `create_app` registers each: its blueprints,
its service-task operations and link purposes, and the processes it owns (started and moved only
through its own use cases: the generic `/api/cases` and `/api/tasks` doors refuse them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

from flask import Blueprint


@dataclass(frozen=True)
class LinkPurpose:
    """What an e-mailed action link of one purpose does (see `service.links`).

    `page(link, token, state)` renders the confirmation page (GET: changes nothing);
    `form` names the form that parses the page's POST; `act(link_id, values)` is the use case
    that acts (POST); `done(link, token, result)` renders what happened, also on a replay.
    """

    subject: str  # what the link acts on, e.g. "silent_procedure"
    form: str | None
    page: Callable
    act: Callable
    done: Callable


@dataclass(frozen=True)
class CoverageSource:
    """Records of a procedure that serve Action Plan objectives and actions (the coverage view).

    `rows(start, end)` is a SELECT of (record id, title or NULL, objective id, action id or NULL),
    one per objective or action a record in force between those days serves; `path` formats a
    record's page from its id, e.g. "/labelling/{id}"."""

    kind: str  # e.g. "labelled_initiative"
    title: object  # how the view names such records (lazily translated), e.g. "labelled initiatives"
    rows: Callable
    path: str


@dataclass(frozen=True)
class Procedure:
    """One procedure: its processes, forms, doors, blueprints, operations and link purposes."""

    name: str  # the package's name, e.g. "silent_procedure"
    title: object  # how messages name it (lazily translated), e.g. "silent procedure"
    processes: tuple[str, ...]  # BPMN process ids it owns
    start_door: str  # where a case of its process starts, e.g. "POST /api/silent-procedures"
    forms: ModuleType  # the forms module (importing it registers its forms)
    models: ModuleType  # its tables (importing it adds them to the metadata)
    api: object  # a flask-smorest Blueprint
    pages: Blueprint
    operations: dict[str, Callable] = field(default_factory=dict)
    link_purposes: dict[str, LinkPurpose] = field(default_factory=dict)
    # BPMN user task id -> the endpoint that completes it
    task_doors: dict[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = ()  # roles that act in it
    statuses: dict = field(default_factory=dict)  # status code -> words (lazily translated)
    # What `flask --app service setup` does for it once the reference data is loaded
    # (idempotent, a use case); returns a line for the operator.
    setup: Callable[[], str] | None = None
    # What of its records counts in the Action Plan's coverage.
    coverage_sources: tuple[CoverageSource, ...] = ()
    # Its records that refer to these action numbers of the current Action Plan, as words for
    # a message ("labelling request no. 4"): an action they name is not renumbered nor removed.
    action_references: Callable[[set[int]], list[str]] | None = None
