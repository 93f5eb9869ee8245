"""Pages of the presidency handover: the list and the Presidency in office, opening a handover,
a handover's page (details, results summary, programme, checklist), the programme form."""
from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select

from forms.presidency_handover import (LABELS, SUMMARY_ACTIVITY_KIND_LABELS, SUMMARY_ACTIVITY_KINDS, DetailsForm,
                                       EndorsementForm, OpenForm, SummaryForm, TermEndForm, TickForm,
                                       ChecklistItemForm)
from forms.presidency_programme import ACTIVITY_KIND_LABELS, ACTIVITY_KINDS, LABELS as PROGRAMME_LABELS, ProgrammeForm
from service import reference
from service.errors import ServiceError
from service.extensions import db
from service.models import Partner
from service.web import signed_in

from . import access, checklist, present, programme, results, summary, use_cases

bp = Blueprint("presidency_handover_pages", __name__, template_folder="templates")

STATUSES = {"scheduled": _l("scheduled"), "open": _l("open"), "passed": _l("Presidency passed"),
            "completed": _l("completed")}
PROGRAMME_STATUSES = {"draft": _l("draft"), "submitted": _l("submitted"),
                      "in_silent_procedure": _l("in silent procedure"),
                      "revision_requested": _l("revision requested"), "endorsed": _l("endorsed")}
OUTCOMES = {"adopted": _l("adopted ad referendum"), "silence_broken": _l("silence broken"), "withdrawn": _l("withdrawn"),
            "open": _l("open"), "held": _l("held"), "labelled": _l("labelled"), "not_labelled": _l("not labelled"),
            "submitted": _l("submitted"), "in_silent_procedure": _l("in silent procedure"),
            "changes_requested": _l("changes requested"), "declined": _l("declined"), "lapsed": _l("lapsed")}
ZONES = ["Europe/Brussels", "Europe/Madrid", "Europe/Lisbon", "Europe/Paris", "Africa/Lagos", "Africa/Dakar",
         "Africa/Casablanca", "Africa/Abidjan", "UTC"]
PER_PAGE = 20


def _partners():
    return db.session.scalars(select(Partner).where(Partner.status == "partner").order_by(Partner.name_en)).all()


def _words() -> dict:
    return {"statuses": STATUSES, "programme_statuses": PROGRAMME_STATUSES, "outcomes": OUTCOMES,
            "labels": {**PROGRAMME_LABELS, **LABELS}, "activity_kinds": ACTIVITY_KINDS,
            "activity_kind_labels": ACTIVITY_KIND_LABELS, "summary_kinds": SUMMARY_ACTIVITY_KINDS,
            "summary_kind_labels": SUMMARY_ACTIVITY_KIND_LABELS, "source_titles": summary.SOURCE_TITLES,
            "zones": ZONES + sorted(available_timezones() - set(ZONES))}


def _form(keys) -> dict:
    """The posted fields among `keys` that were filled in."""
    return {k: request.form.get(k, "").strip() for k in keys if request.form.get(k, "").strip()}


@bp.route("/handovers")
@signed_in()
def index(contact):
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = use_cases.visible(contact, page=page, per_page=PER_PAGE)
    return render_template("presidency_handover/handovers.html", handovers=rows, total=total, page=page,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), troika=use_cases.troika(),
                           errors={}, values={}, **_words())


@bp.route("/presidency/term-end", methods=["POST"])
@signed_in("secretariat")
def term_end(contact):
    values = _form(("term_end",))
    try:
        use_cases.record_term_end(TermEndForm().load(values), contact)
    except ValidationError as error:
        return _index_again(contact, values, error.messages)
    except ServiceError as error:
        return _index_again(contact, values, error.errors or {"term_end": [error.message]}, error.status)
    return redirect(url_for(".index"))


def _index_again(contact, values, errors, status=422):
    rows, total = use_cases.visible(contact, per_page=PER_PAGE)
    return render_template("presidency_handover/handovers.html", handovers=rows, total=total, page=1,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), troika=use_cases.troika(),
                           errors=errors, values=values, **_words()), status


