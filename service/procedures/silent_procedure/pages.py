"""Pages of the silent procedure: the members' link pages, and the Secretariat's pages."""
from __future__ import annotations

import base64
import io
from zoneinfo import available_timezones

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

import forms
from forms.silent_procedure import LABELS, PURPOSES, REASON_LABELS
from service import csv_export, links
from service.errors import InvalidInput, ServiceError
from service.extensions import db
from service.models import Committee
from service.web import signed_in

from . import overview, use_cases
from .models import ProcedureDocument, SilentProcedure
from .notices import summary
from .record import csv_rows, record
from .responses import link_state

bp = Blueprint("silent_procedure_pages", __name__, template_folder="templates")

COMMON_ZONES = ["Europe/Brussels", "Europe/Madrid", "Europe/Lisbon", "Africa/Lagos", "Africa/Dakar",
                "Africa/Casablanca", "Africa/Abidjan", "Europe/Vienna", "UTC"]


officer_page = signed_in("secretariat", "presidency")


# Action links (the generic /act/<token> pages call these) -----------------------------------

def link_page(link, token, errors=None, values=None, status=200):
    """The confirmation page of a member's link: the procedure and the form; changes nothing."""
    procedure = db.session.get(SilentProcedure, link.subject_id)
    state = link_state(link)
    return render_template("silent_procedure/act.html", link=link, procedure=summary(procedure, token),
                           purpose=PURPOSES[link.purpose], state=state, labels=LABELS, errors=errors or {},
                           values=values or {}, ending=overview.ending(procedure)), status


def done_page(link, token, receipt):
    """What happened to the response (also what a replayed link is told)."""
    procedure = db.session.get(SilentProcedure, link.subject_id)
    next_url = f"/act/{links.token(receipt.next_link)}" if receipt.next_link is not None else None
    status = 200 if receipt.counted or receipt.replay else 409
    return render_template("silent_procedure/act_done.html", receipt=receipt, procedure=summary(procedure),
                           member=link.partner_code, next_link_url=next_url, ending=overview.ending(procedure)), status


@bp.route("/act/<token>/documents/<int:document_id>")
def act_document(token, document_id):
    """A document of the procedure, for whoever holds one of its links (also after it ended)."""
    link = links.resolve(token)
    document = db.session.get(ProcedureDocument, document_id)
    if link.subject_type != "silent_procedure" or document is None or document.procedure_id != link.subject_id:
        abort(404)
    return Response(document.content, mimetype=document.content_type, headers={
        "Content-Disposition": f'attachment; filename="{document.filename}"'})


# The Secretariat's pages --------------------------------------------------------------------

def _page_number(value: str | None) -> int:
    """A page number from the query string; what is not one is the first page."""
    return int(value) if value and value.isdigit() and len(value) <= 6 and int(value) > 0 else 1


@bp.route("/silent-procedures")
@officer_page
def index(officer):
    """Every procedure, filtered by status, sorted and paged in SQL."""
    status = request.args.get("status") if request.args.get("status") in overview.STATUSES else None
    sort = request.args.get("sort") if request.args.get("sort") in overview.SORTS else "newest"
    page = overview.listing(status, sort, _page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])

    def page_url(number):
        return url_for("silent_procedure_pages.index", status=status, sort=sort, page=number)

    return render_template("silent_procedure/silent_procedures.html", page=page, status=status, sort=sort,
                           statuses=overview.STATUSES, sorts=overview.SORTS,
                           next_url=page_url(page.number + 1) if page.has_next else None,
                           previous_url=page_url(page.number - 1) if page.number > 1 else None)


def _launch_page(values, errors, status=200):
    committees = db.session.scalars(select(Committee).order_by(Committee.code)).all()
    return render_template("silent_procedure/silent_procedure_new.html", committees=committees, zones=_zones(),
                           values=values, errors=errors, labels=LABELS), status


def _zones():
    return COMMON_ZONES + sorted(available_timezones() - set(COMMON_ZONES))


@bp.route("/silent-procedures/new", methods=["GET", "POST"])
@officer_page
def new(officer):
    if request.method == "GET":
        return _launch_page({"timezone": "Europe/Brussels", "committees": ["steering-committee"]}, {})
    values = {key: request.form.get(key, "") for key in ("subject", "text", "proposed_decision", "deadline", "timezone")}
    values["committees"] = request.form.getlist("committees")
    # Files go through the same form definition as the API's JSON (content as base64).
    values["documents"] = [
        {"filename": f.filename, "content_type": f.mimetype or "application/octet-stream",
         "content": base64.b64encode(f.read()).decode("ascii")}
        for f in request.files.getlist("documents") if f and f.filename]
    try:
        procedure = use_cases.launch(forms.FORMS["silent_procedure_launch"]().load(values), officer)
    except forms.ValidationError as error:
        del values["documents"]  # a browser cannot keep a chosen file: ask again
        return _launch_page(values, error.messages, 422)
    except InvalidInput as error:
        del values["documents"]
        return _launch_page(values, error.errors or {"subject": [error.message]}, 422)
    return redirect(url_for("silent_procedure_pages.detail", procedure_id=procedure.id))


