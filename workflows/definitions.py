"""BPMN definitions: parsed and checked at start-up, versioned by content hash.

Every `*.bpmn` file of the configured folders is parsed (with the XSD check) when the app
starts. A broken file stops start-up with a `DefinitionError` naming the file, the element id
and the reason. Besides SpiffWorkflow's own checks, every expression and script must pass the
restricted evaluator's checks, every form named by a user task must exist, and every lane must
name a role.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .expressions import ExpressionRefused, validate_expression, validate_script

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}


class DefinitionError(Exception):
    """A BPMN file that cannot be used, with where and why."""

    def __init__(self, filename: str, element_id: str | None, reason: str, line: Any = None):
        self.filename = filename
        self.element_id = element_id or ""
        self.reason = reason
        where = f"{filename}"
        if line:
            where += f", line {line}"
        if element_id:
            where += f", element '{element_id}'"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class UserTaskInfo:
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None


@dataclass
class Definition:
    """One executable process, as parsed from its file (and the files it calls)."""

    process_id: str
    name: str
    filename: str
    content_hash: str
    sources: dict[str, str]
    spec: Any
    subprocess_specs: dict[str, Any]
    start_form: str | None
    user_tasks: dict[str, UserTaskInfo] = field(default_factory=dict)


def _line(element) -> Any:
    return getattr(element, "sourceline", None)


def _check_expressions(filename: str, root, known_forms: set[str], roles: set[str], operations: set[str]) -> None:
    """The checks SpiffWorkflow does not make: restricted expressions, forms, lanes."""

    def owner_id(element) -> str | None:
        # The nearest BPMN element with an id (a parameter's own id names only the parameter).
        while element is not None:
            if element.get("id") and str(element.tag).startswith(f"{{{BPMN_NS}}}"):
                return element.get("id")
            element = element.getparent()
        return None

    def check(expression: str | None, element, what: str) -> None:
        if expression is None or not expression.strip():
            return
        try:
            validate_expression(expression)
        except ExpressionRefused as error:
            raise DefinitionError(filename, owner_id(element), f"{what}: {error}", _line(element))

    for element in root.iter(f"{{{BPMN_NS}}}conditionExpression"):
        check(element.text, element, "condition")
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for element in root.iter(f"{{{BPMN_NS}}}{tag}"):
            check(element.text, element, f"timer {tag}")
    for element in root.iter(f"{{{BPMN_NS}}}completionCondition"):
        check(element.text, element, "completion condition")
    for element in root.iter(f"{{{SPIFF_NS}}}parameter"):
        check(element.get("value"), element, f"parameter {element.get('id')!r}")
    for element in root.iter(f"{{{SPIFF_NS}}}messagePayload"):
        check(element.text, element, "message payload")
    scripts = list(root.iter(f"{{{BPMN_NS}}}script"))
    scripts += list(root.iter(f"{{{SPIFF_NS}}}preScript"))
    scripts += list(root.iter(f"{{{SPIFF_NS}}}postScript"))
    for element in scripts:
        if element.text and element.text.strip():
            try:
                validate_script(element.text)
            except ExpressionRefused as error:
                raise DefinitionError(filename, owner_id(element), f"script: {error}", _line(element))
    for element in root.iter(f"{{{SPIFF_NS}}}property"):
        if element.get("name") == "form" and element.get("value") not in known_forms:
            raise DefinitionError(
                filename, owner_id(element), f"unknown form {element.get('value')!r}", _line(element)
            )
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        if lane.get("name") not in roles:
            raise DefinitionError(
                filename,
                lane.get("id"),
                f"lane {lane.get('name')!r} is not a role ({', '.join(sorted(roles))})",
                _line(lane),
            )
    for operator in root.iter(f"{{{SPIFF_NS}}}serviceTaskOperator"):
        if operator.get("id") not in operations:
            raise DefinitionError(
                filename, owner_id(operator), f"unknown service operation {operator.get('id')!r}"
            )


def _props(task_spec) -> dict[str, str]:
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {})


class DefinitionRegistry:
    """All definitions found in some folders, keyed by process id."""

    def __init__(self, folders: Iterable[str | Path], known_forms: set[str], roles: set[str],
                 operations: set[str] = frozenset({"notify"})):
        self.definitions: dict[str, Definition] = {}
        self._older_versions: dict[tuple[str, str], tuple[Any, dict]] = {}
        parser = SpiffBpmnParser(validator=VALIDATOR)
        sources: dict[str, bytes] = {}
        files = sorted(
            {p.resolve() for folder in folders for p in Path(folder).glob("*.bpmn")},
            key=lambda p: p.name,
        )
        for path in files:
            content = path.read_bytes()
            sources[str(path)] = content
            try:
                root = etree.fromstring(content)
            except etree.XMLSyntaxError as error:
                raise DefinitionError(path.name, None, f"not well-formed XML: {error}") from None
            _check_expressions(path.name, root, known_forms, roles, set(operations))
            try:
                parser.add_bpmn_xml(etree.ElementTree(root), filename=str(path))
            except ValidationException as error:
                raise DefinitionError(
                    path.name, error.id, str(error).splitlines()[0], error.line_number
                ) from None
        for process_id in parser.get_process_ids():
            try:
                spec = parser.get_spec(process_id)
                subprocess_specs = parser.get_subprocess_specs(process_id)
            except ValidationException as error:
                # A call activity naming a process no file defines is reported against the caller.
                own_file = getattr(parser.get_process_parser(process_id), "filename", None)
                name = Path(error.file_name or own_file or "?").name
                raise DefinitionError(name, error.id, str(error).splitlines()[0], error.line_number) from None
            files_used = [spec.file] + sorted({s.file for s in subprocess_specs.values()} - {spec.file})
            digest = hashlib.sha256()
            for name in files_used:
                digest.update(Path(name).name.encode() + b"\0" + sources[name] + b"\0")
            user_tasks = {}
            start_form = None
            for task_spec in spec.task_specs.values():
                props = _props(task_spec)
                if getattr(task_spec, "manual", False):
                    user_tasks[task_spec.bpmn_id] = UserTaskInfo(
                        task_spec.bpmn_id,
                        task_spec.bpmn_name or task_spec.bpmn_id,
                        task_spec.lane,
                        props.get("form"),
                    )
                if type(task_spec).__name__ == "StartEvent" and props.get("form"):
                    start_form = props["form"]
            self.definitions[process_id] = Definition(
                process_id=process_id,
                name=spec.description or process_id,
                filename=Path(spec.file).name,
                content_hash=digest.hexdigest(),
                sources={Path(n).name: sources[n].decode("utf-8") for n in files_used},
                spec=spec,
                subprocess_specs=subprocess_specs,
                start_form=start_form,
                user_tasks=user_tasks,
            )

    def specs_for(self, process_id: str, content_hash: str, sources: dict[str, str]):
        """(spec, subprocess specs) of one version of a process: the current one, or an older
        one parsed again from its stored sources (once per process run, then kept)."""
        current = self.definitions.get(process_id)
        if current is not None and current.content_hash == content_hash:
            return current.spec, current.subprocess_specs
        key = (process_id, content_hash)
        if key not in self._older_versions:
            parser = SpiffBpmnParser()
            for name, text in sources.items():
                parser.add_bpmn_xml(etree.fromstring(text.encode("utf-8")), filename=name)
            self._older_versions[key] = (parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
        return self._older_versions[key]

    def get(self, process_id: str) -> Definition | None:
        return self.definitions.get(process_id)

    def __iter__(self):
        return iter(sorted(self.definitions.values(), key=lambda d: d.process_id))
