"""`/api/labelling-requests` and the public register `/api/labelled-initiatives`."""
import io
from datetime import datetime

from flask import Response, make_response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from forms.labelling import AfterSilenceForm, LabellingForm, ResultsForm, ReviewForm

from service import csv_export
from service.api import pagination
from service.api.auth import require_contact
from service.api.schemas import shown

from . import decisions, use_cases
from .models import STATUSES
from .register import register, register_entries, register_page
from .schemas import RegisterEntrySchema

blp = Blueprint("labelling", __name__, url_prefix="/api", description="Labelling requests and the register")


class RequestSchema(shown(LabellingForm)):
    """A request as the API shows it: the form's fields and where it stands."""

    class Meta:
        unknown = "exclude"

    id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    partner_code = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    review_comment = fields.String(dump_only=True, allow_none=True)
    decision_note = fields.String(dump_only=True, allow_none=True)
    silent_procedure_id = fields.Integer(dump_only=True, allow_none=True)
    labelled_at = fields.DateTime(dump_only=True, allow_none=True)
    results = fields.Dict(dump_only=True, allow_none=True)


class RegisterQuery(Schema):
    domain = fields.Integer()
    objective = fields.Integer()
    action = fields.Integer()
    partner = fields.String()
    type = fields.String()
    year = fields.Integer()


class RegisterPageQuery(RegisterQuery, pagination.PageQuery):
    pass


class RequestListQuery(pagination.PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    partner = fields.String(validate=validate.Length(max=20))


def _register_cursor(text: str | None):
    """(labelled at, id) from a register cursor, or None when it is not one."""
    if not text or text.count("|") != 1:
        return None
    moment, number = text.split("|")
    try:
        labelled_at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if labelled_at.tzinfo is None or not number.isdigit() or len(number) > 10:
        return None
    return labelled_at, int(number)


class VersionQuery(Schema):
    version = fields.Integer(metadata={"description": "The version you read; a later save by someone else gives 409."})


@blp.route("/labelling-requests", methods=["POST"])
@blp.arguments(LabellingForm(partial=True))
@blp.response(201, RequestSchema)
def create(data):
    """A new draft (a partner's focal point); incomplete fields are allowed until submission."""
    return use_cases.create_draft(data, require_contact())


@blp.route("/labelling-requests")
@blp.arguments(RequestListQuery, location="query")
@blp.response(200, RequestSchema(many=True))
def list_requests(query):
    """Your partner's requests (the Secretariat and the Presidency see all), newest first,
    filtered by status and partner, in pages (`Link: rel=next`)."""
    limit = pagination.limit_of(query)
    after = query.get("after")
    before_id = int(after) if after and after.isdigit() and len(after) <= 10 else None
    found = use_cases.visible_page(require_contact(), status=query.get("status"), partner=query.get("partner"),
                                   before_id=before_id, limit=limit + 1)
    page, cursor = pagination.split(found, limit, lambda row: str(row.id))
    return pagination.with_next(make_response(RequestSchema(many=True).dump(page)), cursor)


@blp.route("/labelling-requests/<int:request_id>")
@blp.response(200, RequestSchema)
def get_request(request_id):
    return use_cases.get(request_id, require_contact())


@blp.route("/labelling-requests/<int:request_id>", methods=["PATCH"])
@blp.arguments(LabellingForm(partial=True))
@blp.arguments(VersionQuery, location="query")
@blp.response(200, RequestSchema)
def patch_request(data, query, request_id):
    """Change a draft (or a request whose changes were asked for)."""
    return use_cases.update_draft(request_id, data, require_contact(), query.get("version"))


@blp.route("/labelling-requests/<int:request_id>/submit", methods=["POST"])
@blp.response(200, RequestSchema)
def submit(request_id):
    """Submit, or resubmit after changes: every field must be complete (422 with field messages)."""
    return use_cases.submit(request_id, require_contact())


@blp.route("/labelling-requests/<int:request_id>/review", methods=["POST"])
@blp.arguments(ReviewForm)
@blp.response(200, RequestSchema)
def review(data, request_id):
    """The Secretariat: `accept` (a silent procedure starts), `request_changes` or `decline`."""
    return decisions.review(request_id, data, require_contact())


@blp.route("/labelling-requests/<int:request_id>/after-silence", methods=["POST"])
@blp.arguments(AfterSilenceForm)
@blp.response(200, RequestSchema)
def after_silence(data, request_id):
    """The Secretariat, when silence was broken: `labelled`, `not_labelled` or `relaunch` (with `text`)."""
    return decisions.after_silence(request_id, data, require_contact())


@blp.route("/labelling-requests/<int:request_id>/results", methods=["POST"])
@blp.arguments(ResultsForm)
@blp.response(200, RequestSchema)
def results(data, request_id):
    """The partner's results report, once asked for after the initiative's end."""
    return use_cases.report_results(request_id, data, require_contact())


@blp.route("/labelled-initiatives")
@blp.arguments(RegisterPageQuery, location="query")
@blp.response(200, RegisterEntrySchema(many=True))
@blp.doc(security=[])
def labelled_initiatives(filters):
    """The public register, filtered by domain, objective, action, partner, type and year,
    newest labelled first, in pages (`Link: rel=next`)."""
    limit = pagination.limit_of(filters)
    rows = register_page(filters, _register_cursor(filters.get("after")), limit + 1)
    page, cursor = pagination.split(rows, limit, lambda row: f"{row.labelled_at.isoformat()}|{row.id}")
    return pagination.with_next(make_response(RegisterEntrySchema(many=True).dump(register_entries(page))), cursor)


@blp.route("/labelled-initiatives.csv")
@blp.arguments(RegisterQuery, location="query")
@blp.doc(security=[], responses={"200": {"description": "The register, one initiative a line.",
                                         "content": {"text/csv": {"schema": {"type": "string"}}}}})
def labelled_initiatives_csv(filters):
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(["id", "title", "type", "lead_partner", "partners", "start_date", "end_date", "location",
                     "budget_eur", "actions", "gcm_objectives", "labelled_at", "results_reported"])
    rows = register(filters)
    for start in range(0, len(rows), 500):  # the actions of 500 initiatives per query
        for entry in register_entries(rows[start:start + 500]):
            writer.writerow([entry["id"], entry["title"], entry["type"], entry["lead_partner"],
                             " ".join(entry["partners"]), entry["start_date"], entry["end_date"], entry["location"],
                             entry["budget_eur"] or "", " ".join(str(a["action"]) for a in entry["actions"]),
                             " ".join(map(str, entry["gcm_objectives"])), entry["labelled_at"],
                             "yes" if entry["results"] else "no"])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=labelled-initiatives.csv"})