def _detail_page(officer, procedure, form=None, values=None, errors=None, alert=None, status=200):
    """The procedure page; `form` names the form (extend, withdraw, relaunch) whose posted
    `values` and field `errors` come back to the officer."""
    titles = {p.name: p.title for p in current_app.extensions["procedures"]}
    return render_template("silent_procedure/silent_procedure.html", procedure=procedure,
                           view=overview.overview(procedure), zones=_zones(), form=form, values=values or {},
                           errors=errors or {}, alert=alert, labels=LABELS, reason_labels=REASON_LABELS,
                           can_act=officer.has_role(*use_cases.OFFICE_ROLES), procedure_titles=titles), status


@bp.route("/silent-procedures/<int:procedure_id>")
@officer_page
def detail(officer, procedure_id):
    return _detail_page(officer, use_cases.get(procedure_id, officer))


# Extending and withdrawing change what members were told: the officer gives a reason, sees
# what will happen, and confirms. Relaunching starts a new procedure from the page's form.
# Each change: its form, the fields the page posts, the check before confirming (if it asks
# for a confirmation), and the use case.
CHANGES = {
    "extend": ("silent_procedure_extend", ("deadline", "timezone", "reason"), use_cases.may_extend, use_cases.extend),
    "withdraw": ("silent_procedure_withdraw", ("reason",), use_cases.may_withdraw, use_cases.withdraw),
    "relaunch": ("silent_procedure_relaunch", ("text", "proposed_decision", "deadline", "timezone"), None,
                 use_cases.relaunch),
}


def _change(officer, procedure_id: int, change: str):
    form_key, names, check, act = CHANGES[change]
    procedure = use_cases.get(procedure_id, officer)
    values = {name: request.form.get(name, "") for name in names}
    try:
        data = forms.FORMS[form_key]().load(values)
    except forms.ValidationError as error:
        return _detail_page(officer, procedure, change, values, error.messages, status=422)
    try:
        if check is not None and request.form.get("confirmed") != "yes":
            check(procedure_id, data, officer)
            return render_template("silent_procedure/silent_procedure_confirm.html", procedure=procedure,
                                   change=change, values=values, data=data, reason_label=REASON_LABELS[change])
        result = act(procedure_id, data, officer)
    except InvalidInput as error:
        return _detail_page(officer, use_cases.get(procedure_id, officer), change, values, error.errors,
                            alert=error.message, status=422)
    except ServiceError as error:  # closed meanwhile, or not the Secretariat: the page as it is now
        return _detail_page(officer, use_cases.get(procedure_id, officer), alert=error.message, status=error.status)
    return redirect(url_for("silent_procedure_pages.detail", procedure_id=result.id))


@bp.route("/silent-procedures/<int:procedure_id>/extend", methods=["POST"])
@officer_page
def extend(officer, procedure_id):
    return _change(officer, procedure_id, "extend")


@bp.route("/silent-procedures/<int:procedure_id>/withdraw", methods=["POST"])
@officer_page
def withdraw(officer, procedure_id):
    return _change(officer, procedure_id, "withdraw")


@bp.route("/silent-procedures/<int:procedure_id>/relaunch", methods=["POST"])
@officer_page
def relaunch(officer, procedure_id):
    """After silence was broken: the new text goes out as a new procedure, linked to this one."""
    return _change(officer, procedure_id, "relaunch")


@bp.route("/silent-procedures/<int:procedure_id>/documents/<int:document_id>")
@officer_page
def document(officer, procedure_id, document_id):
    """A document of the procedure, for the Secretariat and the Presidency."""
    procedure = use_cases.get(procedure_id, officer)
    found = db.session.get(ProcedureDocument, document_id)
    if found is None or found.procedure_id != procedure.id:
        abort(404)
    return Response(found.content, mimetype=found.content_type, headers={
        "Content-Disposition": f'attachment; filename="{found.filename}"'})


@bp.route("/silent-procedures/<int:procedure_id>/record")
@officer_page
def record_page(officer, procedure_id):
    return render_template("silent_procedure/silent_procedure_record.html",
                           record=record(use_cases.get(procedure_id, officer)))


@bp.route("/silent-procedures/<int:procedure_id>/record.json")
@officer_page
def record_json(officer, procedure_id):
    return jsonify(record(use_cases.get(procedure_id, officer)))


@bp.route("/silent-procedures/<int:procedure_id>/record.csv")
@officer_page
def record_csv(officer, procedure_id):
    """One line per event of the record: launch, e-mails, responses, extensions, outcome."""
    out = io.StringIO()
    csv_export.writer(out).writerows(csv_rows(record(use_cases.get(procedure_id, officer))))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=silent-procedure-{procedure_id}.csv"})
