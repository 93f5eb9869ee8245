"""`/api/referent-cycles` (the cycle, its roadmap and report, their review, the Steering
Committee's comments), `/api/thematic-meetings` and `/api/referent-coverage`."""
from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from forms import Message
from forms.referent_cycle import (RoadmapCommentForm, EvaluationRequestForm, OpenCycleForm, DeliverableReviewForm,
                                  ThematicMeetingForm)
from forms.referent_report import ReportForm
from forms.roadmap import RoadmapForm
from service import reference
from service.api.auth import require_contact
from service.extensions import db
from service.models import is_row_id

from . import comments, coverage, meetings, use_cases, views
from .models import CYCLE_STATUSES, ThematicMeetingDocument
from .use_cases import DraftConflict

blp = Blueprint("referent_cycle", __name__, url_prefix="/api",
                description="Referent-country cycles (roadmaps and reports) and thematic meetings")


def _number(low: int, high: int) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=low, max=high))


PARTNER_CODE = validate.Regexp(r"^[A-Z]{2,10}$", error=Message("A partner is given by its code, e.g. TD or ECOWAS."))


class CycleQuery(Schema):
    domain = _number(1, 1000)
    status = fields.String(validate=validate.OneOf(CYCLE_STATUSES))
    partner = fields.String(validate=PARTNER_CODE)
    year = _number(1900, 2200)


class MeetingQuery(Schema):
    domain = _number(1, 1000)
    partner = fields.String(validate=PARTNER_CODE)
    year = _number(1900, 2200)
    cycle = _number(1, 2**31 - 1)


class VersionQuery(Schema):
    version = fields.Integer(metadata={"description": "The version you read; a save over a later one gives 409 "
                                                      "with the saved answers in `current`."})


class CoverageQuery(Schema):
    action_plan = fields.String()


def _draft_conflict(error: DraftConflict):
    body = {"code": 409, "status": "Conflict", "message": error.message,
            "current": views.deliverable(error.current)}
    response = jsonify(body)
    response.status_code = 409
    return response


# Cycles ------------------------------------------------------------------------------------

@blp.route("/referent-cycles", methods=["POST"])
@blp.arguments(OpenCycleForm)
@blp.response(201)
def open_cycle(data):
    """Open a cycle (Secretariat): domain, period, due dates and their time zone; the referent
    partners default to the domain's (reference data)."""
    return views.cycle(use_cases.open_cycle(data, require_contact()))


@blp.route("/referent-cycles")
@blp.arguments(CycleQuery, location="query")
@blp.response(200)
@blp.paginate()
def list_cycles(filters, pagination_parameters):
    """Cycles you may see (referents: their own), filtered by domain, status, partner and year."""
    rows, total = use_cases.visible(require_contact(), **filters, page=pagination_parameters.page,
                                    per_page=pagination_parameters.page_size)
    pagination_parameters.item_count = total
    return [views.cycle(row) for row in rows]


@blp.route("/referent-cycles/<int:cycle_id>")
@blp.response(200)
def get_cycle(cycle_id):
    return views.cycle(use_cases.get(cycle_id, require_contact()))


# The roadmap and the report ------------------------------------------------------------------

def _get_deliverable(cycle_id, kind):
    return views.deliverable(use_cases.get(cycle_id, require_contact()).deliverable(kind))


def _save(cycle_id, kind, data, version):
    try:
        return views.deliverable(use_cases.save_draft(cycle_id, kind, data, require_contact(), version))
    except DraftConflict as error:
        return _draft_conflict(error)


def _submit(cycle_id, kind, version):
    try:
        return views.deliverable(use_cases.submit(cycle_id, kind, require_contact(), version))
    except DraftConflict as error:
        return _draft_conflict(error)


@blp.route("/referent-cycles/<int:cycle_id>/roadmap")
@blp.response(200)
def get_roadmap(cycle_id):
    """The shared roadmap (draft or submitted), with its version and its reviews."""
    return _get_deliverable(cycle_id, "roadmap")


@blp.route("/referent-cycles/<int:cycle_id>/roadmap", methods=["PUT"])
@blp.arguments(RoadmapForm(partial=True))
@blp.arguments(VersionQuery, location="query")
@blp.response(200)
def put_roadmap(data, query, cycle_id):
    """Save the shared draft (a referent's focal point); `?version=` is required."""
    return _save(cycle_id, "roadmap", data, query.get("version"))


@blp.route("/referent-cycles/<int:cycle_id>/roadmap/submit", methods=["POST"])
@blp.arguments(VersionQuery, location="query")
@blp.response(200)
def submit_roadmap(query, cycle_id):
    """Submit the saved roadmap: every field must be complete (422 with field messages)."""
    return _submit(cycle_id, "roadmap", query.get("version"))


