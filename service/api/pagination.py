"""Lists in pages: `?limit=` (at most MAX_LIMIT) and `?after=<cursor>`; the answer is the page's
items, and a `Link: <...>; rel="next"` header while more follow (keyset: stable, and as fast on
the thousandth page as on the first)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request
from marshmallow import Schema, fields, validate

MAX_LIMIT = 200


class PageQuery(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_LIMIT),
                           metadata={"description": f"Items per page (default 50, at most {MAX_LIMIT})."})
    after = fields.String(validate=validate.Length(max=200),
                          metadata={"description": "The cursor from the previous page's `Link: rel=next`."})


def limit_of(query: dict) -> int:
    return query.get("limit") or current_app.config["PAGE_SIZE"]


def split(rows: list, limit: int, cursor_of) -> tuple[list, str | None]:
    """The page (`limit` rows of the `limit + 1` fetched) and the cursor after it, if more follow."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, cursor_of(rows[-1])
    return rows, None


def with_next(response, cursor: str | None):
    """Add the `Link: rel=next` header to a flask-smorest answer when a next page exists."""
    if cursor:
        arguments = {k: v for k, v in request.args.items() if k != "after"}
        arguments["after"] = cursor
        response.headers["Link"] = f'<{request.path}?{urlencode(arguments)}>; rel="next"'
    return response
