"""`/api/reference/...`: public reads of the reference data; the Secretariat's edits, their
history and the export."""
import io
import zipfile

from flask import Response, make_response
from flask_smorest import Blueprint, abort
from marshmallow import fields, validate
from sqlalchemy import select

from forms.reference import (
    ActionForm,
    CommitteeEditForm,
    CommitteeForm,
    ObjectiveForm,
    PartnerEditForm,
    PartnerForm,
    ReferentsForm,
    TitlesForm,
)

from .. import reference_data, reference_editing
from ..extensions import db
from ..models import ActionPlan, Committee, GcmObjective, Partner, Presidency, Referent, Domain
from ..models.reference_changes import KINDS
from .auth import require_contact
from .pagination import PageQuery, limit_of, split, with_next
from .schemas import (
    ActionPlanSchema,
    ActionPlanSummarySchema,
    ActionSchema,
    CommitteeSchema,
    DomainReferentsSchema,
    DomainSchema,
    GcmObjectiveSchema,
    ObjectiveSchema,
    PartnerSchema,
    PresidencySchema,
    ReferenceChangeSchema,
    ReferentSchema,
)

blp = Blueprint("reference", __name__, url_prefix="/api/reference",
                description="Reference data (public reads; edits by the Secretariat, recorded)")


@blp.route("/action-plans")
@blp.doc(security=[])
@blp.response(200, ActionPlanSummarySchema(many=True))
def list_action_plans():
    """The Action Plans (the current one is marked)."""
    return db.session.scalars(select(ActionPlan).order_by(ActionPlan.start_year)).all()


@blp.route("/action-plans/<code>")
@blp.doc(security=[])
@blp.response(200, ActionPlanSchema)
def get_action_plan(code):
    """One Action Plan: domains → objectives → actions (`cadiz`, `marrakesh`)."""
    plan = db.session.get(ActionPlan, code)
    if plan is None:
        abort(404, message=f"No Action Plan {code!r}.")
    return plan


@blp.route("/gcm-objectives")
@blp.doc(security=[])
@blp.response(200, GcmObjectiveSchema(many=True))
def list_gcm_objectives():
    """The 23 objectives of the Global Compact for Migration."""
    return db.session.scalars(select(GcmObjective).order_by(GcmObjective.number)).all()


@blp.route("/partners")
@blp.doc(security=[])
@blp.response(200, PartnerSchema(many=True))
def list_partners():
    """Partner countries and organisations, and observers."""
    return db.session.scalars(select(Partner).order_by(Partner.kind, Partner.code)).all()


@blp.route("/committees")
@blp.doc(security=[])
@blp.response(200, CommitteeSchema(many=True))
def list_committees():
    """Committees and their members."""
    return db.session.scalars(select(Committee).order_by(Committee.code)).all()


@blp.route("/presidencies")
@blp.doc(security=[])
@blp.response(200, PresidencySchema(many=True))
def list_presidencies():
    """The presidency timeline, oldest first."""
    return db.session.scalars(select(Presidency).order_by(Presidency.start.is_(None).desc(), Presidency.start)).all()


@blp.route("/referents")
@blp.doc(security=[])
@blp.response(200, ReferentSchema(many=True))
def list_referents():
    """Referent countries per domain of the Action Plans."""
    return db.session.scalars(
        select(Referent).join(Domain).order_by(Domain.action_plan_code, Domain.number, Referent.partner_code)
    ).all()


# The Secretariat's edits (every one recorded in /changes) -------------------------------------

def _officer():
    return require_contact(*reference_editing.EDIT_ROLES)


@blp.route("/action-plans/<code>/domains/<int:number>", methods=["PUT"])
@blp.arguments(TitlesForm)
@blp.response(200, DomainSchema)
def edit_domain(data, code, number):
    """A domain's titles (Secretariat)."""
    return reference_editing.edit_domain(code, number, data, _officer())


@blp.route("/action-plans/<code>/objectives/<int:number>", methods=["PUT"])
@blp.arguments(ObjectiveForm)
@blp.response(200, ObjectiveSchema)
def edit_objective(data, code, number):
    """An objective's titles (Secretariat)."""
    return reference_editing.edit_objective(code, number, data, _officer())


