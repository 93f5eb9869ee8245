"""`/api/silent-procedures`: launch, read, extend, withdraw, relaunch, and the record."""
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from forms.silent_procedure import ExtendForm, LaunchForm, RelaunchForm

from service.api.auth import require_contact

from . import use_cases
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
    """Extend the deadline, before it passes."""
    return _record(use_cases.extend(procedure_id, data, require_contact()))


@blp.route("/<int:procedure_id>/withdraw", methods=["POST"])
@blp.response(200, ProcedureSchema)
def withdraw(procedure_id):
    """Withdraw the procedure, before the deadline."""
    return _record(use_cases.withdraw(procedure_id, require_contact()))


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
