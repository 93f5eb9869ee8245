"""Forms used by the test BPMN files in tests/bpmn/."""
from marshmallow import fields, validate

from forms import FormSchema, register


@register("test_submission")
class SubmissionForm(FormSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))


@register("test_review")
class ReviewForm(FormSchema):
    approved = fields.Boolean(required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=2000))
