"""The silent procedure's forms: launch, extend, withdraw, relaunch, and the members' four responses."""
from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates_schema

from workflows import clock

from . import FormSchema, Message, lookups, register

TEXT_LIMIT = 100_000
DOCUMENT_LIMIT = 10 * 1024 * 1024
DOCUMENTS_PER_PROCEDURE = 10
DOCUMENT_TYPES = {
    "application/pdf", "text/plain", "application/msword", "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/png", "image/jpeg",
}


def _required(message: Message) -> dict:
    return {"required": message, "null": message}


def _not_blank(message: Message):
    def check(value: str) -> None:
        if not value or not value.strip():
            raise ValidationError(message.translated())

    return check


def _at_most(limit: int) -> validate.Length:
    return validate.Length(max=limit, error=Message("At most {max} characters."))


class _Stripped(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class _Base64(fields.String):
    """File content as base64 text (JSON) → bytes."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            content = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(gettext("The content must be base64.")) from None
        if not content:
            raise ValidationError(gettext("The document is empty."))
        limit = current_app.config.get("DOCUMENT_MAX_BYTES", DOCUMENT_LIMIT)
        if len(content) > limit:
            raise ValidationError(gettext("A document may not exceed %(size)s MB.", size=f"{limit / (1024 * 1024):g}"))
        return content


class DocumentForm(FormSchema):
    filename = _Stripped(required=True, validate=[validate.Length(min=1, error=Message("The file name is required.")),
                                                  _at_most(200)])
    content_type = fields.String(required=True, validate=validate.OneOf(
        sorted(DOCUMENT_TYPES), error=Message("Accepted: PDF, Word, OpenDocument, Excel, plain text, PNG, JPEG.")))
    content = _Base64(required=True, load_only=True)

    @post_load
    def _safe_name(self, data, **kwargs):
        from werkzeug.utils import secure_filename

        data["filename"] = secure_filename(data["filename"]) or "document"
        return data


def deadline_checks(loaded: dict, minimum: timedelta | None) -> None:
    """Turn `deadline` + `timezone` into `deadline_utc`, refusing what cannot be a deadline."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(loaded["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"timezone": [gettext("Unknown time zone: %(zone)s.", zone=loaded["timezone"])]}) from None
    try:
        deadline_utc = clock.local_to_utc(loaded["deadline"], loaded["timezone"])
    except clock.OutOfRange:
        raise ValidationError({"deadline": [gettext(
            "%(moment)s in %(zone)s is beyond the dates the service can handle.",
            moment=f"{loaded['deadline']:%Y-%m-%d %H:%M}", zone=loaded["timezone"])]}) from None
    except ValueError:
        raise ValidationError({"deadline": [gettext(
            "%(moment)s does not exist in %(zone)s (the clocks change at that time).",
            moment=f"{loaded['deadline']:%Y-%m-%d %H:%M}", zone=loaded["timezone"])]}) from None
    now = clock.now()
    if deadline_utc <= now:
        raise ValidationError({"deadline": [gettext("The deadline is in the past.")]})
    if minimum is not None and deadline_utc < now + minimum:
        hours = minimum.total_seconds() / 3600
        raise ValidationError({"deadline": [gettext("The deadline must be at least %(hours)s hours from now.",
                                                    hours=f"{hours:g}")]})
    loaded["deadline_utc"] = deadline_utc


DEADLINE_FORMAT = Message("Give the deadline as a local date and time, e.g. 2026-03-10T17:00, without an offset.")


