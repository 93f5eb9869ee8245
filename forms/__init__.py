"""Forms: one module per form, each a marshmallow schema with its fields, labels and checks.

A user task names its form in BPMN (`spiffworkflow:property name="form"`); the same schema
validates the web page's submission and the API's JSON. `FORMS` maps form keys to schemas.
"""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, pre_load

from workflows.expressions import find_private_keys

FORMS: dict[str, type[Schema]] = {}


class FormSchema(Schema):
    """Base of every form: unknown fields and keys starting with `_` are refused."""

    class Meta:
        unknown = RAISE

    @pre_load
    def refuse_private_keys(self, data: Any, **kwargs):
        if isinstance(data, dict):
            private = find_private_keys(data)
            if private:
                raise ValidationError(
                    {key: ["Field names may not start with '_'."] for key in private}
                )
        return data


def register(key: str):
    """Class decorator: make a schema the form called `key`."""

    def decorate(schema: type[Schema]) -> type[Schema]:
        FORMS[key] = schema
        return schema

    return decorate


def validate(key: str | None, data: Any) -> dict[str, Any]:
    """Validate `data` with form `key` (or only refuse private keys when there is no form).

    Returns the loaded data as JSON-compatible values; raises `ValidationError`.
    """
    if not isinstance(data, dict):
        raise ValidationError({"data": ["An object is expected."]})
    if key is None:
        private = find_private_keys(data)
        if private:
            raise ValidationError({k: ["Field names may not start with '_'."] for k in private})
        return data
    schema = FORMS[key]()
    loaded = schema.load(data)
    # Store what the schema would show back: dates as ISO strings, decimals as strings.
    return schema.dump(loaded)