OPEN_FIELDS = ("incoming", "som_date", "som_place", "som_timezone", "incoming_title_en", "incoming_title_fr")


def _open_page(values, errors, status=200):
    return render_template("presidency_handover/handover_new.html", values=values, errors=errors, partners=_partners(),
                           current=reference.current_presidency(), **_words()), status


@bp.route("/handovers/new", methods=["GET", "POST"])
@signed_in("secretariat")
def new(contact):
    if request.method == "GET":
        return _open_page({"som_timezone": "Europe/Brussels"}, {})
    values = _form(OPEN_FIELDS)
    try:
        handover = use_cases.open_handover(OpenForm().load(values), contact)
    except ValidationError as error:
        return _open_page(values, error.messages, 422)
    except ServiceError as error:
        return _open_page(values, error.errors or {"incoming": [error.message]}, error.status)
    return redirect(url_for(".detail", handover_id=handover.id))


def _detail_page(contact, handover_id, errors=None, values=None, status=200):
    handover = access.get(handover_id, contact)
    return render_template(
        "presidency_handover/handover.html", handover=handover, view=present.handover(handover),
        summary=present.summary(handover), programme=present.programme_of(handover),
        checklist=present.checklist_of(handover), troika=use_cases.troika(), partners=_partners(),
        may_edit_summary=contact.has_role("secretariat") or access.is_outgoing(handover, contact),
        may_write_programme=contact.has_role("secretariat") or access.is_incoming(handover, contact),
        errors=errors or {}, values=values or {}, **_words()), status


@bp.route("/handovers/<int:handover_id>")
@signed_in()
def detail(contact, handover_id):
    return _detail_page(contact, handover_id)


def _act(contact, handover_id, schema, action, values, anchor):
    """Parse the posted `values` with `schema`, act; the page again with the messages if refused."""
    try:
        action(schema().load(values) if schema else values)
    except ValidationError as error:
        return _detail_page(contact, handover_id, _row_messages(error.messages, "activities", _words()["labels"]),
                            values, 422)
    except ServiceError as error:
        if error.status in (403, 404):
            abort(error.status, error.message)
        return _detail_page(contact, handover_id, error.errors or {anchor: [error.message]}, values, error.status)
    return redirect(url_for(".detail", handover_id=handover_id) + f"#{anchor}")


@bp.route("/handovers/<int:handover_id>/details", methods=["POST"])
@signed_in("secretariat")
def details(contact, handover_id):
    values = _form(OPEN_FIELDS)
    return _act(contact, handover_id, DetailsForm, lambda data: use_cases.update_details(handover_id, data, contact),
                values, "details")


def _summary_activities() -> list[dict]:
    """The activity rows of the summary form that were filled in."""
    rows = []
    for number in range(int(request.form.get("rows", 0) or 0)):
        row = {k: request.form.get(f"activity-{number}-{k}", "").strip() for k in ("kind", "title", "date", "place", "actions")}
        if not any(row[k] for k in ("title", "date", "place", "actions")):
            continue
        row["actions"] = [int(a) if a.isdigit() else a for a in row["actions"].replace(",", " ").split()]
        rows.append(row)
    return rows


@bp.route("/handovers/<int:handover_id>/summary", methods=["POST"])
@signed_in()
def summary_page(contact, handover_id):
    if request.form.get("action") == "refresh":
        return _act(contact, handover_id, None, lambda _: results.refresh(handover_id, contact), {}, "summary")
    if request.form.get("action") == "final":
        return _act(contact, handover_id, None, lambda _: results.make_final(handover_id, contact), {}, "summary")
    values = {"highlights": request.form.get("highlights", ""), "activities": _summary_activities()}
    return _act(contact, handover_id, SummaryForm,
                lambda data: results.update(handover_id, data, contact, request.form.get("version", type=int)),
                values, "summary")


@bp.route("/handovers/<int:handover_id>/endorsement", methods=["POST"])
@signed_in("secretariat")
def endorsement(contact, handover_id):
    values = _form(("how", "deadline", "timezone", "decision_date", "note"))
    return _act(contact, handover_id, EndorsementForm, lambda data: programme.endorse(handover_id, data, contact),
                values, "programme")


