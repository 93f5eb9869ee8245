"""The Action Plan's coverage, for the Secretariat and the Presidency: the plan's objectives and
actions against the records that address them in a period, the records behind each, a CSV."""
from __future__ import annotations

import io

from flask import Blueprint, Response, render_template, request
from marshmallow import ValidationError

from forms.coverage import CoverageForm, CoverageRecordsForm

from .. import coverage, csv_export
from . import signed_in

bp = Blueprint("coverage_pages", __name__)

READERS = ("secretariat", "presidency")


def _parse(form, args) -> tuple[dict, dict]:
    """(values, field messages) from the query string's own fields (`lang` and the like are the
    site's; an empty field is no choice)."""
    keys = {field.data_key or name for name, field in form.fields.items()}
    try:
        return form.load({key: value for key, value in args.items() if key in keys and value != ""}), {}
    except ValidationError as error:
        return {}, error.messages


@bp.route("/coverage")
@signed_in(*READERS)
def coverage_page(contact):
    values, errors = _parse(CoverageForm(), request.args)
    plan = coverage.plan_of(values.get("plan"))
    report = coverage.coverage(plan, coverage.period_of(plan, values))
    return render_template("coverage.html", report=report, errors=errors, args=request.args,
                           presidencies=coverage.presidencies()), 422 if errors else 200


@bp.route("/coverage.csv")
@signed_in(*READERS)
def coverage_csv(contact):
    values, errors = _parse(CoverageForm(), request.args)
    if errors:
        return coverage_page()
    plan = coverage.plan_of(values.get("plan"))
    report = coverage.coverage(plan, coverage.period_of(plan, values))
    out = io.StringIO()
    writer = csv_export.writer(out)
    kinds = [source.kind for source in report.sources]
    writer.writerow(["action_plan", "period_start", "period_end", "domain", "objective", "action", "title_en",
                     "title_fr", "addressed", *kinds])
    for domain, objectives in report.domains:
        for objective in objectives:
            for item, action in [(objective, "")] + [(a, a.number) for a in objective.actions]:
                writer.writerow([plan.code, report.period.start.isoformat(), report.period.end.isoformat(),
                                 domain.number, objective.number, action, item.title_en, item.title_fr,
                                 "yes" if item.addressed else "no", *[item.by.get(k, 0) for k in kinds]])
    name = f"coverage-{plan.code}-{report.period.start.isoformat()}-{report.period.end.isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/coverage/records")
@signed_in(*READERS)
def coverage_records(contact):
    values, errors = _parse(CoverageRecordsForm(), request.args)
    if errors:
        return render_template("coverage_records.html", errors=errors, records=[], more=False, target=None,
                               report=None, args=request.args), 422
    plan = coverage.plan_of(values.get("plan"))
    period = coverage.period_of(plan, values)
    found, more = coverage.records(plan, period, objective=values.get("objective"), action=values.get("action"),
                                   page=values["page"])
    titles = {source.kind: source.title for source in coverage.sources()}
    return render_template("coverage_records.html", errors={}, records=found, more=more, titles=titles,
                           plan=plan, period=period, values=values, args=request.args)
