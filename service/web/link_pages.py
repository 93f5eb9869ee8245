"""The pages behind every e-mailed action link: `GET /act/<token>` confirms, `POST` acts.

Which page and which use case depend on the link's purpose, as its procedure declared it
(`Procedure.link_purposes`); this module knows no procedure.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, request
from marshmallow import ValidationError

import forms
from service import links

bp = Blueprint("link_pages", __name__)


def _purpose(link):
    return current_app.extensions["link_purposes"][link.purpose]


@bp.route("/act/<token>", methods=["GET"])
def confirm(token):
    """The confirmation page: shows what the link would do; changes nothing (mail scanners)."""
    link = links.resolve(token)
    g.recipient_language = link.contact.language
    return _purpose(link).page(link, token)


@bp.route("/act/<token>", methods=["POST"])
def act(token):
    """The page's form acts, once: a used link answers what it did, acting no more."""
    link = links.resolve(token)
    g.recipient_language = link.contact.language
    purpose = _purpose(link)
    values = {}
    if link.used_at is None and purpose.form:
        schema = forms.FORMS[purpose.form]()
        posted = {name: request.form[name] for name in schema.fields if name in request.form}
        try:
            values = schema.load(posted)
        except ValidationError as error:
            return purpose.page(link, token, errors=error.messages, values=posted, status=422)
    return purpose.done(link, token, purpose.act(link.id, values))
