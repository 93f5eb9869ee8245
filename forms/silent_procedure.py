"""The silent procedure's forms: launch, extend, and the members' four responses."""
from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from flask import current_app
from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates_schema

from workflows import clock

from . import FormSchema, register

TEXT_LIMIT = 100_000
DOCUMENT_LIMIT = 10 * 1024 * 1024
DOCUMENTS_PER_PROCEDURE = 10
DOCUMENT_TYPES = {
    "application/pdf", "text/plain", "application/msword", "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/png", "image/jpeg",
}


def _required(label: str) -> dict:
    return {"required": f"{label} is required.", "null": f"{label} is required."}


def _not_blank(label: str):
    def check(value: str) -> None:
        if not value or not value.strip():
            raise ValidationError(f"{label} may not be empty.")

    return check


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
            raise ValidationError("The content must be base64.") from None
        if not content:
            raise ValidationError("The document is empty.")
        limit = current_app.config.get("DOCUMENT_MAX_BYTES", DOCUMENT_LIMIT)
        if len(content) > limit:
            raise ValidationError(f"A document may not exceed {limit / (1024 * 1024):g} MB.")
        return content


class DocumentForm(FormSchema):
    filename = _Stripped(required=True, validate=validate.Length(min=1, max=200))
    content_type = fields.String(required=True, validate=validate.OneOf(
        sorted(DOCUMENT_TYPES), error="Accepted: PDF, Word, OpenDocument, Excel, plain text, PNG, JPEG."))
    content = _Base64(required=True, load_only=True)

    @post_load
    def _safe_name(self, data, **kwargs):
        from werkzeug.utils import secure_filename

        data["filename"] = secure_filename(data["filename"]) or "document"
        return data


def deadline_checks(loaded: dict, minimum: timedelta | None) -> None:
    """Turn `deadline` + `timezone` into `deadline_utc`, refusing what cannot be a deadline."""
    try:
        deadline_utc = clock.local_to_utc(loaded["deadline"], loaded["timezone"])
    except ValueError as error:
        field = "timezone" if "time zone" in str(error) and "exist" not in str(error) else "deadline"
        raise ValidationError({field: [str(error)[0].upper() + str(error)[1:] + "."]}) from None
    now = clock.now()
    if deadline_utc <= now:
        raise ValidationError({"deadline": ["The deadline is in the past."]})
    if minimum is not None and deadline_utc < now + minimum:
        hours = minimum.total_seconds() / 3600
        raise ValidationError({"deadline": [f"The deadline must be at least {hours:g} hours from now."]})
    loaded["deadline_utc"] = deadline_utc


@register("silent_procedure_launch")
class LaunchForm(FormSchema):
    subject = _Stripped(required=True, validate=[_not_blank("The subject"), validate.Length(max=300)],
                        error_messages=_required("The subject"))
    text = fields.String(required=True, validate=[_not_blank("The text"), validate.Length(max=TEXT_LIMIT)],
                         error_messages=_required("The text"))
    proposed_decision = fields.String(
        required=True, validate=[_not_blank("The proposed decision"), validate.Length(max=5000)],
        error_messages=_required("The proposed decision"))
    deadline = fields.NaiveDateTime(required=True, error_messages={
        **_required("The deadline"),
        "invalid": "Give the deadline as a local date and time, e.g. 2026-03-10T17:00, without an offset."})
    timezone = _Stripped(required=True, validate=validate.Length(min=1, max=64), error_messages=_required("The time zone"))
    committees = fields.List(fields.String(), required=True, error_messages=_required("At least one committee"),
                             validate=validate.Length(min=1, error="Choose at least one committee."))
    documents = fields.List(fields.Nested(DocumentForm), load_default=list, validate=validate.Length(
        max=DOCUMENTS_PER_PROCEDURE, error=f"At most {DOCUMENTS_PER_PROCEDURE} documents."))

    @pre_load
    def _cap_committees(self, data, **kwargs):
        """No more committees than exist, refused before they are read one by one."""
        from service.extensions import db
        from service.models import Committee

        committees = data.get("committees") if isinstance(data, dict) else None
        if isinstance(committees, (list, tuple)):
            existing = db.session.query(Committee.code).count()
            if len(committees) > existing:
                raise ValidationError({"committees": [f"At most {existing}: there are no more committees."]})
        return data

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        from service.extensions import db
        from service.models import Committee

        known = {c for (c,) in db.session.query(Committee.code).all()}
        unknown = sorted(set(data["committees"]) - known)
        if unknown:
            raise ValidationError({"committees": [f"Unknown committee: {', '.join(unknown)}."]})
        if len(set(data["committees"])) != len(data["committees"]):
            raise ValidationError({"committees": ["Name each committee once."]})
        deadline_checks(data, clock.duration(current_app.config["SILENT_PROCEDURE_MIN_DURATION"]))


@register("silent_procedure_extend")
class ExtendForm(FormSchema):
    deadline = LaunchForm._declared_fields["deadline"]
    timezone = LaunchForm._declared_fields["timezone"]

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        deadline_checks(data, None)


@register("silent_procedure_relaunch")
class RelaunchForm(FormSchema):
    text = LaunchForm._declared_fields["text"]
    documents = LaunchForm._declared_fields["documents"]
    proposed_decision = fields.String(validate=validate.Length(max=5000))
    deadline = LaunchForm._declared_fields["deadline"]
    timezone = LaunchForm._declared_fields["timezone"]

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        deadline_checks(data, clock.duration(current_app.config["SILENT_PROCEDURE_MIN_DURATION"]))


@register("silent_procedure_objection")
class ObjectionForm(FormSchema):
    reason = fields.String(required=True, validate=[_not_blank("The reason"), validate.Length(max=20000)],
                           error_messages=_required("The reason"))


@register("silent_procedure_amendment")
class AmendmentForm(FormSchema):
    amendment = fields.String(required=True, validate=[_not_blank("The amendment"), validate.Length(max=20000)],
                              error_messages=_required("The amendment"))


@register("silent_procedure_comment")
class CommentForm(FormSchema):
    comment = fields.String(required=True, validate=[_not_blank("The comment"), validate.Length(max=20000)],
                            error_messages=_required("The comment"))


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
    "subject": {"en": "Subject", "fr": "Objet"},
    "text": {"en": "Text submitted for approval", "fr": "Texte soumis à approbation"},
    "proposed_decision": {"en": "Proposed decision", "fr": "Décision proposée"},
    "deadline": {"en": "Deadline (local date and time)", "fr": "Échéance (date et heure locales)"},
    "timezone": {"en": "Time zone", "fr": "Fuseau horaire"},
    "committees": {"en": "Committees addressed", "fr": "Comités consultés"},
    "documents": {"en": "Attached documents (optional)", "fr": "Documents joints (facultatif)"},
    "reason": {"en": "Reason for the objection", "fr": "Motif de l'objection"},
    "amendment": {"en": "Amendment requested", "fr": "Amendement demandé"},
    "comment": {"en": "Comment or explanation of position", "fr": "Commentaire ou explication de position"},
}
