"""Pages of the labelling requests: the partner's form and list, the Secretariat's review, the register."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select

from forms.labelling import LABELS, TYPE_LABELS, TYPES, AfterSilenceForm, LabellingForm, ResultsForm, ReviewForm

from service import cases, reference, terms
from service.errors import ServiceError
from service.extensions import db
from service.models import GcmObjective, Partner
from service.web import signed_in

from . import decisions, listing, present, use_cases
from .models import FORM_FIELDS, LabellingRequest

bp = Blueprint("labelling_pages", __name__, template_folder="templates")

LIST_FIELDS = ("partners", "actions", "gcm_objectives")
#: The words of the Secretariat's decision forms (review, outcome after silence), for their fields and the error summary.
DECISION_LABELS = {
    "decision": _l("Decision"),
    "comment": _l("Comment (required to request changes or decline)"),
    "deadline": _l("Silent procedure deadline (optional)"),
    "timezone": _l("Time zone"),
    "outcome": _l("Outcome"),
    "note": _l("What was decided"),
    "text": _l("Revised text (relaunch)"),
    **{name: LABELS[name] for name in ("activities", "results", "lessons_learned")},
}


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


def _partner_groups() -> list:
    return present.partner_groups(db.session.scalars(select(Partner).order_by(Partner.code)).all())


def _choices() -> dict:
    return {
        "plan": reference.current_plan_tree(),
        "partner_groups": _partner_groups(),
        "gcm": db.session.scalars(select(GcmObjective).order_by(GcmObjective.number)).all(),
        "types": TYPES, "type_labels": TYPE_LABELS, "labels": LABELS,
    }


def _form_page(values: dict, errors: dict, item=None, status: int = 200):
    return render_template("labelling/labelling_form.html", values=values, errors=errors, item=item, **_choices()), status


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


@bp.route("/labelling")
@signed_in()
def index(contact):
    status = request.args.get("status")
    status = status if status in terms.LABELLING_STATUSES else None
    page = listing.requests_page(contact, status, _page_number())
    return render_template("labelling/labelling_list.html", page=page, names=present.names_for(page.rows),
                           status=status, statuses=terms.LABELLING_STATUSES, type_labels=TYPE_LABELS,
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
    return _view_page(contact, item, {}, {})


def _view_page(contact, item: LabellingRequest, values: dict, errors: dict, status: int = 200):
    """The request with every field, and the forms of the tasks open to `contact`."""
    tasks = {t.bpmn_id for t in cases.open_tasks(item.case_id)} if item.case_id else set()
    silence = present.broken_silence(item) if "after_silence" in tasks and contact.has_role("secretariat") else None
    return render_template("labelling/labelling_view.html", item=item, tasks=tasks, names=present.names_for([item]),
                           silence=silence, contact=contact, errors=errors, values=values,
                           decision_labels=DECISION_LABELS, labels=LABELS, type_labels=TYPE_LABELS), status


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
        return _view_page(contact, use_cases.get(request_id, contact), values, error.messages, 422)
    except ServiceError as error:
        if not error.errors:
            abort(error.status, error.message)
        # Refused for a field (a deadline too near): the form again, as typed, with the message beside it.
        return _view_page(contact, use_cases.get(request_id, contact), values, error.errors, error.status)
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


def _register_filters() -> dict:
    filters = {}
    for name in ("domain", "objective", "action", "year"):
        value = request.args.get(name, type=int)
        if value:
            filters[name] = value
    for name in ("partner", "type"):
        if request.args.get(name):
            filters[name] = request.args[name]
    return filters


@bp.route("/register")
def register():
    """The public register of labelled initiatives, filtered and paged."""
    filters = _register_filters()
    page = listing.register_page(filters, _page_number())
    return render_template("labelling/register.html", page=page, names=present.names_for(page.rows), filters=filters,
                           plan=reference.current_plan_tree(), type_labels=TYPE_LABELS, types=TYPES,
                           partner_groups=_partner_groups())


@bp.route("/register/<int:initiative_id>")
def register_entry_page(initiative_id):
    """One labelled initiative, every field the register makes public, and its results."""
    item = db.session.get(LabellingRequest, initiative_id) if initiative_id < 2**31 else None
    if item is None or item.status != "labelled":
        abort(404, description=gettext("No labelled initiative %(number)s.", number=initiative_id))
    return render_template("labelling/register_entry.html", item=item, names=present.names_for([item]),
                           labels=LABELS, type_labels=TYPE_LABELS)