@register("silent_procedure_launch")
class LaunchForm(FormSchema):
    subject = _Stripped(required=True, validate=[_not_blank(Message("The subject may not be empty.")), _at_most(300)],
                        error_messages=_required(Message("The subject is required.")))
    text = fields.String(required=True, validate=[_not_blank(Message("The text may not be empty.")), _at_most(TEXT_LIMIT)],
                         error_messages=_required(Message("The text is required.")))
    proposed_decision = fields.String(
        required=True, validate=[_not_blank(Message("The proposed decision may not be empty.")), _at_most(5000)],
        error_messages=_required(Message("The proposed decision is required.")))
    deadline = fields.NaiveDateTime(required=True, error_messages={
        **_required(Message("The deadline is required.")), "invalid": DEADLINE_FORMAT})
    timezone = _Stripped(required=True, validate=[validate.Length(min=1, error=Message("The time zone is required.")),
                                                  _at_most(64)],
                         error_messages=_required(Message("The time zone is required.")))
    committees = fields.List(fields.String(), required=True,
                             error_messages=_required(Message("Choose at least one committee.")),
                             validate=validate.Length(min=1, error=Message("Choose at least one committee.")))
    documents = fields.List(fields.Nested(DocumentForm), load_default=list, validate=validate.Length(
        max=DOCUMENTS_PER_PROCEDURE, error=Message("At most {max} documents.")))

    @pre_load
    def _cap_committees(self, data, **kwargs):
        """No more committees than exist, refused before they are read one by one."""
        committees = data.get("committees") if isinstance(data, dict) else None
        if isinstance(committees, (list, tuple)):
            existing = len(lookups.reference().committee_codes())
            if len(committees) > existing:
                raise ValidationError({"committees": [
                    gettext("At most %(number)s: there are no more committees.", number=existing)]})
        return data

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        known = lookups.reference().committee_codes()
        unknown = sorted(set(data["committees"]) - known)
        if unknown:
            raise ValidationError({"committees": [gettext("Unknown committee: %(codes)s.", codes=", ".join(unknown))]})
        if len(set(data["committees"])) != len(data["committees"]):
            raise ValidationError({"committees": [gettext("Name each committee once.")]})
        deadline_checks(data, clock.duration(current_app.config["SILENT_PROCEDURE_MIN_DURATION"]))


REASON_LIMIT = 2000


def _reason(required: Message, empty: Message) -> fields.String:
    """Why the Secretariat changes a running procedure: told to everyone and kept in the record."""
    return _Stripped(required=True, validate=[_not_blank(empty), _at_most(REASON_LIMIT)],
                     error_messages=_required(required))


@register("silent_procedure_extend")
class ExtendForm(FormSchema):
    deadline = LaunchForm._declared_fields["deadline"]
    timezone = LaunchForm._declared_fields["timezone"]
    reason = _reason(Message("Give the reason for the extension."),
                     Message("The reason for the extension may not be empty."))

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        deadline_checks(data, None)


@register("silent_procedure_withdraw")
class WithdrawForm(FormSchema):
    reason = _reason(Message("Give the reason for the withdrawal."),
                     Message("The reason for the withdrawal may not be empty."))


@register("silent_procedure_relaunch")
class RelaunchForm(FormSchema):
    text = LaunchForm._declared_fields["text"]
    documents = LaunchForm._declared_fields["documents"]
    proposed_decision = fields.String(validate=_at_most(5000))
    deadline = LaunchForm._declared_fields["deadline"]
    timezone = LaunchForm._declared_fields["timezone"]

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        deadline_checks(data, clock.duration(current_app.config["SILENT_PROCEDURE_MIN_DURATION"]))


@register("silent_procedure_objection")
class ObjectionForm(FormSchema):
    reason = fields.String(required=True, validate=[_not_blank(Message("The reason may not be empty.")), _at_most(20000)],
                           error_messages=_required(Message("The reason is required.")))


@register("silent_procedure_amendment")
class AmendmentForm(FormSchema):
    amendment = fields.String(required=True, validate=[_not_blank(Message("The amendment may not be empty.")), _at_most(20000)],
                              error_messages=_required(Message("The amendment is required.")))


@register("silent_procedure_comment")
class CommentForm(FormSchema):
    comment = fields.String(required=True, validate=[_not_blank(Message("The comment may not be empty.")), _at_most(20000)],
                            error_messages=_required(Message("The comment is required.")))


@register("silent_procedure_acknowledgement")
class AcknowledgementForm(FormSchema):
    pass


#: Link purpose → (response kind, form key, the field holding the text, breaks silence)
PURPOSES = {
    "object": ("objection", "silent_procedure_objection", "reason", True),
    "amend": ("amendment", "silent_procedure_amendment", "amendment", True),
    "comment": ("comment", "silent_procedure_comment", "comment", False),
    "acknowledge": ("acknowledgement", "silent_procedure_acknowledgement", None, False),
}

LABELS = {
    "subject": _l("Subject"),
    "text": _l("Text submitted for approval"),
    "proposed_decision": _l("Proposed decision"),
    "deadline": _l("Deadline (local date and time)"),
    "timezone": _l("Time zone"),
    "committees": _l("Committees addressed"),
    "documents": _l("Attached documents (optional)"),
    "reason": _l("Reason for the objection"),
    "amendment": _l("Amendment requested"),
    "comment": _l("Comment or explanation of position"),
}

#: The Secretariat's reasons, by what it does to a running procedure.
REASON_LABELS = {
    "extend": _l("Reason for the extension"),
    "withdraw": _l("Reason for the withdrawal"),
}
