"""`/api/silent-procedures`: launch, read, extend, withdraw, relaunch, and the record."""
from flask import make_response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from forms.silent_procedure import ExtendForm, LaunchForm, RelaunchForm, WithdrawForm

from service.api import pagination
from service.api.auth import require_contact

from . import use_cases
from .models import STATUSES
from .record import record as _record

blp = Blueprint("silent_procedures", __name__, url_prefix="/api/silent-procedures",
                description="Silent procedures of the Steering Committee")


class ResponseSchema(Schema):
    member = fields.String()
    contact = fields.String()
    kind = fields.String()
    text = fields.String()
    received_at = fields.String()
    counted = fields.Boolean()
    not_counted_reason = fields.String(allow_none=True)


class ProcedureSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    subject = fields.String()
    text_version = fields.Integer()
    text_hash = fields.String()
    proposed_decision = fields.String()
    committees = fields.List(fields.String())
    documents = fields.List(fields.Dict())
    deadline = fields.String(metadata={"description": "UTC, ISO 8601"})
    deadline_local = fields.String()
    timezone = fields.String()
    launched_at = fields.String()
    on_behalf_of = fields.String(allow_none=True, metadata={
        "description": "The Presidency (partner code) in whose name it was launched"})
    closed_at = fields.String(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)
    relaunch_of = fields.Integer(allow_none=True)
    relaunched_as = fields.Integer(allow_none=True)
    responses = fields.List(fields.Nested(ResponseSchema))


class RecordSchema(ProcedureSchema):
    text = fields.String()
    launched_by = fields.String(allow_none=True)
    members_addressed = fields.List(fields.Dict(), metadata={
        "description": "Each contact addressed once, with the committees its member was addressed under"})
    addressed_by_committee = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "Committee code → the members addressed under it"})
    emails = fields.List(fields.Dict())
    extensions = fields.List(fields.Dict())


class ProcedureSummarySchema(Schema):
    """A procedure in a list: where it stands and its deadline (its record has the rest)."""

    id = fields.Integer()
    status = fields.String()
    subject = fields.String()
    text_version = fields.Integer()
    deadline = fields.DateTime(attribute="deadline_at", metadata={"description": "UTC, ISO 8601"})
    deadline_local = fields.Function(lambda p: use_cases.local_deadline(p).isoformat(),
                                     metadata={"type": "string", "description": "In the deadline's time zone"})
    timezone = fields.String()
    launched_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    relaunch_of = fields.Integer(attribute="relaunch_of_id", allow_none=True)


class ProcedureListQuery(pagination.PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))


@blp.route("", methods=["GET"])
@blp.arguments(ProcedureListQuery, location="query")
@blp.response(200, ProcedureSummarySchema(many=True))
def list_procedures(query):
    """Silent procedures (Secretariat, Presidency), newest first, by status, in pages (`Link: rel=next`)."""
    limit = pagination.limit_of(query)
    after = query.get("after")
    before_id = int(after) if after and after.isdigit() and len(after) <= 10 else None
    found = use_cases.visible_page(require_contact(), status=query.get("status"), before_id=before_id,
                                   limit=limit + 1)
    page, cursor = pagination.split(found, limit, lambda row: str(row.id))
    return pagination.with_next(make_response(ProcedureSummarySchema(many=True).dump(page)), cursor)


@blp.route("", methods=["POST"])
@blp.arguments(LaunchForm)
@blp.response(201, ProcedureSchema)
def launch(data):
    """Launch a silent procedure (Secretariat): every member's contacts get the notice."""
    return _record(use_cases.launch(data, require_contact()))


@blp.route("/<int:procedure_id>")
@blp.response(200, ProcedureSchema)
def get_procedure(procedure_id):
    """Status (`open`, `adopted`, `silence_broken`, `withdrawn`) and responses."""
    return _record(use_cases.get(procedure_id, require_contact()))


@blp.route("/<int:procedure_id>/extend", methods=["POST"])
@blp.arguments(ExtendForm)
@blp.response(200, ProcedureSchema)
def extend(data, procedure_id):
    """Extend the deadline, before it passes, for a reason everyone is told."""
    return _record(use_cases.extend(procedure_id, data, require_contact()))


@blp.route("/<int:procedure_id>/withdraw", methods=["POST"])
@blp.arguments(WithdrawForm)
@blp.response(200, ProcedureSchema)
def withdraw(data, procedure_id):
    """Withdraw the procedure, before the deadline, for a reason everyone is told."""
    return _record(use_cases.withdraw(procedure_id, data, require_contact()))


@blp.route("/<int:procedure_id>/relaunch", methods=["POST"])
@blp.arguments(RelaunchForm)
@blp.response(201, ProcedureSchema)
def relaunch(data, procedure_id):
    """After silence was broken: a new procedure with a revised text, linked to this one."""
    return _record(use_cases.relaunch(procedure_id, data, require_contact()))


@blp.route("/<int:procedure_id>/record")
@blp.response(200, RecordSchema)
def record(procedure_id):
    """The full record: text version, members addressed, e-mails, responses, extensions, outcome."""
    return _record(use_cases.get(procedure_id, require_contact()))
