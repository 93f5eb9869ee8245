"""`/api/handovers` (the handover, its summary, programme and checklist) and `/api/presidency`
(the current Presidency, the troika, the term's end)."""
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from forms.presidency_handover import (ChecklistChangeForm, ChecklistItemForm, DetailsForm, EndorsementForm,
                                       OpenForm, SummaryForm, TermEndForm, TickForm)
from forms.presidency_programme import ProgrammeForm
from service.api.auth import require_contact

from . import access, checklist, present, programme, results, use_cases

blp = Blueprint("presidency_handover", __name__, url_prefix="/api", description="Presidency handovers")


class HandoverSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "scheduled, open, passed or completed"})
    outgoing = fields.Dict()
    incoming = fields.Dict(allow_none=True)
    incoming_title = fields.Dict()
    som_date = fields.String()
    som_place = fields.String(allow_none=True)
    som_timezone = fields.String()
    som_at = fields.String(metadata={"description": "When the Presidency passes (UTC)"})
    opens_at = fields.String(allow_none=True)
    opened_at = fields.String(allow_none=True)
    opened_by = fields.String(allow_none=True)
    passed_at = fields.String(allow_none=True)
    completed_at = fields.String(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    open_tasks = fields.List(fields.String())
    version = fields.Integer()


class HandoverPageSchema(Schema):
    items = fields.List(fields.Nested(HandoverSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ListQuery(Schema):
    status = fields.String(validate=validate.OneOf(("scheduled", "open", "passed", "completed")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class VersionQuery(Schema):
    version = fields.Integer(metadata={"description": "The version you read; a later save by someone else gives 409."})


class SummarySchema(Schema):
    figures = fields.Dict()
    computed_at = fields.String()
    highlights = fields.String()
    activities = fields.List(fields.Dict())
    final = fields.Boolean()
    final_at = fields.String(allow_none=True)
    final_by = fields.String(allow_none=True)
    version = fields.Integer()


class ProgrammeSchema(Schema):
    partner = fields.String()
    status = fields.String()
    vision = fields.String()
    priorities = fields.List(fields.String())
    activities = fields.List(fields.Dict())
    next_som_date = fields.String(allow_none=True)
    next_som_place = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)
    revision_comment = fields.String(allow_none=True)
    silent_procedure_id = fields.Integer(allow_none=True)
    endorsed_by = fields.String(allow_none=True)
    endorsed_at = fields.String(allow_none=True)
    decision_date = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    version = fields.Integer()


class ChecklistItemSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()
    due_date = fields.String()
    done = fields.Boolean()
    done_at = fields.String(allow_none=True)
    done_by = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    reminders_sent = fields.Integer()


class PresidencyStateSchema(Schema):
    current = fields.Dict(allow_none=True)
    term_end = fields.String(allow_none=True)
    troika = fields.Dict()


def _handover(handover_id):
    return present.handover(access.get(handover_id, require_contact()))


def _checklist(handover_id):
    return present.checklist_of(access.get(handover_id, require_contact()))


@blp.route("/handovers")
@blp.arguments(ListQuery, location="query")
@blp.response(200, HandoverPageSchema)
def list_handovers(query):
    """Handovers, newest SOM first, a page at a time (the incoming Presidency's focal points see theirs)."""
    rows, total = use_cases.visible(require_contact(), status=query.get("status"), page=query["page"],
                                    per_page=query["per_page"])
    tasks = present.open_tasks(rows)
    return {"items": [present.handover(r, tasks) for r in rows], "total": total, "page": query["page"],
            "per_page": query["per_page"]}


@blp.route("/handovers", methods=["POST"])
@blp.arguments(OpenForm)
@blp.response(201, HandoverSchema)
def open_handover(data):
    """The Secretariat opens the handover of the current term: incoming Presidency, SOM date, place, time zone."""
    return present.handover(use_cases.open_handover(data, require_contact()))


@blp.route("/handovers/<int:handover_id>")
@blp.response(200, HandoverSchema)
def get_handover(handover_id):
    return _handover(handover_id)


@blp.route("/handovers/<int:handover_id>", methods=["PATCH"])
@blp.arguments(DetailsForm)
@blp.response(200, HandoverSchema)
def change_handover(data, handover_id):
    """The Secretariat names the incoming Presidency, moves the SOM, renames (before the SOM)."""
    return present.handover(use_cases.update_details(handover_id, data, require_contact()))


@blp.route("/handovers/<int:handover_id>/summary")
@blp.response(200, SummarySchema)
def get_summary(handover_id):
    """The outgoing Presidency's results: figures with the records behind each, highlights, activities."""
    return present.summary(access.get(handover_id, require_contact())) or {}


@blp.route("/handovers/<int:handover_id>/summary", methods=["PATCH"])
@blp.arguments(SummaryForm)
@blp.arguments(VersionQuery, location="query")
@blp.response(200, SummarySchema)
def change_summary(data, query, handover_id):
    """Highlights and activities held (the outgoing Presidency or the Secretariat), until final."""
    contact = require_contact()
    results.update(handover_id, data, contact, query.get("version"))
    return present.summary(access.get(handover_id, contact))


@blp.route("/handovers/<int:handover_id>/summary/refresh", methods=["POST"])
@blp.response(200, SummarySchema)
def refresh_summary(handover_id):
    """Count the figures again from the records."""
    contact = require_contact()
    results.refresh(handover_id, contact)
    return present.summary(access.get(handover_id, contact))


@blp.route("/handovers/<int:handover_id>/summary/final", methods=["POST"])
@blp.response(200, SummarySchema)
def finalise_summary(handover_id):
    """Make the summary final: it can no longer change."""
    contact = require_contact()
    results.make_final(handover_id, contact)
    return present.summary(access.get(handover_id, contact))


@blp.route("/handovers/<int:handover_id>/programme")
@blp.response(200, ProgrammeSchema)
def get_programme(handover_id):
    return present.programme_of(access.get(handover_id, require_contact())) or {}


@blp.route("/handovers/<int:handover_id>/programme", methods=["PUT"])
@blp.arguments(ProgrammeForm(partial=True))
@blp.arguments(VersionQuery, location="query")
@blp.response(200, ProgrammeSchema)
def save_programme(data, query, handover_id):
    """Save the programme as a draft (the incoming Presidency's focal points, or the Secretariat)."""
    contact = require_contact()
    programme.save(handover_id, data, contact, query.get("version"))
    return present.programme_of(access.get(handover_id, contact))


@blp.route("/handovers/<int:handover_id>/programme/submit", methods=["POST"])
@blp.response(200, ProgrammeSchema)
def submit_programme(handover_id):
    """Submit the programme: every field complete (422 with field messages)."""
    contact = require_contact()
    programme.submit(handover_id, contact)
    return present.programme_of(access.get(handover_id, contact))


@blp.route("/handovers/<int:handover_id>/programme/endorsement", methods=["POST"])
@blp.arguments(EndorsementForm)
@blp.response(200, ProgrammeSchema)
def endorse_programme(data, handover_id):
    """The Secretariat: `silent_procedure` (deadline, timezone), `decision` (decision_date, note) or `revise` (note)."""
    contact = require_contact()
    programme.endorse(handover_id, data, contact)
    return present.programme_of(access.get(handover_id, contact))


@blp.route("/handovers/<int:handover_id>/checklist")
@blp.response(200, ChecklistItemSchema(many=True))
def get_checklist(handover_id):
    return _checklist(handover_id)


@blp.route("/handovers/<int:handover_id>/checklist", methods=["POST"])
@blp.arguments(ChecklistItemForm)
@blp.response(201, ChecklistItemSchema(many=True))
def add_checklist_item(data, handover_id):
    """The Secretariat adds a task with its due date."""
    checklist.add_item(handover_id, data, require_contact())
    return _checklist(handover_id)


@blp.route("/handovers/<int:handover_id>/checklist/<int:item_id>", methods=["PATCH"])
@blp.arguments(ChecklistChangeForm)
@blp.response(200, ChecklistItemSchema(many=True))
def change_checklist_item(data, handover_id, item_id):
    """A new due date (or title) for an undone task."""
    checklist.change_item(handover_id, item_id, data, require_contact())
    return _checklist(handover_id)


@blp.route("/handovers/<int:handover_id>/checklist/<int:item_id>/tick", methods=["POST"])
@blp.arguments(TickForm)
@blp.response(200, ChecklistItemSchema(many=True))
def tick_checklist_item(data, handover_id, item_id):
    """Tick a task done (who and when are recorded)."""
    checklist.tick(handover_id, item_id, data, require_contact())
    return _checklist(handover_id)


def presidency_state() -> dict:
    found = use_cases.troika()
    current = found["current_presidency"]

    def partner(p):
        return {"code": p.code, "name": {"en": p.name_en, "fr": p.name_fr}} if p else None

    return {"current": partner(found["current"]), "term_end": current.term_end.isoformat() if current and current.term_end else None,
            "troika": {"previous": partner(found["previous"]), "current": partner(found["current"]),
                       "next": partner(found["next"])}}


@blp.route("/presidency")
@blp.doc(security=[])
@blp.response(200, PresidencyStateSchema)
def get_presidency():
    """The Presidency in office, the end of its term, and the troika (previous, current, next). Public."""
    return presidency_state()


@blp.route("/presidency/term-end", methods=["PUT"])
@blp.arguments(TermEndForm)
@blp.response(200, PresidencyStateSchema)
def put_term_end(data):
    """The Secretariat records the end of the current term; its handover opens HANDOVER_OPENS_BEFORE it."""
    use_cases.record_term_end(data, require_contact())
    return presidency_state()
