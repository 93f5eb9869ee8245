"""Pages of the referent cycles: the Secretariat opens and reviews, the referents' focal points
fill the shared roadmap and report, the Steering Committee comments from its e-mailed links;
thematic meetings are recorded, and evaluated by their participants from e-mailed links."""
from __future__ import annotations

import base64
import re

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from forms.referent_cycle import LABELS, EvaluationRequestForm, OpenCycleForm, DeliverableReviewForm, ThematicMeetingForm
from forms.referent_report import LABELS as REPORT_LABELS
from forms.referent_report import ReportForm
from forms.roadmap import ACTIVITY_KINDS, MAX_ACTIVITIES
from forms.roadmap import LABELS as ROADMAP_LABELS
from forms.roadmap import RoadmapForm
from service import cases, links, reference
from service.errors import Conflict, InvalidInput, ServiceError
from service.extensions import db
from service.models import Domain, GcmObjective, Partner, is_row_id
from service.web import signed_in

from . import comments, coverage, meetings, use_cases, words
from .content import form_values
from .models import CYCLE_STATUSES, ReferentCycle, ThematicMeeting, ThematicMeetingDocument
from .use_cases import DraftConflict

bp = Blueprint("referent_cycle_pages", __name__, template_folder="templates")

PER_PAGE = 20
MAX_PAGE = 100_000
COMMON_ZONES = ["Europe/Brussels", "Europe/Madrid", "Europe/Lisbon", "Europe/Zurich", "Africa/Lagos", "Africa/Dakar",
                "Africa/Casablanca", "Africa/Abidjan", "Africa/Ndjamena", "Africa/Douala", "Atlantic/Cape_Verde", "UTC"]
FORMS = {"roadmap": RoadmapForm, "report": ReportForm}


def _words() -> dict:
    return {"flat": flat, "cycle_statuses": words.CYCLE_STATUSES, "deliverable_statuses": words.DELIVERABLE_STATUSES,
            "kind_labels": words.ACTIVITY_KIND_LABELS, "decisions": words.DECISIONS,
            "expectation_labels": words.EXPECTATION_LABELS, "usefulness_labels": words.USEFULNESS_LABELS}


def _choices() -> dict:
    plan = reference.current_plan()
    return {"plan": plan, "kinds": ACTIVITY_KINDS,
            "partners": db.session.scalars(select(Partner).where(Partner.status == "partner")
                                           .order_by(Partner.region, Partner.name_en)).all(),
            "gcm": db.session.scalars(select(GcmObjective).order_by(GcmObjective.number)).all()}


def _page_number() -> int:
    return min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)


def _partner_code(value: str | None) -> bool:
    return bool(value) and bool(re.fullmatch(r"[A-Z]{2,10}", value))


def _number_filters(*names) -> dict:
    """The numeric filters given (a year outside 1900-2200 or a silly number filters nothing)."""
    found = {}
    for name in names:
        value = request.args.get(name, type=int)
        if value and 0 < value <= 2200:
            found[name] = value
    return found


def flat(errors, name=None) -> str:
    """The messages of one field as one text, whatever shape marshmallow gave them (a list,
    or messages by position for a list field)."""
    value = errors.get(name) if name is not None and isinstance(errors, dict) else errors
    found: list[str] = []

    def collect(item):
        if isinstance(item, dict):
            for inner in item.values():
                collect(inner)
        elif isinstance(item, (list, tuple)):
            for inner in item:
                collect(inner)
        elif item:
            found.append(str(item))

    collect(value)
    return " ".join(dict.fromkeys(found))


# Cycles ------------------------------------------------------------------------------------

@bp.route("/referent-cycles")
@signed_in()
def index(contact):
    filters = _number_filters("domain", "year")
    if request.args.get("status") in CYCLE_STATUSES:
        filters["status"] = request.args["status"]
    if _partner_code(request.args.get("partner")):
        filters["partner"] = request.args["partner"]
    page = _page_number()
    rows, total = use_cases.visible(contact, **filters, page=page, per_page=PER_PAGE)
    return render_template("referent_cycle/cycles.html", cycles=rows, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, statuses=CYCLE_STATUSES, **_words(), **_choices())


