"""Forms: one module per form, each a marshmallow schema with its fields, labels and checks.

A user task names its form in BPMN (`spiffworkflow:property name="form"`); the same schema
validates the web page's submission and the API's JSON. `FORMS` maps form keys to schemas.

Every message is English source text from the catalogs, given in the reader's language: a
`Message` is translated when marshmallow formats it, that is while the request is validated;
marshmallow's own messages ("Missing data for required field." ...) are wrapped the same way
when a field is bound (`messages.py` lists them for the catalogs).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load

from workflows.expressions import find_private_keys

FORMS: dict[str, type[Schema]] = {}


class Message(str):
    """An English message for the catalogs, translated when it is formatted or shown."""

    def format(self, *args, **kwargs) -> str:
        return gettext(str.__str__(self)).format(*args, **kwargs)

    def translated(self) -> str:
        return gettext(str.__str__(self))


def _translatable(value):
    return Message(value) if isinstance(value, str) and not isinstance(value, Message) else value


def _wrap_messages(field: fields.Field) -> None:
    """Make a field's own messages, and its validators', translatable (inner fields too)."""
    field.error_messages = {key: _translatable(text) for key, text in field.error_messages.items()}
    for validator in field.validators:
        for name, value in list(vars(validator).items()):
            if name == "error" or name.startswith("message"):
                setattr(validator, name, _translatable(value))
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None), getattr(field, "value_field", None)):
        if isinstance(inner, fields.Field):
            _wrap_messages(inner)
    for inner in getattr(field, "tuple_fields", ()) or ():
        _wrap_messages(inner)


def translate_messages(messages: Any) -> Any:
    """Field messages as plain strings in the reader's language."""
    if isinstance(messages, dict):
        return {key: translate_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_messages(value) for value in messages]
    if isinstance(messages, Message):
        return messages.translated()
    if messages is None or isinstance(messages, (int, float, bool)):
        return messages
    return str(messages)  # lazy strings


def private_key_errors(private) -> dict[str, list[str]]:
    return {key: [gettext("Field names may not start with '_'.")] for key in private}


class FormSchema(Schema):
    """Base of every form: unknown fields and keys starting with `_` are refused."""

    error_messages = {"unknown": Message("Unknown field."), "type": Message("Invalid input type.")}

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _wrap_messages(field_obj)

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs) -> None:
        # Messages not formatted by marshmallow (schema-level, lazy) become text now, in place.
        translated = translate_messages(error.messages)
        if isinstance(error.messages, dict):
            error.messages.clear()
            error.messages.update(translated)
        elif isinstance(error.messages, list):
            error.messages[:] = translated

    @pre_load
    def refuse_private_keys(self, data: Any, **kwargs):
        if isinstance(data, dict):
            private = find_private_keys(data)
            if private:
                raise ValidationError(private_key_errors(private))
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
        raise ValidationError({"data": [gettext("An object is expected.")]})
    if key is None:
        private = find_private_keys(data)
        if private:
            raise ValidationError(private_key_errors(private))
        return data
    schema = FORMS[key]()
    loaded = schema.load(data)
    # Store what the schema would show back: dates as ISO strings, decimals as strings.
    return schema.dump(loaded)


from . import messages  # noqa: E402,F401 - marshmallow's messages, for the catalogs
