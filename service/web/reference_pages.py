"""The Secretariat's reference data pages: Action Plans, Global Compact objectives, partners,
committees, referents; each item's edit page shows its history; the export as a download.

The pages parse with the same forms as the API (`forms/reference.py`) and change through the
same use cases (`service.reference_editing`).
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import forms
from forms.reference import KINDS, LABELS, REGIONS, STATUSES

from .. import reference_editing as editing
from ..api.reference import export_response
from ..errors import InvalidInput
from ..extensions import db
from ..i18n import by_name, localized
from ..models import ActionPlan, Committee, Domain, GcmObjective, Partner, Referent
from ..models.reference_changes import KINDS as CHANGE_KINDS
from . import signed_in

bp = Blueprint("reference_pages", __name__)
KIND_LABELS = {"domain": _l("Domain"), "objective": _l("Objective"), "action": _l("Action"),
               "gcm_objective": _l("Global Compact objective"), "partner": _l("Partner"),
               "committee": _l("Committee"), "referents": _l("Referent partners")}
office_page = signed_in(*editing.EDIT_ROLES)
CHANGES_PER_PAGE = 50


def _partner_choices() -> list[tuple[str, str]]:
    return [(p.code, f"{p.code} — {localized(p)}") for p in by_name(db.session.scalars(select(Partner)).all())]


def _choices(words: dict) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in words.items()]


# Field kinds: text, number, checkbox, select, multiple (a list of choices).
TITLES = [("title_en", "text"), ("title_fr", "text")]
OBJECTIVE = TITLES + [("to_confirm", "checkbox")]
ACTION = [("number", "number")] + OBJECTIVE


def _partner_fields(new: bool):
    return ([("code", "text")] if new else []) + [
        ("name_en", "text"), ("name_fr", "text"), ("kind", "select", _choices(KINDS)),
        ("region", "select", [("", "—")] + _choices(REGIONS)), ("status", "select", _choices(STATUSES))]


def _committee_fields(new: bool):
    partners = _partner_choices()
    return ([("code", "text")] if new else []) + [
        ("name_en", "text"), ("name_fr", "text"), ("members", "multiple", partners),
        ("members_to_confirm", "multiple", partners)]


def _posted(fields) -> dict:
    values = {}
    for name, kind, *_ in fields:
        if kind == "checkbox":
            values[name] = name in request.form
        elif kind == "multiple":
            values[name] = request.form.getlist(name)
        else:
            values[name] = request.form.get(name, "")
    return values


def _edit(officer, *, title, fields, values, form, save, back, history=None, remove=None):
    """GET: the form with the item's values; POST: parsed by `form`, saved by `save(data)`,
    back to `back`; refused: the page again, 422, each message next to its field."""
    errors = {}
    status = 200
    if request.method == "POST":
        values = _posted(fields)
        try:
            save(forms.FORMS[form]().load(values))
            return redirect(back)
        except forms.ValidationError as error:
            errors = error.messages
        except InvalidInput as error:
            errors = error.errors or {fields[0][0]: [error.message]}
        status = 422
    changes = editing.changes(*history, limit=CHANGES_PER_PAGE) if history else []
    return render_template("reference/edit.html", title=title, fields=fields, values=values, errors=errors,
                           labels=LABELS, back=back, changes=changes[:CHANGES_PER_PAGE], remove=remove), status


@bp.context_processor
def _words():
    return {"kind_labels": KIND_LABELS, "field_labels": {**LABELS, "objective": KIND_LABELS["objective"]}}


@bp.route("/reference")
@office_page
def index(officer):
    plans = db.session.scalars(select(ActionPlan).order_by(ActionPlan.start_year.desc())).all()
    return render_template("reference/index.html", plans=plans, changes=editing.changes(limit=10)[:10])


@bp.route("/reference/export.zip")
@office_page
def export(officer):
    return export_response()


@bp.route("/reference/changes")
@office_page
def changes(officer):
    kind = request.args.get("kind") if request.args.get("kind") in CHANGE_KINDS else None
    after = request.args.get("after", "")
    before_id = int(after) if after.isdigit() and len(after) <= 10 else None
    rows = editing.changes(kind, None, CHANGES_PER_PAGE, before_id)
    following = rows[CHANGES_PER_PAGE - 1].id if len(rows) > CHANGES_PER_PAGE else None
    return render_template("reference/changes.html", changes=rows[:CHANGES_PER_PAGE], kind=kind,
                           kinds=CHANGE_KINDS, following=following)


# Action Plans ------------------------------------------------------------------------------

@bp.route("/reference/action-plans/<code>")
@office_page
def plan(officer, code):
    found = editing.plan(code)
    referents: dict[int, list[str]] = {}
    for referent in db.session.scalars(select(Referent).join(Domain).where(Domain.action_plan_code == code)
                                       .order_by(Referent.partner_code)):
        referents.setdefault(referent.domain_id, []).append(referent.partner_code)
    return render_template("reference/plan.html", plan=found, referents=referents)


@bp.route("/reference/action-plans/<code>/domains/<int:number>", methods=["GET", "POST"])
@office_page
def domain(officer, code, number):
    row = editing.domain(code, number)
    return _edit(officer, title=gettext("Domain %(number)s", number=number), fields=TITLES,
                 values=editing.domain_fields(row), form="reference_titles",
                 save=lambda data: editing.edit_domain(code, number, data, officer),
                 back=url_for(".plan", code=code), history=("domain", editing.domain_key(code, number)))


@bp.route("/reference/action-plans/<code>/objectives/<int:number>", methods=["GET", "POST"])
@office_page
def objective(officer, code, number):
    row = editing.objective(code, number)
    return _edit(officer, title=gettext("Objective %(number)s", number=number), fields=OBJECTIVE,
                 values=editing.objective_fields(row), form="reference_objective",
                 save=lambda data: editing.edit_objective(code, number, data, officer),
                 back=url_for(".plan", code=code), history=("objective", editing.objective_key(code, number)))


@bp.route("/reference/action-plans/<code>/objectives/<int:number>/actions/new", methods=["GET", "POST"])
@office_page
def new_action(officer, code, number):
    editing.objective(code, number)
    return _edit(officer, title=gettext("New action under objective %(number)s", number=number), fields=ACTION,
                 values={"to_confirm": False}, form="reference_action",
                 save=lambda data: editing.add_action(code, number, data, officer), back=url_for(".plan", code=code))


@bp.route("/reference/action-plans/<code>/actions/<int:number>", methods=["GET", "POST"])
@office_page
def action(officer, code, number):
    row = editing.action(code, number)
    return _edit(officer, title=gettext("Action %(number)s", number=number), fields=ACTION,
                 values=editing.action_fields(row), form="reference_action",
                 save=lambda data: editing.edit_action(code, number, data, officer),
                 back=url_for(".plan", code=code), history=("action", editing.action_key(code, number)),
                 remove=url_for(".remove_action", code=code, number=number))


@bp.route("/reference/action-plans/<code>/actions/<int:number>/remove", methods=["POST"])
@office_page
def remove_action(officer, code, number):
    try:
        editing.remove_action(code, number, officer)
    except InvalidInput as error:
        row = editing.action(code, number)
        return render_template("reference/edit.html", title=gettext("Action %(number)s", number=number),
                               fields=ACTION, values=editing.action_fields(row), errors={"number": [error.message]},
                               labels=LABELS, back=url_for(".plan", code=code), remove=request.path,
                               changes=editing.changes("action", editing.action_key(code, number))), 422
    return redirect(url_for(".plan", code=code))


@bp.route("/reference/action-plans/<code>/referents/<int:number>", methods=["GET", "POST"])
@office_page
def referents(officer, code, number):
    row = editing.domain(code, number)
    return _edit(officer, title=gettext("Referents of domain %(number)s", number=number),
                 fields=[("partners", "multiple", _partner_choices())], values={"partners": editing.referent_codes(row)},
                 form="reference_referents", save=lambda data: editing.set_referents(code, number, data, officer),
                 back=url_for(".plan", code=code), history=("referents", editing.domain_key(code, number)))


# Global Compact objectives, partners, committees ---------------------------------------------

@bp.route("/reference/gcm-objectives")
@office_page
def gcm_objectives(officer):
    rows = db.session.scalars(select(GcmObjective).order_by(GcmObjective.number)).all()
    return render_template("reference/gcm_objectives.html", objectives=rows)


@bp.route("/reference/gcm-objectives/<int:number>", methods=["GET", "POST"])
@office_page
def gcm_objective(officer, number):
    row = editing.gcm_objective(number)
    return _edit(officer, title=gettext("Global Compact objective %(number)s", number=number), fields=TITLES,
                 values=editing.gcm_fields(row), form="reference_titles",
                 save=lambda data: editing.edit_gcm_objective(number, data, officer),
                 back=url_for(".gcm_objectives"), history=("gcm_objective", str(number)))


@bp.route("/reference/partners")
@office_page
def partners(officer):
    rows = db.session.scalars(select(Partner).order_by(Partner.status, Partner.kind, Partner.code)).all()
    return render_template("reference/partners.html", partners=rows, kinds=KINDS, regions=REGIONS, statuses=STATUSES)


@bp.route("/reference/partners/new", methods=["GET", "POST"])
@office_page
def new_partner(officer):
    return _edit(officer, title=gettext("New partner or observer"), fields=_partner_fields(True),
                 values={"kind": "country", "status": "partner"}, form="reference_partner",
                 save=lambda data: editing.add_partner(data, officer), back=url_for(".partners"))


@bp.route("/reference/partners/<code>", methods=["GET", "POST"])
@office_page
def partner(officer, code):
    row = editing.partner(code)
    return _edit(officer, title=localized(row), fields=_partner_fields(False), values=editing.partner_fields(row),
                 form="reference_partner_edit", save=lambda data: editing.edit_partner(code, data, officer),
                 back=url_for(".partners"), history=("partner", code))


@bp.route("/reference/committees")
@office_page
def committees(officer):
    rows = db.session.scalars(select(Committee).order_by(Committee.code)).all()
    return render_template("reference/committees.html", committees=rows)


@bp.route("/reference/committees/new", methods=["GET", "POST"])
@office_page
def new_committee(officer):
    return _edit(officer, title=gettext("New committee"), fields=_committee_fields(True),
                 values={"members": [], "members_to_confirm": []}, form="reference_committee",
                 save=lambda data: editing.add_committee(data, officer), back=url_for(".committees"))


@bp.route("/reference/committees/<code>", methods=["GET", "POST"])
@office_page
def committee(officer, code):
    row = editing.committee(code)
    return _edit(officer, title=localized(row), fields=_committee_fields(False), values=editing.committee_fields(row),
                 form="reference_committee_edit", save=lambda data: editing.edit_committee(code, data, officer),
                 back=url_for(".committees"), history=("committee", code))
