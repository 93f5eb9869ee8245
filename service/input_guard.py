"""Input no request may bring in, refused before any view runs, with a clear 4xx answer.

- Numbers in paths: an id above the database's integer range (2³¹ - 1) matches no route (404).
- Size: a body over `MAX_CONTENT_LENGTH` is refused with 413 before it is read.
- Text: a NUL character or an unpaired surrogate (e.g. `\\ud800` in JSON) cannot be stored
  (PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate); any of them in the path,
  the query string, a form field, a file name or anywhere in a JSON body is refused with 422,
  naming the field.
- JSON nested deeper than `JSON_DEPTH_LIMIT` levels is refused with 422 (no form of the
  service nests more than a few levels; deeper input only costs recursion).
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, current_app, request
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from .errors import InvalidInput, TooLarge

#: Largest id a row can have (PostgreSQL `integer`, the type of every id column).
MAX_ID = 2**31 - 1
JSON_DEPTH_LIMIT = 32

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _digits_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers from 0 to `limit`."""
    digits = str(limit)
    width = len(digits)
    choices = [rf"\d{{1,{width - 1}}}"] if width > 1 else []
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 and width > 1 else 0
        if int(digit) > lowest:
            choices.append(f"{digits[:position]}[{lowest}-{int(digit) - 1}]" + rf"\d{{{width - 1 - position}}}")
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


class DatabaseId(IntegerConverter):
    """`<int:...>` in a route: a non-negative integer within the range of the id columns.

    A larger number does not match the route at all (404, whatever the method)."""

    regex = _digits_up_to(MAX_ID)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def _nested(location: str, path: tuple, message: str) -> dict:
    """`{location: {part: {...: [message]}}}`, the shape of the API's other field errors."""
    errors: object = [message]
    for part in reversed(path):
        errors = {part: errors}
    return {location: errors}


def _check_text(value: str, location: str, *path) -> None:
    if _UNSTORABLE.search(value):
        message = gettext("Text may not contain NUL characters or unpaired surrogates.")
        raise InvalidInput(message, _nested(location, path, message))


def _too_deep() -> InvalidInput:
    message = gettext("The data may not be nested more than %(limit)s levels deep.", limit=JSON_DEPTH_LIMIT)
    return InvalidInput(message, {"json": [message]})


def _check_json(document: Any) -> None:
    """Depth and text of a parsed JSON body, without recursion."""
    stack: list[tuple[Any, int, tuple]] = [(document, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            _check_text(value, "json", *path)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > JSON_DEPTH_LIMIT:
            raise _too_deep()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, "json", *path)
                stack.append((item, depth + 1, (*path, key)))
        else:
            stack.extend((item, depth + 1, (*path, index)) for index, item in enumerate(value))


def _json_body() -> Any:
    try:
        return json.loads(request.get_data(cache=True))
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        return None  # not JSON: the view's parser answers with its own message


def too_large() -> TooLarge:
    megabytes = f"{current_app.config['MAX_CONTENT_LENGTH'] / (1024 * 1024):g} MB"
    return TooLarge(gettext("The request is larger than %(limit)s, the most the service accepts.", limit=megabytes))


def check_request() -> None:
    """Refuse what the service cannot store or process (see the module's docstring)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        raise too_large()
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            _check_text(value, "path", name)
    for name, value in request.args.items(multi=True):
        _check_text(name, "query")
        _check_text(value, "query", name)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        document = _json_body()
        if document is not None:
            _check_json(document)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            _check_text(name, "form")
            _check_text(value, "form", name)
        for name, upload in request.files.items(multi=True):
            _check_text(upload.filename or "", "files", name)


def register(app: Flask) -> None:
    """Install the checks on `app`: call before any blueprint is registered (the converter)."""
    app.url_map.converters["int"] = DatabaseId
    app.before_request(check_request)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_error):
        # A body without Content-Length that grows past the limit while it is read.
        from .error_handlers import error_response

        return error_response(413, too_large().message)