def _open_page(values, errors, status=200):
    plan = reference.current_plan()
    domain = None
    if str(values.get("domain") or "").isdigit() and int(values["domain"]) <= 1000:
        domain = db.session.scalar(select(Domain).where(Domain.action_plan_code == plan.code,
                                                        Domain.number == int(values["domain"])))
    return render_template("referent_cycle/cycle_new.html", values=values, errors=errors, labels=LABELS,
                           zones=COMMON_ZONES, domain=domain, **_choices()), status


@bp.route("/referent-cycles/new", methods=["GET", "POST"])
@signed_in("secretariat")
def new(officer):
    if request.method == "GET":
        domain_number = request.args.get("domain", type=int)
        domain_number = domain_number if domain_number and 0 < domain_number <= 1000 else None
        values = {"timezone": "Europe/Brussels", "domain": domain_number, "partners": []}
        plan = reference.current_plan()
        domain = db.session.scalar(select(Domain).where(Domain.action_plan_code == plan.code,
                                                        Domain.number == domain_number)) if domain_number else None
        if domain is not None:
            values["partners"] = use_cases.default_partners(domain.id)
        return _open_page(values, {})
    values = {name: request.form.get(name, "").strip() for name in
              ("domain", "period_start", "period_end", "roadmap_due", "report_due", "timezone")}
    values["partners"] = request.form.getlist("partners")
    given = {k: v for k, v in values.items() if v not in ("", None)}
    try:
        cycle = use_cases.open_cycle(OpenCycleForm().load(given), officer)
    except ValidationError as error:
        return _open_page(values, error.messages, 422)
    except InvalidInput as error:
        return _open_page(values, error.errors or {"domain": [error.message]}, 422)
    except Conflict as error:
        return _open_page(values, {"domain": [error.message]}, 409)
    return redirect(url_for("referent_cycle_pages.detail", cycle_id=cycle.id))


def _detail_page(contact, cycle, errors=None, values=None, status=200):
    tasks = {t.bpmn_id for t in cases.open_tasks(cycle.case_id)} if cycle.case_id else set()
    roadmap, report = cycle.deliverable("roadmap"), cycle.deliverable("report")
    cycle_meetings, _ = meetings.visible(cycle_id=cycle.id, per_page=50)
    return render_template(
        "referent_cycle/cycle.html", cycle=cycle, tasks=tasks, roadmap=roadmap, report=report,
        roadmap_values=form_values(roadmap), report_values=form_values(report),
        comments=comments.of_cycle(cycle), focal=use_cases.is_focal_point(contact, cycle),
        meetings=cycle_meetings, errors=errors or {}, values=values or {},
        roadmap_labels=ROADMAP_LABELS, report_labels=REPORT_LABELS, **_words(), **_choices()), status


@bp.route("/referent-cycles/<int:cycle_id>")
@signed_in()
def detail(contact, cycle_id):
    return _detail_page(contact, use_cases.get(cycle_id, contact))


@bp.route("/referent-cycles/<int:cycle_id>/<any(roadmap, report):kind>/review", methods=["POST"])
@signed_in("secretariat")
def review(officer, cycle_id, kind):
    values = {name: request.form.get(name, "") for name in ("decision", "comment") if request.form.get(name)}
    errors = None
    try:
        use_cases.review(cycle_id, kind, DeliverableReviewForm().load(values), officer)
    except ValidationError as error:
        errors = error.messages
    except InvalidInput as error:
        errors = error.errors or {"decision": [error.message]}
    except Conflict as error:
        errors = {"decision": [error.message]}
    if errors is not None:
        return _detail_page(officer, use_cases.get(cycle_id, officer), {kind: errors}, {kind: values}, 422)
    return redirect(url_for("referent_cycle_pages.detail", cycle_id=cycle_id))


