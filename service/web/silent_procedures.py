"""Pages of the silent procedure: the e-mail action pages, and the Secretariat's pages."""
from __future__ import annotations

import base64
import io
from zoneinfo import available_timezones

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

import forms
from forms.silent_procedure import LABELS, PURPOSES

from .. import action_links, csv_export, silent_procedures
from ..errors import InvalidInput, ServiceError
from ..extensions import db
from ..models import Committee, ProcedureDocument, SilentProcedure
from . import signed_in

bp = Blueprint("silent_procedure_pages", __name__)

COMMON_ZONES = ["Europe/Brussels", "Europe/Madrid", "Europe/Lisbon", "Africa/Lagos", "Africa/Dakar",
                "Africa/Casablanca", "Africa/Abidjan", "Europe/Vienna", "UTC"]


officer_page = signed_in("secretariat", "presidency")


# Action links ------------------------------------------------------------------------------

@bp.route("/act/<token>", methods=["GET"])
def act(token):
    """Confirmation page: shows the procedure and the form; changes nothing (mail scanners)."""
    link = action_links.resolve(token)
    g.recipient_language = link.contact.language
    return _act_page(link, token, silent_procedures.link_state(link), {}, {})


def _act_page(link, token, state, errors, values, status=200):
    return render_template("act.html", link=link, procedure=silent_procedures.summary(link.procedure, token),
                           purpose=PURPOSES[link.purpose], state=state, labels=LABELS, errors=errors,
                           values=values, lang_labels=silent_procedures.LINK_LABELS), status


@bp.route("/act/<token>", methods=["POST"])
def act_post(token):
    link = action_links.resolve(token)
    g.recipient_language = link.contact.language
    field = PURPOSES[link.purpose][2]
    data = {field: request.form.get(field, "")} if field else {}
    try:
        receipt = silent_procedures.respond(token, data)
    except InvalidInput as error:
        return _act_page(link, token, None, error.errors, data, 422)
    status = 200 if receipt.counted else 409
    return render_template("act_done.html", receipt=receipt, procedure=silent_procedures.summary(link.procedure),
                           member=link.partner_code), status


@bp.route("/act/<token>/documents/<int:document_id>")
def act_document(token, document_id):
    """A document of the procedure, for whoever holds one of its links (also after it ended)."""
    link = action_links.resolve(token)
    document = db.session.get(ProcedureDocument, document_id)
    if document is None or document.procedure_id != link.procedure_id:
        abort(404)
    return Response(document.content, mimetype=document.content_type, headers={
        "Content-Disposition": f'attachment; filename="{document.filename}"'})


# The Secretariat's pages --------------------------------------------------------------------

@bp.route("/silent-procedures")
@officer_page
def index(officer):
    procedures = db.session.scalars(select(SilentProcedure).order_by(SilentProcedure.id.desc())).all()
    return render_template("silent_procedures.html", procedures=procedures)


def _launch_page(values, errors, status=200):
    committees = db.session.scalars(select(Committee).order_by(Committee.code)).all()
    zones = COMMON_ZONES + sorted(available_timezones() - set(COMMON_ZONES))
    return render_template("silent_procedure_new.html", committees=committees, zones=zones, values=values,
                           errors=errors, labels=LABELS), status


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
        procedure = silent_procedures.launch(forms.FORMS["silent_procedure_launch"]().load(values), officer)
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
    procedure = silent_procedures.get(procedure_id, officer)
    return render_template("silent_procedure.html", procedure=procedure, record=silent_procedures.record(procedure),
                           zones=COMMON_ZONES, error=request.args.get("error"))


@bp.route("/silent-procedures/<int:procedure_id>/extend", methods=["POST"])
@officer_page
def extend(officer, procedure_id):
    try:
        data = forms.FORMS["silent_procedure_extend"]().load(
            {"deadline": request.form.get("deadline", ""), "timezone": request.form.get("timezone", "")})
        silent_procedures.extend(procedure_id, data, officer)
    except forms.ValidationError as error:
        message = "; ".join(m for msgs in error.messages.values() for m in (msgs if isinstance(msgs, list) else [msgs]))
        return redirect(url_for("silent_procedure_pages.detail", procedure_id=procedure_id, error=message))
    except ServiceError as error:
        return redirect(url_for("silent_procedure_pages.detail", procedure_id=procedure_id, error=error.message))
    return redirect(url_for("silent_procedure_pages.detail", procedure_id=procedure_id))


@bp.route("/silent-procedures/<int:procedure_id>/withdraw", methods=["POST"])
@officer_page
def withdraw(officer, procedure_id):
    try:
        silent_procedures.withdraw(procedure_id, officer)
    except ServiceError as error:
        return redirect(url_for("silent_procedure_pages.detail", procedure_id=procedure_id, error=error.message))
    return redirect(url_for("silent_procedure_pages.detail", procedure_id=procedure_id))


@bp.route("/silent-procedures/<int:procedure_id>/record")
@officer_page
def record_page(officer, procedure_id):
    procedure = silent_procedures.get(procedure_id, officer)
    return render_template("silent_procedure_record.html", record=silent_procedures.record(procedure))


@bp.route("/silent-procedures/<int:procedure_id>/record.json")
@officer_page
def record_json(officer, procedure_id):
    return jsonify(silent_procedures.record(silent_procedures.get(procedure_id, officer)))


@bp.route("/silent-procedures/<int:procedure_id>/record.csv")
@officer_page
def record_csv(officer, procedure_id):
    """One line per event of the record: launch, e-mails, responses, extensions, outcome."""
    record = silent_procedures.record(silent_procedures.get(procedure_id, officer))
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(["time_utc", "event", "who", "detail", "counted_or_status"])
    writer.writerow([record["launched_at"], "launched", record["launched_by"],
                     f"{record['subject']} (text v{record['text_version']}, sha256 {record['text_hash']})", "open"])
    for member in record["members_addressed"]:
        writer.writerow([record["launched_at"], "addressed", member["contact"], member["member"],
                         "may break silence" if member["can_break_silence"] else "observer"])
    for mail in record["emails"]:
        writer.writerow([mail["queued_at"], "email", mail["to"], mail["subject"],
                         mail["status"] + (f" at {mail['delivered_at']}" if mail["delivered_at"] else "")
                         + (f" ({mail['last_error']})" if mail["last_error"] else "")])
    for response in record["responses"]:
        writer.writerow([response["received_at"], response["kind"], f"{response['contact']} ({response['member']})",
                         response["text"], "counted" if response["counted"] else f"not counted: {response['not_counted_reason']}"])
    for extension in record["extensions"]:
        writer.writerow([extension["at"], "extended", "", f"{extension['from']} -> {extension['to']}", extension["timezone"]])
    if record["closed_at"]:
        writer.writerow([record["closed_at"], "outcome", "", "", record["status"]])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=silent-procedure-{procedure_id}.csv"})
