"""API schemas (marshmallow): what the API reads and what it answers."""
import copy

from marshmallow import Schema, fields, validate

from forms import Message

from .pagination import PageQuery


def BilingualField(name: str) -> fields.Function:
    """`{"en": ..., "fr": ...}` from a model's `<name>_en` / `<name>_fr` columns."""
    return fields.Function(lambda obj: {"en": getattr(obj, f"{name}_en"), "fr": getattr(obj, f"{name}_fr")})


def shown(form: type[Schema]) -> type[Schema]:
    """A schema that shows what `form` takes: the same fields, any of them empty (a draft may
    be), without the form's input checks."""
    declared = {}
    for name, field in form._declared_fields.items():
        field = copy.deepcopy(field)
        field.allow_none, field.required, field.validators = True, False, []
        declared[name] = field
    return Schema.from_dict(declared, name=f"{form.__name__}View")


class ErrorSchema(Schema):
    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict()


class ProcessSchema(Schema):
    id = fields.String(attribute="process_id")
    name = fields.String()
    version = fields.String(attribute="content_hash")
    filename = fields.String()
    start_form = fields.String(allow_none=True)
    user_tasks = fields.Method("_user_tasks")

    def _user_tasks(self, definition):
        return [
            {"id": t.bpmn_id, "name": t.name, "lane": t.lane, "form": t.form}
            for t in definition.user_tasks.values()
        ]


class CaseCreateSchema(Schema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class TaskSchema(Schema):
    id = fields.String()
    case_id = fields.Integer()
    process = fields.String(attribute="case.process_id")
    bpmn_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    form = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime()


class TaskQuerySchema(PageQuery):
    role = fields.String(validate=validate.Length(max=40))
    assignee = fields.String(validate=validate.Length(max=320))
    process = fields.String(validate=validate.Length(max=200))
    case = fields.Integer(validate=validate.Range(min=0, max=2**31 - 1, error=Message("No case has this number.")))


class CaseQuerySchema(PageQuery):
    process = fields.String(validate=validate.Length(max=200))
    status = fields.String(validate=validate.OneOf(("running", "completed", "stalled")))


class TaskCompleteSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class TimerSchema(Schema):
    due_at = fields.DateTime()


class AuditEntrySchema(Schema):
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    detail = fields.Dict()


class CaseSummarySchema(Schema):
    """A case in a list: what it is and where it stands (its detail at `/api/cases/{id}`)."""

    id = fields.Integer()
    process = fields.String(attribute="process_id")
    status = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


class CaseSchema(Schema):
    id = fields.Integer()
    process = fields.String(attribute="process_id")
    process_version = fields.String(attribute="process_version.content_hash")
    status = fields.String()
    version = fields.Integer()
    data = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    ready_tasks = fields.List(fields.Nested(TaskSchema))
    timers = fields.List(fields.Nested(TimerSchema))
    timeline = fields.List(fields.Nested(AuditEntrySchema))


# Reference data

class ActionSchema(Schema):
    number = fields.Integer()
    title = BilingualField("title")
    to_confirm = fields.Boolean()


class ObjectiveSchema(Schema):
    number = fields.Integer()
    title = BilingualField("title")
    to_confirm = fields.Boolean()
    actions = fields.List(fields.Nested(ActionSchema))


class DomainSchema(Schema):
    number = fields.Integer()
    title = BilingualField("title")
    objectives = fields.List(fields.Nested(ObjectiveSchema))


class ActionPlanSummarySchema(Schema):
    code = fields.String()
    name = BilingualField("name")
    start_year = fields.Integer()
    end_year = fields.Integer()
    current = fields.Boolean()


class ActionPlanSchema(ActionPlanSummarySchema):
    domains = fields.List(fields.Nested(DomainSchema))


class GcmObjectiveSchema(Schema):
    number = fields.Integer()
    title = BilingualField("title")


class PartnerSchema(Schema):
    code = fields.String()
    name = BilingualField("name")
    kind = fields.String()
    region = fields.String(allow_none=True)
    status = fields.String()


class CommitteeMemberSchema(Schema):
    partner = fields.String(attribute="partner_code")
    name = fields.Method("_name")
    to_confirm = fields.Boolean()

    def _name(self, member):
        return {"en": member.partner.name_en, "fr": member.partner.name_fr}


class CommitteeSchema(Schema):
    code = fields.String()
    name = BilingualField("name")
    members = fields.List(fields.Nested(CommitteeMemberSchema))


class PresidencySchema(Schema):
    partner = fields.String(attribute="partner_code")
    name = fields.Method("_name")
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    term_end = fields.Date(allow_none=True, metadata={"description": "The announced end of the term"})
    handover_event = fields.Method("_event")
    set_by_handover = fields.Integer(attribute="set_by_handover_id", allow_none=True,
                                     metadata={"description": "The handover that wrote this term, if one did"})

    def _name(self, presidency):
        return {"en": presidency.partner.name_en, "fr": presidency.partner.name_fr}

    def _event(self, presidency):
        if not presidency.handover_event_en:
            return None
        return {"en": presidency.handover_event_en, "fr": presidency.handover_event_fr}


class ReferentSchema(Schema):
    action_plan = fields.String(attribute="domain.action_plan_code")
    domain = fields.Integer(attribute="domain.number")
    partner = fields.String(attribute="partner_code")
    name = fields.Method("_name")

    def _name(self, referent):
        return {"en": referent.partner.name_en, "fr": referent.partner.name_fr}


class ReferenceChangeSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    by = fields.Function(lambda change: change.by.email if change.by else None, allow_none=True)
    kind = fields.String(metadata={"description": "domain, objective, action, gcm_objective, partner, committee, referents"})
    key = fields.String(metadata={"description": "The item: cadiz/action/3, SN, steering-committee, ..."})
    before = fields.Dict(allow_none=True, metadata={"description": "Its fields before (none: added)"})
    after = fields.Dict(allow_none=True, metadata={"description": "Its fields after (none: removed)"})


class DomainReferentsSchema(Schema):
    action_plan = fields.String()
    domain = fields.Integer()
    partners = fields.List(fields.String())
