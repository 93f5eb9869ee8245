"""Pages of the labelling requests: the partner's form and list, the Secretariat's review, the register."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import select

from forms.labelling import LABELS, TYPE_LABELS, TYPES, AfterSilenceForm, LabellingForm, ResultsForm, ReviewForm

from service import cases, reference
from service.errors import ServiceError
from service.extensions import db
from service.models import ActionPlan, GcmObjective, Partner
from service.web import signed_in

from . import decisions, use_cases
from .models import FORM_FIELDS
from .register import register as register_rows, register_entries, register_entry

bp = Blueprint("labelling_pages", __name__, template_folder="templates")

LIST_FIELDS = ("partners", "actions", "gcm_objectives")


def _posted_form() -> tuple[dict, dict]:
    """(given, cleared): the fields typed in, and the ones left empty (a draft may clear them)."""
    given, cleared = {}, {}
    for name in FORM_FIELDS:
        if name in LIST_FIELDS or name == "implementing_organisations":
            if name in LIST_FIELDS:
                values = [v for v in request.form.getlist(name) if v.strip()]
            else:
                values = [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]
            # An empty list is a field left empty: a draft may keep it so, submission asks for it.
            if values:
                given[name] = values
            else:
                cleared[name] = []
        else:
            value = request.form.get(name, "").strip()
            if value:
                given[name] = value
            else:
                cleared[name] = None
    return given, cleared


def _choices() -> dict:
    plan = reference.current_plan()
    return {
        "plan": plan,
        "partners": db.session.scalars(select(Partner).order_by(Partner.name_en)).all(),
        "gcm": db.session.scalars(select(GcmObjective).order_by(GcmObjective.number)).all(),
        "types": TYPES, "type_labels": TYPE_LABELS, "labels": LABELS,
    }


def _form_page(values: dict, errors: dict, item=None, status: int = 200):
    return render_template("labelling/labelling_form.html", values=values, errors=errors, item=item, **_choices()), status


@bp.route("/labelling")
@signed_in()
def index(contact):
    return render_template("labelling/labelling_list.html", requests=use_cases.visible(contact), type_labels=TYPE_LABELS,
                           may_create=contact.has_role("partner") and bool(contact.partner_code))


@bp.route("/labelling/new", methods=["GET", "POST"])
@signed_in()
def new(contact):
    if not (contact.has_role("partner") and contact.partner_code):
        abort(403, description=gettext("Labelling requests are filed by the partners' focal points; "
                                       "the Secretariat reviews them once they are submitted."))
    if request.method == "GET":
        return _form_page({"lead_partner": contact.partner_code, "contact_email": contact.email,
                           "contact_name": contact.name}, {})
    return _save(contact, None)


def _save(contact, item):
    """Save the posted form as a draft, and submit it when asked: one use case, one commit."""
    given, blank = _posted_form()
    try:
        data = LabellingForm(partial=True).load(given)
    except ValidationError as error:
        return _form_page(given, error.messages, item, 422)
    if item is not None:
        data = {**blank, **data}  # a saved draft may clear a field
    try:
        item = use_cases.save(item.id if item else None, data, contact, request.form.get("version", type=int),
                              submit_now=request.form.get("action") == "submit")
    except ServiceError as error:
        return _form_page(given, error.errors or {"title": [error.message]}, item, error.status)
    return redirect(url_for("labelling_pages.detail", request_id=item.id))


@bp.route("/labelling/<int:request_id>", methods=["GET"])
@signed_in()
def detail(contact, request_id):
    item = use_cases.get(request_id, contact)
    editable = item.status in use_cases.EDITABLE and contact.has_role("partner") and contact.partner_code == item.partner_code
    if editable:
        return _form_page(use_cases.form_values(item), {}, item)
    tasks = {t.bpmn_id for t in cases.open_tasks(item.case_id)} if item.case_id else set()
    return render_template("labelling/labelling_view.html", item=item, tasks=tasks, entry=register_entry(item),
                           contact=contact, errors={}, values={}, **_choices())


@bp.route("/labelling/<int:request_id>", methods=["POST"])
@signed_in()
def save(contact, request_id):
    return _save(contact, use_cases.get(request_id, contact))


def _decision(contact, request_id, schema, use_case, fields):
    values = {name: request.form.get(name, "") for name in fields}
    values = {k: v for k, v in values.items() if v != ""}
    try:
        use_case(request_id, schema().load(values), contact)
    except ValidationError as error:
        item = use_cases.get(request_id, contact)
        tasks = {t.bpmn_id for t in cases.open_tasks(item.case_id)} if item.case_id else set()
        return render_template("labelling/labelling_view.html", item=item, tasks=tasks, entry=register_entry(item),
                               contact=contact, errors=error.messages, values=values, **_choices()), 422
    except ServiceError as error:
        abort(error.status, error.message)
    return redirect(url_for("labelling_pages.detail", request_id=request_id))


@bp.route("/labelling/<int:request_id>/review", methods=["POST"])
@signed_in()
def review(contact, request_id):
    return _decision(contact, request_id, ReviewForm, decisions.review, ("decision", "comment", "deadline", "timezone"))


@bp.route("/labelling/<int:request_id>/after-silence", methods=["POST"])
@signed_in()
def after_silence(contact, request_id):
    return _decision(contact, request_id, AfterSilenceForm, decisions.after_silence,
                     ("outcome", "note", "text", "deadline", "timezone"))


@bp.route("/labelling/<int:request_id>/results", methods=["POST"])
@signed_in()
def results(contact, request_id):
    return _decision(contact, request_id, ResultsForm, use_cases.report_results, ("activities", "results", "lessons_learned"))


@bp.route("/register")
def register():
    """The public register of labelled initiatives, with filters."""
    filters = {}
    for name in ("domain", "objective", "action", "year"):
        value = request.args.get(name, type=int)
        if value:
            filters[name] = value
    for name in ("partner", "type"):
        if request.args.get(name):
            filters[name] = request.args[name]
    rows = register_entries(register_rows(filters))  # their actions in one query
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.current.is_(True)))
    return render_template("labelling/register.html", rows=rows, filters=filters, plan=plan, type_labels=TYPE_LABELS,
                           types=TYPES, partners=db.session.scalars(select(Partner).order_by(Partner.name_en)).all())
