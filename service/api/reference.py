"""`/api/reference/...`: public reads of the reference data."""
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from ..extensions import db
from ..models import ActionPlan, Committee, GcmObjective, Partner, Presidency, Referent, Domain
from .schemas import (
    ActionPlanSchema,
    ActionPlanSummarySchema,
    CommitteeSchema,
    GcmObjectiveSchema,
    PartnerSchema,
    PresidencySchema,
    ReferentSchema,
)

blp = Blueprint("reference", __name__, url_prefix="/api/reference", description="Reference data (public)")


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
