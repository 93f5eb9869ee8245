"""Queueing e-mails: render in the recipient's language and add an outbox row to the session.

One template per notice; its words come from the catalogs, in the recipient's language.

Nothing here sends or commits: the row is part of the caller's transaction, so the e-mail
exists exactly when the decision that caused it was saved.
"""
from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import flask_babel
from flask import current_app, g
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from database import db
from workflows import clock

from .models import OutboxMessage

TEMPLATES = Path(__file__).resolve().parent / "templates"

_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(enabled_extensions=("jinja",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# Words from the catalogs of the recipient being written to (set by `_reader` for each e-mail).
_translations: ContextVar = ContextVar("mail_translations")
_environment.install_gettext_callables(
    gettext=lambda text: _translations.get().ugettext(text),
    ngettext=lambda singular, plural, n: _translations.get().ungettext(singular, plural, n),
    pgettext=lambda context, text: _translations.get().upgettext(context, text),
    newstyle=True)
_text_environment = _environment.overlay(autoescape=False)
# Where a recipient reads deadlines (a time zone name, or None): given by the app.
_recipient_timezone = None


def configure(*, filters: dict, globals: dict, recipient_timezone) -> None:
    """The words and formats the app gives the mail templates (the outbox knows no service)."""
    global _recipient_timezone
    _environment.filters.update(filters)
    _environment.globals.update(globals)
    _recipient_timezone = recipient_timezone


class UnknownTemplate(LookupError):
    pass


def _render_blocks(environment: Environment, name: str, blocks: tuple[str, ...], values: dict[str, Any]) -> list[str]:
    template = environment.get_template(name)
    # The template's top-level `set` and `import` (language, macros) belong in the blocks' context.
    module = template.make_module(values)
    exported = {key: getattr(module, key) for key in dir(module) if not key.startswith("_")}
    context = template.new_context({**values, **exported})
    return ["".join(template.blocks[block](context)).strip() for block in blocks]


@contextmanager
def _reader(language: str, zone: str | None):
    """Render for one recipient: their language, deadlines also in their time zone."""
    previous = g.get("viewer_timezone")
    g.viewer_timezone = zone
    try:
        with flask_babel.force_locale(language):
            token = _translations.set(flask_babel.get_translations())
            try:
                yield
            finally:
                _translations.reset(token)
    finally:
        g.viewer_timezone = previous


def render(template: str, language: str, values: dict[str, Any], zone: str | None = None) -> tuple[str, str, str]:
    """(subject, text, html) of `template` in `language` ("fr" or "en")."""
    name = f"{template}.jinja"
    if not (TEMPLATES / name).exists():
        raise UnknownTemplate(name)
    values = {**values, "lang": language}
    with _reader(language, zone):
        subject, text = _render_blocks(_text_environment, name, ("subject", "text"), values)
        # The HTML part is the whole template: the layout's page around the message's content.
        html = _environment.get_template(name).render(values).strip()
    # Optional paragraphs leave blank lines behind: one at most between two paragraphs.
    return " ".join(subject.split()), re.sub(r"\n{3,}", "\n\n", text), html


def queue_email(
    *,
    template: str,
    to_email: str,
    language: str,
    values: dict[str, Any],
    to_name: str = "",
    case_id: int | None = None,
    ics: str | None = None,
    zone: str | None | object = ...,
) -> OutboxMessage:
    """Add one e-mail to the current transaction's outbox. `zone`: the recipient's time zone
    when the caller knows it (one query for many recipients); else it is looked up."""
    language = language if language in ("fr", "en") else "en"
    if zone is ...:
        zone = _recipient_timezone(to_email) if _recipient_timezone else None
    subject, text, html = render(template, language, values, zone)
    now = clock.now()
    domain = current_app.config["MAIL_MESSAGE_ID_DOMAIN"]
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        case_id=case_id,
        template=template,
        to_email=to_email,
        to_name=to_name,
        language=language,
        subject=subject,
        text_body=text,
        html_body=html,
        ics=ics,
        created_at=now,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    db.session.add(message)
    return message