@blp.route("/action-plans/<code>/objectives/<int:number>/actions", methods=["POST"])
@blp.arguments(ActionForm)
@blp.response(201, ActionSchema)
def add_action(data, code, number):
    """Add an action to an objective (Secretariat); its number must be free in the plan."""
    return reference_editing.add_action(code, number, data, _officer())


@blp.route("/action-plans/<code>/actions/<int:number>", methods=["PUT"])
@blp.arguments(ActionForm)
@blp.response(200, ActionSchema)
def edit_action(data, code, number):
    """An action's titles, or its number (Secretariat). Running cases keep the title they
    quoted; a renumbering is refused (422) while initiatives refer to the action."""
    return reference_editing.edit_action(code, number, data, _officer())


@blp.route("/action-plans/<code>/actions/<int:number>", methods=["DELETE"])
@blp.response(204)
def remove_action(code, number):
    """Remove an action (Secretariat); refused (422) while initiatives refer to it."""
    reference_editing.remove_action(code, number, _officer())


@blp.route("/gcm-objectives/<int:number>", methods=["PUT"])
@blp.arguments(TitlesForm)
@blp.response(200, GcmObjectiveSchema)
def edit_gcm_objective(data, number):
    """A Global Compact objective's titles (Secretariat)."""
    return reference_editing.edit_gcm_objective(number, data, _officer())


@blp.route("/partners", methods=["POST"])
@blp.arguments(PartnerForm)
@blp.response(201, PartnerSchema)
def add_partner(data):
    """Add a partner or an observer (Secretariat); a code already used is refused (422)."""
    return reference_editing.add_partner(data, _officer())


@blp.route("/partners/<code>", methods=["PUT"])
@blp.arguments(PartnerEditForm)
@blp.response(200, PartnerSchema)
def edit_partner(data, code):
    """A partner's names, kind, region and status (Secretariat); the code stays."""
    return reference_editing.edit_partner(code, data, _officer())


@blp.route("/committees", methods=["POST"])
@blp.arguments(CommitteeForm)
@blp.response(201, CommitteeSchema)
def add_committee(data):
    """Add a committee with its members (Secretariat)."""
    return reference_editing.add_committee(data, _officer())


@blp.route("/committees/<code>", methods=["PUT"])
@blp.arguments(CommitteeEditForm)
@blp.response(200, CommitteeSchema)
def edit_committee(data, code):
    """A committee's names and members (Secretariat). Launched procedures keep whom they addressed."""
    return reference_editing.edit_committee(code, data, _officer())


@blp.route("/referents/<code>/<int:number>", methods=["PUT"])
@blp.arguments(ReferentsForm)
@blp.response(200, DomainReferentsSchema)
def set_referents(data, code, number):
    """The referent partners of a domain (Secretariat)."""
    domain = reference_editing.set_referents(code, number, data, _officer())
    return {"action_plan": code, "domain": number, "partners": reference_editing.referent_codes(domain)}


class ChangesQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(KINDS))
    key = fields.String(validate=validate.Length(max=120))


@blp.route("/changes")
@blp.arguments(ChangesQuery, location="query")
@blp.response(200, ReferenceChangeSchema(many=True))
def list_changes(query):
    """The history of the edits, latest first (Secretariat; paged by `Link: rel=next`)."""
    _officer()
    limit = limit_of(query)
    after = query.get("after")
    before_id = int(after) if after and after.isdigit() and len(after) <= 10 else None
    rows, cursor = split(reference_editing.changes(query.get("kind"), query.get("key"), limit, before_id),
                         limit, lambda row: str(row.id))
    return with_next(make_response(ReferenceChangeSchema(many=True).dump(rows)), cursor)


@blp.route("/export")
@blp.response(200, {"format": "binary", "type": "string"}, content_type="application/zip")
def export():
    """The current reference data in the files' format (config/reference/), as a zip (Secretariat)."""
    _officer()
    return export_response()


def export_response():
    """The zip of the exported files, as a download."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in reference_data.export_texts().items():
            archive.writestr(name, text)
    return Response(buffer.getvalue(), mimetype="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="reference-data.zip"'})