# The shared roadmap and report ---------------------------------------------------------------

def _listed(name: str) -> list[str]:
    return [v for v in request.form.getlist(name) if v.strip()]


def _posted(kind: str) -> dict:
    """The answers typed in, as the form takes them (blank fields left out, empty rows dropped)."""
    form = request.form
    count = min(form.get("activity_count", 0, type=int) or 0, MAX_ACTIVITIES + 1)
    activities = []
    for i in range(count):
        prefix = f"activity-{i}-"
        names = (("planned", "title", "kind", "start_date", "end_date", "place", "participants", "countries",
                   "results") if kind == "report" else ("title", "kind", "start_date", "end_date", "place"))
        activity = {name: form.get(prefix + name, "").strip() for name in names}
        activity = {k: v for k, v in activity.items() if v}
        lists = ("co_chairs",) if kind == "report" else ("co_chairs", "objectives", "actions", "gcm_objectives")
        for name in lists:
            chosen = _listed(prefix + name)
            if chosen:
                activity[name] = chosen
        if activity:
            activities.append(activity)
    values: dict = {}
    if activities:
        values["activities"] = activities
    if kind == "roadmap":
        themes = [line.strip() for line in form.get("themes", "").splitlines() if line.strip()]
        if themes:
            values["themes"] = themes
        texts = ("needs",)
    else:
        texts = ("lessons_learned", "recommendations")
        for name in ("objectives", "actions"):
            if _listed(name):
                values[name] = _listed(name)
    for name in texts:
        if form.get(name, "").strip():
            values[name] = form[name].strip()
    return values


def _activity_errors(errors: dict, count: int) -> tuple[list[dict], list[str]]:
    """(messages per activity row, messages about the list itself)."""
    found = errors.get("activities") if isinstance(errors, dict) else None
    rows = [{} for _ in range(count)]
    if isinstance(found, dict):
        for key, value in found.items():
            index = int(key) if str(key).isdigit() else None
            if index is not None and index < count and isinstance(value, dict):
                rows[index] = value
        return rows, []
    return rows, [m for m in (found or []) if isinstance(m, str)]


def _form_page(contact, cycle, kind, values, errors=None, message=None, current=None, status=200, saved=False):
    deliverable = cycle.deliverable(kind)
    activities = list(values.get("activities") or [])
    rows = activities + [{}]  # one empty row to add an activity
    activity_errors, activities_messages = _activity_errors(errors or {}, len(rows))
    roadmap_activities = form_values(cycle.deliverable("roadmap")).get("activities") or [] \
        if cycle.deliverable("roadmap").status == "accepted" else []
    return render_template(
        "referent_cycle/deliverable_form.html", cycle=cycle, kind=kind, deliverable=deliverable, values=values,
        rows=rows, errors=errors or {}, activity_errors=activity_errors, activities_messages=activities_messages,
        message=message, current=current, current_values=form_values(current) if current is not None else None,
        labels=ROADMAP_LABELS if kind == "roadmap" else REPORT_LABELS, roadmap_activities=roadmap_activities,
        saved=saved, version=(current or deliverable).version, **_words(), **_choices()), status


@bp.route("/referent-cycles/<int:cycle_id>/<any(roadmap, report):kind>", methods=["GET"])
@signed_in()
def deliverable_form(contact, cycle_id, kind):
    cycle = use_cases.get(cycle_id, contact)
    deliverable = cycle.deliverable(kind)
    if not use_cases.is_focal_point(contact, cycle) or deliverable.status not in use_cases.EDITABLE:
        return redirect(url_for("referent_cycle_pages.detail", cycle_id=cycle_id, _anchor=kind))
    return _form_page(contact, cycle, kind, form_values(deliverable), saved=request.args.get("saved") == "1")