@blp.route("/referent-cycles/<int:cycle_id>/roadmap/review", methods=["POST"])
@blp.arguments(DeliverableReviewForm)
@blp.response(200)
def review_roadmap(data, cycle_id):
    """The Secretariat: `accept`, or `revise` with a comment."""
    return views.deliverable(use_cases.review(cycle_id, "roadmap", data, require_contact()))


@blp.route("/referent-cycles/<int:cycle_id>/report")
@blp.response(200)
def get_report(cycle_id):
    return _get_deliverable(cycle_id, "report")


@blp.route("/referent-cycles/<int:cycle_id>/report", methods=["PUT"])
@blp.arguments(ReportForm(partial=True))
@blp.arguments(VersionQuery, location="query")
@blp.response(200)
def put_report(data, query, cycle_id):
    """Save the shared draft of the report (it can be drafted before the period ends)."""
    return _save(cycle_id, "report", data, query.get("version"))


@blp.route("/referent-cycles/<int:cycle_id>/report/submit", methods=["POST"])
@blp.arguments(VersionQuery, location="query")
@blp.response(200)
def submit_report(query, cycle_id):
    """Submit the saved report, once the period has ended."""
    return _submit(cycle_id, "report", query.get("version"))


@blp.route("/referent-cycles/<int:cycle_id>/report/review", methods=["POST"])
@blp.arguments(DeliverableReviewForm)
@blp.response(200)
def review_report(data, cycle_id):
    return views.deliverable(use_cases.review(cycle_id, "report", data, require_contact()))


# The Steering Committee's comments -------------------------------------------------------------

@blp.route("/referent-cycles/<int:cycle_id>/comments")
@blp.response(200)
def list_comments(cycle_id):
    """Comments on the accepted roadmap (the Secretariat, the Presidency, the referents)."""
    actor = require_contact()
    return [views.comment(c) for c in comments.of_cycle(use_cases.get(cycle_id, actor))]


@blp.route("/referent-cycles/<int:cycle_id>/comments", methods=["POST"])
@blp.arguments(RoadmapCommentForm)
@blp.response(201)
def post_comment(data, cycle_id):
    """A comment from a Steering Committee member's contact, within the comment period."""
    return views.comment(comments.post(cycle_id, data["comment"], require_contact()))


@blp.route("/referent-coverage")
@blp.arguments(CoverageQuery, location="query")
@blp.response(200)
def referent_coverage(query):
    """The objectives and actions accepted roadmaps and reports and thematic meetings serve."""
    require_contact()
    plan = query.get("action_plan") or reference.current_plan().code
    return coverage.coverage(plan)


# Thematic meetings ------------------------------------------------------------------------

@blp.route("/thematic-meetings", methods=["POST"])
@blp.arguments(ThematicMeetingForm)
@blp.response(201)
def record_meeting(data):
    """Record a thematic meeting held (Secretariat); documents as base64, like a silent procedure's."""
    return views.meeting(meetings.record(data, require_contact()))


@blp.route("/thematic-meetings")
@blp.arguments(MeetingQuery, location="query")
@blp.response(200)
@blp.paginate()
def list_meetings(filters, pagination_parameters):
    require_contact()
    rows, total = meetings.visible(domain=filters.get("domain"), partner=filters.get("partner"),
                                   year=filters.get("year"), cycle_id=filters.get("cycle"),
                                   page=pagination_parameters.page, per_page=pagination_parameters.page_size)
    pagination_parameters.item_count = total
    return views.meetings_page(rows)


@blp.route("/thematic-meetings/<int:meeting_id>")
@blp.response(200)
def get_meeting(meeting_id):
    """A meeting's record, with the anonymous summary of its evaluation."""
    return views.meeting(meetings.get(meeting_id, require_contact()))


@blp.route("/thematic-meetings/<int:meeting_id>/evaluation", methods=["POST"])
@blp.arguments(EvaluationRequestForm)
@blp.response(200)
def send_evaluation(data, meeting_id):
    """E-mail the evaluation questionnaire to participants (Secretariat); each is asked once."""
    return {"asked": meetings.send_evaluation(meeting_id, data["participants"], require_contact())}


@blp.route("/thematic-meetings/<int:meeting_id>/documents/<int:document_id>")
def meeting_document(meeting_id, document_id):
    meetings.get(meeting_id, require_contact())
    document = db.session.get(ThematicMeetingDocument, document_id) if is_row_id(document_id) else None
    if document is None or document.meeting_id != meeting_id:
        abort(404)
    return Response(document.content, mimetype=document.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{document.filename}"'})
