"""Restricted evaluation of the expressions and scripts found in BPMN files.

SpiffWorkflow's default script engine is plain `eval`/`exec` with full builtins: a gateway
condition such as `__import__('os').system(...)` would run. Here every expression (conditions,
timer expressions, completion conditions, service-task parameters) goes through simpleeval,
which has no `import`, no `open`/`eval`/`exec`, and refuses every attribute that starts with an
underscore, so `().__class__.__base__.__subclasses__()` is out of reach. Task data is offered
as names only; keys starting with `_` are never offered (a `__builtins__` key in task data
cannot re-enable anything), and form data carrying such keys is refused before it gets here.

Script tasks may hold only assignments, one per line: `name = expression`, each expression
evaluated by the same restricted evaluator.
"""
from __future__ import annotations

import ast
import functools
import json
from datetime import datetime, timezone
from typing import Any, Callable

from simpleeval import EvalWithCompoundTypes, InvalidExpression
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from . import clock


class ExpressionRefused(ValueError):
    """An expression or script uses something the restricted evaluator does not allow."""


def _iso_after(duration: str, start: str | None = None) -> str:
    """ISO instant `duration` (ISO 8601, e.g. P14D) after `start` (ISO) or now."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    base = datetime.fromisoformat(start) if start else clock.now()
    if base.tzinfo is None:
        raise ExpressionRefused("a start instant needs a time zone offset")
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    return (base + TimerEventDefinition.get_timedelta_from_start(parsed, base)).astimezone(
        timezone.utc
    ).isoformat()


def _iso_now() -> str:
    return clock.now().isoformat()


#: The only functions a BPMN expression may call.
SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "sum": sum,
    "abs": abs,
    "round": round,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "sorted": sorted,
    "any": any,
    "all": all,
    "now": _iso_now,
    "after": _iso_after,
}

SAFE_NAMES = {"True": True, "False": False, "None": None}


def is_private_key(key: Any) -> bool:
    """Keys starting with `_` never enter task data (they would name Python internals)."""
    return isinstance(key, str) and key.startswith("_")


def find_private_keys(data: Any, path: str = "") -> list[str]:
    """Every key starting with `_` anywhere in nested dicts and lists, as dotted paths."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if is_private_key(key):
                found.append(here)
            found.extend(find_private_keys(value, here))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(find_private_keys(value, f"{path}[{index}]"))
    return found


@functools.lru_cache(maxsize=2048)
def _parse_expression(expression: str) -> ast.AST:
    try:
        return ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as error:
        raise ExpressionRefused(f"not an expression: {expression!r} ({error.msg})") from None


def evaluate(expression: str, names: dict[str, Any] | None = None) -> Any:
    """Evaluate one expression against `names` with the restricted evaluator."""
    visible = {k: v for k, v in (names or {}).items() if not is_private_key(k)}
    visible.update(SAFE_NAMES)
    evaluator = EvalWithCompoundTypes(functions=SAFE_FUNCTIONS, names=visible)
    try:
        return evaluator.eval(expression, previously_parsed=_parse_expression(expression))
    except InvalidExpression as error:
        raise ExpressionRefused(f"{expression!r}: {error}") from None


@functools.lru_cache(maxsize=512)
def parse_script(script: str) -> tuple[tuple[str, str], ...]:
    """Split a script into (name, expression) assignments, or refuse it."""
    try:
        tree = ast.parse(script)
    except SyntaxError as error:
        raise ExpressionRefused(f"script is not valid: line {error.lineno}: {error.msg}") from None
    steps = []
    for statement in tree.body:
        if (
            not isinstance(statement, ast.Assign)
            or len(statement.targets) != 1
            or not isinstance(statement.targets[0], ast.Name)
        ):
            raise ExpressionRefused(
                f"scripts may only assign expressions to names (line {statement.lineno})"
            )
        name = statement.targets[0].id
        if is_private_key(name):
            raise ExpressionRefused(f"a name may not start with '_' (line {statement.lineno})")
        steps.append((name, ast.get_source_segment(script, statement.value)))
    return tuple(steps)


def validate_expression(expression: str) -> None:
    """Refuse, at load time, an expression the restricted evaluator could never run."""
    node = _parse_expression(expression)
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and is_private_key(child.attr):
            raise ExpressionRefused(f"{expression!r}: attributes starting with '_' are refused")
        if isinstance(child, ast.Name) and is_private_key(child.id):
            raise ExpressionRefused(f"{expression!r}: names starting with '_' are refused")
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id not in SAFE_FUNCTIONS:
            raise ExpressionRefused(
                f"{expression!r}: unknown function {child.func.id!r} (allowed: {', '.join(sorted(SAFE_FUNCTIONS))})"
            )
        if isinstance(child, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            raise ExpressionRefused(f"{expression!r}: {type(child).__name__} is refused")


def validate_script(script: str) -> None:
    for _name, expression in parse_script(script):
        validate_expression(expression)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow environment that evaluates with simpleeval and runs no Python."""

    def __init__(self, services: dict[str, Callable[..., Any]] | None = None):
        super().__init__({})
        self.services = services or {}

    def evaluate(self, expression, context, external_context=None):
        names = dict(external_context or {})
        names.update(context)
        return evaluate(expression, names)

    def execute(self, script, context, external_context=None):
        for name, expression in parse_script(script):
            names = dict(external_context or {})
            names.update(context)
            context[name] = evaluate(expression, names)
        return True

    def call_service(self, context, operation_name=None, operation_params=None, **kwargs):
        service = self.services.get(operation_name)
        if service is None:
            raise ExpressionRefused(f"unknown service operation {operation_name!r}")
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        return json.dumps(service(context, **params), default=str)


class RestrictedScriptEngine(PythonScriptEngine):
    """The script engine given to every workflow: restricted evaluation, named services only."""

    def __init__(self, services: dict[str, Callable[..., Any]] | None = None):
        super().__init__(environment=RestrictedEnvironment(services))

    def validate(self, expression):
        validate_expression(expression)

    def call_service(self, task, **kwargs):
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as error:  # surfaced with the task it belongs to
            raise WorkflowTaskException(str(error), task=task, exception=error) from error
