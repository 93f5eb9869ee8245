"""The report (feuille de bilan) of a referent-country cycle, after the period: activities held
(each linked to a planned one, or new), lessons learned and good practices, recommendations,
and the Action Plan objectives and actions covered.

A draft may be incomplete (`partial`); a submitted report may not. A planned activity is named
by its number in the accepted roadmap; the service checks it (the form knows no roadmap).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import gettext
from marshmallow import ValidationError, fields, validate, validates_schema

from . import FormSchema, Message, register
from .roadmap import (LONG, MAX_ACTIVITIES, activity_kind, check_dates, check_partners, chose_any, co_chairs,
                      date_field, numbers, text)

COUNT = Message("Give a whole number, 0 or more.")


def count() -> fields.Integer:
    return fields.Integer(load_default=None, allow_none=True, strict=False,
                          validate=validate.Range(min=0, max=100_000, error=COUNT),
                          error_messages={"invalid": COUNT})


class HeldActivityForm(FormSchema):
    """One activity held during the period."""

    planned = fields.Integer(load_default=None, allow_none=True, strict=False, validate=validate.Range(
        min=1, max=1000, error=Message("Choose a planned activity, or none for a new one.")),
        error_messages={"invalid": Message("Choose a planned activity, or none for a new one.")})
    title = text(Message("Give the activity a title."))
    kind = activity_kind()
    start_date = date_field(Message("Give the date it started."))
    end_date = date_field(None)
    place = text(None)
    co_chairs = co_chairs()
    participants = count()
    countries = count()
    results = text(Message("Describe its results."), LONG)

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        check_dates(data, errors)
        if check_partners(data.get("co_chairs") or []):
            errors["co_chairs"] = check_partners(data["co_chairs"])
        if errors:
            raise ValidationError(errors)


@register("referent_report")
class ReportForm(FormSchema):
    activities = fields.List(fields.Nested(HeldActivityForm), required=True,
                             validate=validate.Length(min=1, max=MAX_ACTIVITIES,
                                                      error=Message("Report one to {max} activities.")),
                             error_messages={"required": Message("Report at least one activity held.")})
    lessons_learned = text(Message("Share the lessons learned and good practices."), LONG)
    recommendations = text(Message("Give your recommendations."), LONG)
    objectives = numbers(Message("An objective is given by its number."))
    actions = numbers(Message("An action is given by its number."))

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data, original, partial=False, **kwargs):
        if not partial and not chose_any(original):
            raise ValidationError({"actions": [gettext("Choose the objectives or actions of the Action Plan the "
                                                       "period covered.")]})


LABELS = {
    "activities": _l("Activities held"),
    "planned": _l("Planned activity"),
    "title": _l("Title"),
    "kind": _l("Kind"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "place": _l("Place"),
    "co_chairs": _l("Co-chairs or co-organisers"),
    "participants": _l("Participants"),
    "countries": _l("Countries represented"),
    "results": _l("Results"),
    "lessons_learned": _l("Lessons learned and good practices"),
    "recommendations": _l("Recommendations"),
    "objectives": _l("Objectives of the Action Plan covered"),
    "actions": _l("Actions of the Action Plan covered"),
}
