"""The incoming Presidency's programme: vision and priorities, the calendar of activities
(thematic meetings with their co-chairs, dates, places, domains, objectives and actions), and
the next Senior Officials' Meeting. A draft may be incomplete (`partial`); a submitted
programme may not. Labels and messages are English source text for the catalogs.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from . import FormSchema, Message, lookups, register

ACTIVITY_KINDS = ("thematic_meeting", "special_event", "steering_committee", "som", "other")
ACTIVITY_KIND_LABELS = {
    "thematic_meeting": _l("Thematic meeting"),
    "special_event": _l("Special event"),
    "steering_committee": _l("Steering Committee meeting"),
    "som": _l("Senior Officials' Meeting"),
    "other": _l("Other activity"),
}
AT_MOST = Message("At most {max} characters.")
NOT_A_DATE = Message("Not a valid date (YYYY-MM-DD).")


def _text(required: Message | None, limit: int) -> fields.String:
    checks = [validate.Length(max=limit, error=AT_MOST)]
    if required is None:
        return fields.String(load_default="", validate=checks)
    checks.append(validate.Length(min=1, error=required))
    return fields.String(required=True, validate=checks, error_messages={"required": required, "null": required})


def _numbers(message: Message) -> fields.List:
    return fields.List(fields.Integer(error_messages={"invalid": message}), load_default=list)


def plan_errors(domains, objectives, actions) -> dict[str, list[str]]:
    """Numbers that are not the current Action Plan's, by field."""
    known_domains, known_objectives, known_actions = lookups.reference().current_plan_numbers()

    def unknown(given, known) -> str:
        return ", ".join(map(str, sorted({n for n in given or [] if n not in known})))

    errors = {}
    if unknown(domains, known_domains):
        errors["domains"] = [gettext("Not a domain of the current Action Plan: %(numbers)s.",
                                     numbers=unknown(domains, known_domains))]
    if unknown(objectives, known_objectives):
        errors["objectives"] = [gettext("Not an objective of the current Action Plan: %(numbers)s.",
                                        numbers=unknown(objectives, known_objectives))]
    if unknown(actions, known_actions):
        errors["actions"] = [gettext("Not an action of the current Action Plan: %(numbers)s.",
                                     numbers=unknown(actions, known_actions))]
    return errors


class ActivityForm(FormSchema):
    """One activity of the calendar."""

    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS, error=Message("Choose a kind of activity.")),
                         error_messages={"required": Message("Choose a kind of activity.")})
    title = _text(Message("The title of the activity is required."), 300)
    co_chairs = fields.List(fields.String(), load_default=list)
    start_date = fields.Date(required=True, error_messages={"required": Message("The date of the activity is required."),
                                                            "invalid": NOT_A_DATE})
    end_date = fields.Date(load_default=None, allow_none=True, error_messages={"invalid": NOT_A_DATE})
    place = _text(Message("The place is required."), 200)
    domains = _numbers(Message("A domain is given by its number."))
    objectives = _numbers(Message("An objective is given by its number."))
    actions = _numbers(Message("An action is given by its number."))

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        errors = {}
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            errors["end_date"] = [gettext("The end date is before the start date.")]
        if data.get("kind") == "thematic_meeting" and not data.get("co_chairs"):
            errors["co_chairs"] = [gettext("A thematic meeting has its co-chairs (usually one African and one European partner).")]
        unknown = sorted(set(data.get("co_chairs") or []) - lookups.reference().partner_codes())
        if unknown:
            errors["co_chairs"] = [gettext("Unknown partner: %(codes)s.", codes=", ".join(unknown))]
        errors.update(plan_errors(data.get("domains"), data.get("objectives"), data.get("actions")))
        if errors:
            raise ValidationError(errors)


@register("presidency_programme")
class ProgrammeForm(FormSchema):
    vision = _text(Message("The vision of the Presidency is required."), 20_000)
    priorities = fields.List(
        fields.String(validate=[validate.Length(min=1, error=Message("A priority may not be empty.")),
                                validate.Length(max=1000, error=AT_MOST)]),
        required=True, validate=validate.Length(min=1, max=12, error=Message("Give between {min} and {max} priorities.")),
        error_messages={"required": Message("Give the Presidency's priorities.")})
    activities = fields.List(fields.Nested(ActivityForm), load_default=list,
                             validate=validate.Length(max=60, error=Message("At most {max} activities.")))
    next_som_date = fields.Date(required=True, error_messages={
        "required": Message("The date of the next Senior Officials' Meeting is required."), "invalid": NOT_A_DATE})
    next_som_place = _text(None, 200)

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        late = [a["title"] for a in data.get("activities") or []
                if data.get("next_som_date") and a.get("start_date") and a["start_date"] > data["next_som_date"]]
        if late:
            raise ValidationError({"activities": [gettext(
                "These activities come after the next SOM, in the next Presidency's term: %(titles)s.",
                titles="; ".join(late))]})


LABELS = {
    "vision": _l("Vision of the Presidency"),
    "priorities": _l("Priorities, one per line"),
    "activities": _l("Calendar of activities"),
    "next_som_date": _l("Date of the next Senior Officials' Meeting"),
    "next_som_place": _l("Place of the next Senior Officials' Meeting"),
    "kind": _l("Kind"),
    "title": _l("Title"),
    "co_chairs": _l("Co-chairs"),
    "start_date": _l("Date"),
    "end_date": _l("End date"),
    "place": _l("Place"),
    "domains": _l("Domains"),
    "objectives": _l("Objectives"),
    "actions": _l("Actions"),
}
