"""What the public register of labelled initiatives shows, in the API."""
from marshmallow import Schema, fields


class RegisterActionSchema(Schema):
    domain = fields.Integer()
    objective = fields.Integer()
    action = fields.Integer()
    title = fields.Dict(keys=fields.String(), values=fields.String(),
                        metadata={"description": "The action's title today, in English and French"})


class RegisterEntrySchema(Schema):
    """A labelled initiative as the public register shows it."""

    id = fields.Integer()
    title = fields.String()
    type = fields.String()
    lead_partner = fields.String()
    partners = fields.List(fields.String())
    implementing_organisations = fields.List(fields.String())
    start_date = fields.String(metadata={"format": "date"})
    end_date = fields.String(allow_none=True, metadata={"format": "date"})
    location = fields.String(allow_none=True)
    budget_eur = fields.String(allow_none=True, metadata={"description": "Euros, a decimal number as text."})
    actions = fields.List(fields.Nested(RegisterActionSchema))
    gcm_objectives = fields.List(fields.Integer())
    summary = fields.String(allow_none=True)
    labelled_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    results = fields.Dict(allow_none=True)
    results_submitted_at = fields.String(allow_none=True, metadata={"format": "date-time"})