@bp.route("/handovers/<int:handover_id>/checklist", methods=["POST"])
@signed_in("secretariat")
def add_task(contact, handover_id):
    values = _form(("title", "due_date"))
    return _act(contact, handover_id, ChecklistItemForm, lambda data: checklist.add_item(handover_id, data, contact),
                values, "checklist")


@bp.route("/handovers/<int:handover_id>/checklist/<int:item_id>/tick", methods=["POST"])
@signed_in("secretariat")
def tick(contact, handover_id, item_id):
    values = _form(("note",))
    return _act(contact, handover_id, TickForm, lambda data: checklist.tick(handover_id, item_id, data, contact),
                values, "checklist")


# The programme form -----------------------------------------------------------------------------

ACTIVITY_FIELDS = ("kind", "title", "co_chairs", "start_date", "end_date", "place", "actions")
BLANK_ROWS = 3


def _numbers(text: str) -> list:
    return [int(n) if n.isdigit() else n for n in text.replace(",", " ").split()]


def _posted_programme() -> dict:
    values = {"vision": request.form.get("vision", "").strip(),
              "priorities": [line.strip() for line in request.form.get("priorities", "").splitlines() if line.strip()],
              "next_som_place": request.form.get("next_som_place", "").strip(), "activities": []}
    if request.form.get("next_som_date", "").strip():
        values["next_som_date"] = request.form["next_som_date"].strip()
    for number in range(int(request.form.get("rows", 0) or 0)):
        row = {k: request.form.get(f"activity-{number}-{k}", "").strip() for k in ACTIVITY_FIELDS}
        if not any(row[k] for k in ("title", "start_date", "place", "co_chairs", "actions")):
            continue
        row["co_chairs"] = [c.upper() for c in row["co_chairs"].replace(",", " ").split()]
        row["actions"] = _numbers(row["actions"])
        if not row["end_date"]:
            row["end_date"] = None
        values["activities"].append(row)
    return values


def _row_messages(errors: dict, field: str, labels: dict) -> dict:
    """Messages of a list of rows ({field: {row: {name: [...]}}}) as one line per row and field."""
    nested = errors.get(field)
    if isinstance(nested, dict):
        errors = dict(errors)
        errors[field] = [gettext("Row %(number)s, %(field)s: %(message)s", number=int(row) + 1,
                                 field=labels.get(name, name), message=" ".join(messages))
                         for row, fields in sorted(nested.items(), key=lambda item: int(item[0]))
                         for name, messages in (fields.items() if isinstance(fields, dict) else [("", fields)])]
    return errors


def _programme_page(contact, handover, values, errors, status=200):
    rows = list(values.get("activities") or []) + [{}] * BLANK_ROWS
    found = programme.of(handover)
    return render_template("presidency_handover/programme_form.html", handover=handover, values=values, rows=rows,
                           errors=_row_messages(errors, "activities", _words()["labels"]), partners=_partners(),
                           version=found.version if found else None, **_words()), status


@bp.route("/handovers/<int:handover_id>/programme", methods=["GET", "POST"])
@signed_in()
def programme_form(contact, handover_id):
    handover = access.get(handover_id, contact)
    if not (contact.has_role("secretariat") or access.is_incoming(handover, contact)):
        abort(403)
    if request.method == "GET":
        found = programme.of(handover)
        return _programme_page(contact, handover, programme.form_values(found) if found else {}, {})
    values = _posted_programme()
    try:
        data = ProgrammeForm(partial=True).load(values)
        programme.save(handover_id, data, contact, request.form.get("version", type=int),
                       submit_now=request.form.get("action") == "submit")
    except ValidationError as error:
        return _programme_page(contact, handover, values, error.messages, 422)
    except ServiceError as error:
        return _programme_page(contact, handover, values, error.errors or {"vision": [error.message]}, error.status)
    return redirect(url_for(".detail", handover_id=handover_id) + "#programme")
