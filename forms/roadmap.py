"""The roadmap (feuille de route) of a referent-country cycle: themes, planned activities,
needs expressed.

One definition serves the page and the API. A draft may be incomplete (`partial`); a submitted
roadmap may not. Objectives and actions are given by their numbers in the Action Plan; the
service checks them against the cycle's Action Plan (the form knows no cycle).
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from . import FormSchema, Message, lookups, register

SHORT, LONG = 300, 10_000
ACTIVITY_KINDS = ("thematic_meeting", "workshop", "study_visit", "training", "other")
ACTIVITY_KIND_LABELS = {
    "thematic_meeting": _l("Thematic meeting"),
    "workshop": _l("Workshop"),
    "study_visit": _l("Study visit"),
    "training": _l("Training"),
    "other": _l("Other"),
}
MAX_ACTIVITIES = 30
AT_MOST = Message("At most {max} characters.")
NOT_A_DATE = Message("Not a valid date (YYYY-MM-DD).")


NO_NUL = Message("The text may not contain a NUL character.")


def no_nul(value: str) -> None:
    """A NUL character is no text anyone typed, and PostgreSQL refuses it."""
    if "\x00" in value:
        raise ValidationError(NO_NUL.translated())


def text(required: Message | None, limit: int = SHORT) -> fields.String:
    """A text field; with `required`, it may be neither missing nor blank."""
    checks = [validate.Length(max=limit, error=AT_MOST), no_nul]
    if required is None:
        return fields.String(load_default=None, allow_none=True, validate=checks)

    def not_blank(value: str) -> None:
        if not value.strip():
            raise ValidationError(required.translated())

    checks.append(not_blank)
    return fields.String(required=True, validate=checks, error_messages={"required": required, "null": required})


def numbers(invalid: Message) -> fields.List:
    return fields.List(fields.Integer(strict=False, validate=validate.Range(min=1, max=10_000, error=invalid),
                                      error_messages={"invalid": invalid}), load_default=list,
                       validate=validate.Length(max=40, error=Message("At most {max} choices.")))


def date_field(required: Message | None) -> fields.Date:
    if required is None:
        return fields.Date(load_default=None, allow_none=True, error_messages={"invalid": NOT_A_DATE})
    return fields.Date(required=True, error_messages={"required": required, "null": required, "invalid": NOT_A_DATE})


def check_partners(codes: list[str]) -> list[str]:
    """Messages for codes that name no partner (empty when all are known)."""
    unknown = sorted({c for c in codes if c not in lookups.reference().partner_codes()})
    return [gettext("Unknown partner: %(codes)s.", codes=", ".join(unknown))] if unknown else []


def check_gcm(numbers_given: list[int]) -> list[str]:
    wrong = sorted({n for n in numbers_given if not 1 <= n <= 23})
    return [gettext("The Global Compact has objectives 1 to 23, not %(numbers)s.",
                    numbers=", ".join(map(str, wrong)))] if wrong else []


def chose_any(original) -> bool:
    """Whether objectives or actions were given at all (wrong ones get their own messages)."""
    return isinstance(original, dict) and bool(original.get("objectives") or original.get("actions"))


def check_dates(data: dict, errors: dict) -> None:
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        errors["end_date"] = [gettext("The end date is before the start date.")]


def activity_kind() -> fields.String:
    """The kind of an activity, planned or held."""
    choose = Message("Choose a kind of activity.")
    return fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS, error=choose),
                         error_messages={"required": choose, "null": choose})


def co_chairs() -> fields.List:
    """The partners co-chairing or co-organising an activity."""
    return fields.List(fields.String(), load_default=list,
                       validate=validate.Length(max=10, error=Message("At most {max} co-chairs.")))


class PlannedActivityForm(FormSchema):
    """One activity the referents plan for the period."""

    title = text(Message("Give the activity a title."))
    kind = activity_kind()
    start_date = date_field(Message("Give the planned start date."))
    end_date = date_field(None)
    place = text(None)
    co_chairs = co_chairs()
    objectives = numbers(Message("An objective is given by its number."))
    actions = numbers(Message("An action is given by its number."))
    gcm_objectives = numbers(Message("An objective is given by its number."))

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data, original, partial=False, **kwargs):
        errors: dict[str, list[str]] = {}
        check_dates(data, errors)
        if check_partners(data.get("co_chairs") or []):
            errors["co_chairs"] = check_partners(data["co_chairs"])
        if check_gcm(data.get("gcm_objectives") or []):
            errors["gcm_objectives"] = check_gcm(data["gcm_objectives"])
        if not partial and not chose_any(original):
            errors["actions"] = [gettext("Choose the objectives or actions of the Action Plan it serves.")]
        if errors:
            raise ValidationError(errors)


@register("referent_roadmap")
class RoadmapForm(FormSchema):
    themes = fields.List(fields.String(validate=[validate.Length(max=SHORT, error=AT_MOST), no_nul]), required=True,
                         validate=validate.Length(min=1, max=20, error=Message("Give one to {max} themes.")),
                         error_messages={"required": Message("Give at least one theme.")})
    activities = fields.List(fields.Nested(PlannedActivityForm), required=True,
                             validate=validate.Length(min=1, max=MAX_ACTIVITIES,
                                                      error=Message("Plan one to {max} activities.")),
                             error_messages={"required": Message("Plan at least one activity.")})
    needs = text(None, LONG)

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        themes = data.get("themes")
        if themes is not None and any(not t.strip() for t in themes):
            raise ValidationError({"themes": [gettext("A theme may not be empty.")]})


LABELS = {
    "themes": _l("Themes (one per line)"),
    "activities": _l("Planned activities"),
    "needs": _l("Needs expressed"),
    "title": _l("Title"),
    "kind": _l("Kind"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "place": _l("Place"),
    "co_chairs": _l("Co-chairs or co-organisers"),
    "objectives": _l("Objectives of the Action Plan it serves"),
    "actions": _l("Actions of the Action Plan it serves"),
    "gcm_objectives": _l("Global Compact for Migration objectives"),
}
