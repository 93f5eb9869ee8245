"""`/api/coverage`: the Action Plan's coverage in a period, and the records behind an objective or action."""
from urllib.parse import urlencode

from flask import make_response, request
from flask_babel import gettext
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from forms.coverage import CoverageForm, CoverageRecordsForm

from .. import coverage
from ..errors import Forbidden
from .auth import require_contact

blp = Blueprint("coverage", __name__, url_prefix="/api/coverage", description="The Action Plan's coverage")

READERS = ("secretariat", "presidency")


class CoverageCountSchema(Schema):
    addressed = fields.Integer()
    total = fields.Integer()


class CoverageItemSchema(Schema):
    number = fields.Integer()
    title_en = fields.String()
    title_fr = fields.String()
    addressed = fields.Boolean()
    by = fields.Dict(keys=fields.String(), values=fields.Integer(),
                     metadata={"description": "Records addressing it, by kind (labelled_initiative, ...)"})


class CoverageObjectiveSchema(CoverageItemSchema):
    actions = fields.List(fields.Nested(CoverageItemSchema))


class CoverageDomainSchema(Schema):
    number = fields.Integer()
    title_en = fields.String()
    title_fr = fields.String()
    objectives = fields.List(fields.Nested(CoverageObjectiveSchema))


class CoverageSchema(Schema):
    action_plan = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    presidency = fields.Integer(allow_none=True)
    summary = fields.String(metadata={"description": "The summary line, in the reader's language"})
    objectives = fields.Nested(CoverageCountSchema)
    actions = fields.Nested(CoverageCountSchema)
    domains = fields.List(fields.Nested(CoverageDomainSchema))


class CoverageRecordSchema(Schema):
    kind = fields.String()
    id = fields.Integer()
    title = fields.String(allow_none=True)
    path = fields.String(metadata={"description": "The record's page"})


def _reader():
    actor = require_contact()
    if not actor.has_role(*READERS):
        raise Forbidden(gettext("Only the Secretariat and the Presidency may read the coverage."))
    return actor


def summary(report) -> str:
    return gettext("%(objectives)d of %(objectives_total)d objectives and %(actions)d of %(actions_total)d "
                   "actions addressed", objectives=report.objectives_addressed,
                   objectives_total=report.objectives_total, actions=report.actions_addressed,
                   actions_total=report.actions_total)


@blp.route("")
@blp.arguments(CoverageForm, location="query")
@blp.response(200, CoverageSchema)
def get_coverage(values):
    """Every domain, objective and action of the plan (default: the current one) with how many
    records of each kind address it in the period (two days, a Presidency's term, or the plan's years)."""
    _reader()
    plan = coverage.plan_of(values.get("plan"))
    report = coverage.coverage(plan, coverage.period_of(plan, values))
    return {
        "action_plan": plan.code, "period_start": report.period.start, "period_end": report.period.end,
        "presidency": report.period.presidency.id if report.period.presidency else None,
        "summary": summary(report),
        "objectives": {"addressed": report.objectives_addressed, "total": report.objectives_total},
        "actions": {"addressed": report.actions_addressed, "total": report.actions_total},
        "domains": [{"number": d.number, "title_en": d.title_en, "title_fr": d.title_fr, "objectives": objectives}
                    for d, objectives in report.domains],
    }


@blp.route("/records")
@blp.arguments(CoverageRecordsForm, location="query")
@blp.response(200, CoverageRecordSchema(many=True))
def get_records(values):
    """The records addressing one objective (`objective`) or one action (`action`) in the period,
    by kind, in pages (`page`; `Link: rel=next`)."""
    _reader()
    plan = coverage.plan_of(values.get("plan"))
    found, more = coverage.records(plan, coverage.period_of(plan, values), objective=values.get("objective"),
                                   action=values.get("action"), page=values["page"])
    response = make_response(CoverageRecordSchema(many=True).dump(found))
    if more:  # pages by number here: the union of sources has no single key to follow
        arguments = {k: v for k, v in request.args.items() if k != "page"}
        response.headers["Link"] = f'<{request.path}?{urlencode({**arguments, "page": values["page"] + 1})}>; rel="next"'
    return response