@bp.route("/referent-cycles/<int:cycle_id>/<any(roadmap, report):kind>", methods=["POST"])
@signed_in()
def save_deliverable(contact, cycle_id, kind):
    """Save the posted answers, and submit them when asked: one use case, one commit. On a
    conflict both texts stay on the page: the typed one in the form, the saved one beside it."""
    cycle = use_cases.get(cycle_id, contact)
    given = _posted(kind)
    submit_now = request.form.get("action") == "submit"
    try:
        data = FORMS[kind](partial=True).load(given)
    except ValidationError as error:
        return _form_page(contact, cycle, kind, given, error.messages, status=422)
    try:
        use_cases.save(cycle_id, kind, data, contact, request.form.get("version", type=int), submit_now=submit_now)
    except DraftConflict as error:
        db.session.rollback()
        current = use_cases.get(cycle_id, contact).deliverable(kind)
        return _form_page(contact, current.cycle, kind, given, message=error.message, current=current, status=409)
    except InvalidInput as error:
        return _form_page(contact, cycle, kind, given, error.errors, message=error.message, status=422)
    except ServiceError as error:
        return _form_page(contact, cycle, kind, given, message=error.message, status=error.status)
    if submit_now:
        return redirect(url_for("referent_cycle_pages.detail", cycle_id=cycle_id, _anchor=kind))
    return redirect(url_for("referent_cycle_pages.deliverable_form", cycle_id=cycle_id, kind=kind, saved=1))


# Steering Committee comments from e-mailed links ---------------------------------------------------

def comment_page(link, token, errors=None, values=None, status=200):
    """The confirmation page of a member's comment link: the roadmap and the comment form."""
    cycle = comments.cycle_of(link)
    roadmap = cycle.deliverable("roadmap")
    return render_template("referent_cycle/comment_act.html", link=link, cycle=cycle, roadmap=roadmap,
                           roadmap_values=form_values(roadmap), state=comments.link_state(link),
                           errors=errors or {}, values=values or {}, labels=LABELS, roadmap_labels=ROADMAP_LABELS,
                           **_words(), **_choices()), status


def comment_done(link, token, receipt):
    cycle = comments.cycle_of(link)
    next_url = f"/act/{links.token(receipt.next_link)}" if receipt.next_link is not None else None
    status = 200 if receipt.recorded or receipt.replay else 409
    return render_template("referent_cycle/comment_done.html", receipt=receipt, cycle=cycle,
                           roadmap=cycle.deliverable("roadmap"), next_link_url=next_url), status


# Thematic meetings --------------------------------------------------------------------------

@bp.route("/thematic-meetings")
@signed_in()
def meetings_index(contact):
    filters = _number_filters("domain", "year")
    if _partner_code(request.args.get("partner")):
        filters["partner"] = request.args["partner"]
    page = _page_number()
    rows, total = meetings.visible(**filters, page=page, per_page=PER_PAGE)
    return render_template("referent_cycle/meetings.html", meetings=rows, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, **_choices())


def _meeting_page(officer, values, errors, status=200):
    cycles, _ = use_cases.visible(officer, per_page=100)
    return render_template("referent_cycle/meeting_new.html", values=values, errors=errors, labels=LABELS,
                           cycles=cycles, **_words(), **_choices()), status


@bp.route("/thematic-meetings/new", methods=["GET", "POST"])
@signed_in("secretariat")
def new_meeting(officer):
    if request.method == "GET":
        return _meeting_page(officer, {"cycle_id": request.args.get("cycle", "")}, {})
    values = {name: request.form.get(name, "").strip() for name in
              ("title", "cycle_id", "start_date", "end_date", "place", "participants", "countries", "conclusions")}
    for name in ("co_chairs", "objectives", "actions"):
        values[name] = _listed(name)
    given = {k: v for k, v in values.items() if v not in ("", None, [])}
    given["co_chairs"], given["objectives"], given["actions"] = values["co_chairs"], values["objectives"], values["actions"]
    given["documents"] = [
        {"filename": f.filename, "content_type": f.mimetype or "application/octet-stream",
         "content": base64.b64encode(f.read()).decode("ascii")}
        for f in request.files.getlist("documents") if f and f.filename]
    try:
        meeting = meetings.record(ThematicMeetingForm().load(given), officer)
    except ValidationError as error:
        return _meeting_page(officer, values, error.messages, 422)
    except InvalidInput as error:
        return _meeting_page(officer, values, error.errors or {"title": [error.message]}, 422)
    return redirect(url_for("referent_cycle_pages.meeting", meeting_id=meeting.id))


