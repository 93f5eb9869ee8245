"""Pages of the silent procedure: the members' link pages, and the Secretariat's pages."""
from __future__ import annotations

import base64
import io
from zoneinfo import available_timezones

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

import forms
from forms.silent_procedure import LABELS, PURPOSES
from service import csv_export, links
from service.errors import InvalidInput, ServiceError
from service.extensions import db
from service.models import Committee
from service.web import signed_in

from . import use_cases
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
                           values=values or {}), status


def done_page(link, token, receipt):
    """What happened to the response (also what a replayed link is told)."""
    procedure = db.session.get(SilentProcedure, link.subject_id)
    next_url = f"/act/{links.token(receipt.next_link)}" if receipt.next_link is not None else None
    status = 200 if receipt.counted or receipt.replay else 409
    return render_template("silent_procedure/act_done.html", receipt=receipt, procedure=summary(procedure),
                           member=link.partner_code, next_link_url=next_url), status


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

@bp.route("/silent-procedures")
@officer_page
def index(officer):
    procedures = db.session.scalars(select(SilentProcedure).order_by(SilentProcedure.id.desc())).all()
    return render_template("silent_procedure/silent_procedures.html", procedures=procedures)


def _launch_page(values, errors, status=200):
    committees = db.session.scalars(select(Committee).order_by(Committee.code)).all()
    zones = COMMON_ZONES + sorted(available_timezones() - set(COMMON_ZONES))
    return render_template("silent_procedure/silent_procedure_new.html", committees=committees, zones=zones,
                           values=values, errors=errors, labels=LABELS), status


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


@bp.route("/silent-procedures/<int:procedure_id>")
@officer_page
def detail(officer, procedure_id):
    procedure = use_cases.get(procedure_id, officer)
    return render_template("silent_procedure/silent_procedure.html", procedure=procedure, record=record(procedure),
                           zones=COMMON_ZONES, error=request.args.get("error"))


def _back(procedure_id, error=None):
    return redirect(url_for("silent_procedure_pages.detail", procedure_id=procedure_id, error=error))


@bp.route("/silent-procedures/<int:procedure_id>/extend", methods=["POST"])
@officer_page
def extend(officer, procedure_id):
    try:
        data = forms.FORMS["silent_procedure_extend"]().load(
            {"deadline": request.form.get("deadline", ""), "timezone": request.form.get("timezone", "")})
    except forms.ValidationError as error:
        return _back(procedure_id, "; ".join(
            m for msgs in error.messages.values() for m in (msgs if isinstance(msgs, list) else [msgs])))
    try:
        use_cases.extend(procedure_id, data, officer)
    except ServiceError as error:
        return _back(procedure_id, error.message)
    return _back(procedure_id)


@bp.route("/silent-procedures/<int:procedure_id>/withdraw", methods=["POST"])
@officer_page
def withdraw(officer, procedure_id):
    try:
        use_cases.withdraw(procedure_id, officer)
    except ServiceError as error:
        return _back(procedure_id, error.message)
    return _back(procedure_id)


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
