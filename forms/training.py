"""Moving the training clock forward: by an ISO 8601 duration (`P1D`, `P2W`, `PT12H`)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate

from workflows import clock

from . import FormSchema, Message, register


@register("training_clock")
class ClockForm(FormSchema):
    duration = fields.String(required=True, validate=validate.Length(
                                 min=2, max=40, error=Message("Not a duration: write it as P14D, P2W or PT12H.")),
                             metadata={"description": "ISO 8601, e.g. P14D"},
                             error_messages={"required": Message("Give a duration, for example P14D.")})

    @post_load
    def _as_timedelta(self, data, **kwargs):
        try:
            data["delta"] = clock.duration(data["duration"].upper())
        except (ValueError, OverflowError):
            raise ValidationError({"duration": [Message("Not a duration: write it as P14D, P2W or PT12H.").translated()]}) \
                from None
        return data