def _meeting_detail(contact, meeting, errors=None, participants="", sent=None, status=200):
    served = coverage.numbers(meeting_id=meeting.id).get(None, {"objectives": [], "actions": []})
    cycle = db.session.get(ReferentCycle, meeting.cycle_id) if meeting.cycle_id else None
    return render_template("referent_cycle/meeting.html", meeting=meeting, summary=meetings.summary(meeting),
                           served=served, errors=errors or {}, participants=participants, sent=sent, cycle=cycle,
                           **_words(), **_choices()), status


@bp.route("/thematic-meetings/<int:meeting_id>")
@signed_in()
def meeting(contact, meeting_id):
    sent = request.args.get("sent", type=int)
    return _meeting_detail(contact, meetings.get(meeting_id, contact), sent=sent)


def _participants(text: str) -> list[dict]:
    """One participant a line: e-mail, then optionally a name and a language (fr or en)."""
    people = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace(";", ",").split(",")]
        if not parts or not parts[0]:
            continue
        person = {"email": parts[0]}
        if len(parts) > 1 and parts[1]:
            person["name"] = parts[1]
        if len(parts) > 2 and parts[2]:
            person["language"] = parts[2].lower()
        people.append(person)
    return people


@bp.route("/thematic-meetings/<int:meeting_id>/evaluation", methods=["POST"])
@signed_in("secretariat")
def send_evaluation(officer, meeting_id):
    text = request.form.get("participants", "")
    meeting = meetings.get(meeting_id, officer)
    try:
        data = EvaluationRequestForm().load({"participants": _participants(text)})
        sent = meetings.send_evaluation(meeting_id, data["participants"], officer)
    except ValidationError as error:
        return _meeting_detail(officer, meeting, _participant_errors(error.messages), text, status=422)
    return redirect(url_for("referent_cycle_pages.meeting", meeting_id=meeting_id, sent=sent))


def _participant_errors(messages: dict) -> dict:
    """Field messages of the participant list as one list, each naming its line."""
    found = messages.get("participants")
    if isinstance(found, dict):
        lines = []
        for index, fields_messages in sorted(found.items(), key=lambda kv: int(kv[0])):
            for field_messages in (fields_messages or {}).values():
                for message in field_messages:
                    lines.append(f"{int(index) + 1}: {message}")
        return {"participants": lines}
    return {"participants": found or []}


@bp.route("/thematic-meetings/<int:meeting_id>/documents/<int:document_id>")
@signed_in()
def meeting_document(contact, meeting_id, document_id):
    meetings.get(meeting_id, contact)
    document = db.session.get(ThematicMeetingDocument, document_id) if is_row_id(document_id) else None
    if document is None or document.meeting_id != meeting_id:
        abort(404)
    return Response(document.content, mimetype=document.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{document.filename}"'})


def evaluation_page(link, token, errors=None, values=None, status=200):
    meeting = db.session.get(ThematicMeeting, link.subject_id)
    return render_template("referent_cycle/evaluation_act.html", link=link, meeting=meeting,
                           state=meetings.link_state(link), errors=errors or {}, values=values or {},
                           labels=LABELS, **_words(), **_choices()), status


def evaluation_done(link, token, receipt):
    meeting = db.session.get(ThematicMeeting, link.subject_id)
    status = 200 if receipt.recorded or receipt.replay else 409
    return render_template("referent_cycle/evaluation_done.html", receipt=receipt, meeting=meeting), status

