"""Which Action Plan coverage to show: a plan, and a period (two days) or a Presidency's term;
for the drill-down, one objective or one action."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from . import FormSchema, Message, register

_NUMBER = validate.Range(min=1, max=999, error=Message("Not a number of the Action Plan."))


@register("coverage")
class CoverageForm(FormSchema):
    plan = fields.String(validate=validate.Length(max=40), metadata={"description": "An Action Plan's code (default: the current one)"})
    start = fields.Date(data_key="from", metadata={"description": "The period's first day"},
                        error_messages={"invalid": Message("Not a date: write it as 2026-01-31.")})
    end = fields.Date(data_key="to", metadata={"description": "The period's last day"},
                      error_messages={"invalid": Message("Not a date: write it as 2026-01-31.")})
    presidency = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1),
                                metadata={"description": "A Presidency's term (id), instead of the two days"})

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError({"to": [Message("The period ends before it starts.").translated()]})
        if data.get("presidency") and (data.get("start") or data.get("end")):
            raise ValidationError({"presidency": [
                Message("Choose a Presidency or two days, not both.").translated()]})


@register("coverage_records")
class CoverageRecordsForm(CoverageForm):
    objective = fields.Integer(validate=_NUMBER)
    action = fields.Integer(validate=_NUMBER)
    page = fields.Integer(validate=validate.Range(min=1, max=100000), load_default=1)

    @validates_schema
    def _one_target(self, data, **kwargs):
        if bool(data.get("objective")) == bool(data.get("action")):
            raise ValidationError({"action": [Message("Name one objective or one action.").translated()]})
