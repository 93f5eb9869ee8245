"""The presidency handover's forms: opening it, its details (incoming Presidency, the SOM), the
results summary, the endorsement of the programme, the checklist and the term's end. The
programme itself is `forms/presidency_programme.py`.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from workflows import clock

from . import FormSchema, Message, lookups, register
from . import presidency_programme  # noqa: F401 - registers the programme form
from .presidency_programme import plan_errors

AT_MOST = Message("At most {max} characters.")
NOT_A_DATE = Message("Not a valid date (YYYY-MM-DD).")
SUMMARY_ACTIVITY_KINDS = ("thematic_meeting", "special_event", "other")
ENDORSEMENTS = ("silent_procedure", "decision", "revise")


def som_instant(som_date: date, zone: str) -> datetime:
    """When the Presidency passes: the start of the SOM's day in the SOM's time zone (UTC)."""
    return clock.local_to_utc(datetime.combine(som_date, time(0)), zone)


def som_checks(som_date: date, zone: str, minimum: timedelta) -> datetime:
    """The SOM's instant, refused with field messages when the date is past or leaves the
    Steering Committee less than `minimum` (a silent procedure's shortest) for the programme."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"som_timezone": [gettext("Unknown time zone: %(zone)s.", zone=zone)]}) from None
    instant = som_instant(som_date, zone)
    now = clock.now()
    if instant <= now:
        raise ValidationError({"som_date": [gettext("The SOM's date is in the past.")]})
    if instant < now + minimum:
        earliest = (now + minimum).astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
        raise ValidationError({"som_date": [gettext(
            "The SOM is too soon for the Steering Committee to endorse the programme (a silent procedure "
            "lasts at least %(hours)s hours): choose %(date)s or later.",
            hours=f"{minimum.total_seconds() / 3600:g}", date=earliest.isoformat())]})
    return instant


def _minimum() -> timedelta:
    return clock.duration(current_app.config["SILENT_PROCEDURE_MIN_DURATION"])


def _partner(field: str, code: str | None) -> dict:
    if code and code not in lookups.reference().partner_codes():
        return {field: [gettext("Unknown partner: %(codes)s.", codes=code)]}
    return {}


class _Details(FormSchema):
    incoming = fields.String(validate=validate.Length(min=1, max=20, error=Message("Choose the incoming Presidency.")),
                             error_messages={"required": Message("Choose the incoming Presidency.")})
    som_date = fields.Date(error_messages={"required": Message("The SOM's date is required."), "invalid": NOT_A_DATE})
    som_place = fields.String(validate=[validate.Length(min=1, error=Message("The SOM's place is required.")),
                                        validate.Length(max=200, error=AT_MOST)],
                              error_messages={"required": Message("The SOM's place is required.")})
    som_timezone = fields.String(validate=validate.Length(min=1, max=64, error=Message("The time zone is required.")),
                                 error_messages={"required": Message("The time zone is required.")})
    incoming_title_en = fields.String(validate=validate.Length(max=200, error=AT_MOST))
    incoming_title_fr = fields.String(validate=validate.Length(max=200, error=AT_MOST))


@register("handover_open")
class OpenForm(_Details):
    """The Secretariat opens a handover: the incoming Presidency and the SOM."""

    incoming = fields.String(required=True, validate=_Details._declared_fields["incoming"].validators,
                             error_messages={"required": Message("Choose the incoming Presidency.")})
    som_date = fields.Date(required=True, error_messages={"required": Message("The SOM's date is required."),
                                                          "invalid": NOT_A_DATE})
    som_place = fields.String(required=True, validate=_Details._declared_fields["som_place"].validators,
                              error_messages={"required": Message("The SOM's place is required.")})
    som_timezone = fields.String(load_default="Europe/Brussels",
                                 validate=_Details._declared_fields["som_timezone"].validators)

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        errors = _partner("incoming", data["incoming"])
        if errors:
            raise ValidationError(errors)
        data["som_at"] = som_checks(data["som_date"], data["som_timezone"], _minimum())


@register("handover_details")
class DetailsForm(_Details):
    """Changes to an open (or scheduled) handover; also names the incoming Presidency."""

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        errors = _partner("incoming", data.get("incoming"))
        if errors:
            raise ValidationError(errors)


class SummaryActivityForm(FormSchema):
    """An activity held during the term that the service has no record of."""

    kind = fields.String(required=True, validate=validate.OneOf(SUMMARY_ACTIVITY_KINDS, error=Message("Choose a kind of activity.")),
                         error_messages={"required": Message("Choose a kind of activity.")})
    title = fields.String(required=True, validate=[validate.Length(min=1, error=Message("The title of the activity is required.")),
                                                   validate.Length(max=300, error=AT_MOST)],
                          error_messages={"required": Message("The title of the activity is required.")})
    date = fields.Date(required=True, error_messages={"required": Message("The date of the activity is required."),
                                                      "invalid": NOT_A_DATE})
    place = fields.String(load_default="", validate=validate.Length(max=200, error=AT_MOST))
    actions = fields.List(fields.Integer(error_messages={"invalid": Message("An action is given by its number.")}),
                          load_default=list)

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        errors = plan_errors([], [], data["actions"])
        if errors:
            raise ValidationError(errors)


@register("handover_summary")
class SummaryForm(FormSchema):
    highlights = fields.String(validate=validate.Length(max=20_000, error=AT_MOST))
    activities = fields.List(fields.Nested(SummaryActivityForm),
                             validate=validate.Length(max=100, error=Message("At most {max} activities.")))


@register("handover_summary_final")
class SummaryFinalForm(FormSchema):
    """Making the summary final: what it says is what was saved."""


@register("handover_endorsement")
class EndorsementForm(FormSchema):
    """How the Steering Committee endorses the programme, or what must be revised."""

    how = fields.String(required=True, validate=validate.OneOf(ENDORSEMENTS, error=Message(
        "Choose: by silent procedure, by a recorded decision, or ask for a revision.")),
        error_messages={"required": Message("Choose: by silent procedure, by a recorded decision, or ask for a revision.")})
    deadline = fields.NaiveDateTime(load_default=None, allow_none=True, error_messages={
        "invalid": Message("Give the deadline as a local date and time, e.g. 2026-03-10T17:00.")})
    timezone = fields.String(load_default="Europe/Brussels", validate=validate.Length(max=64, error=AT_MOST))
    decision_date = fields.Date(load_default=None, allow_none=True, error_messages={"invalid": NOT_A_DATE})
    note = fields.String(load_default="", validate=validate.Length(max=10_000, error=AT_MOST))

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        if data["how"] == "decision":
            errors = {}
            if data["decision_date"] is None:
                errors["decision_date"] = [gettext("Give the date of the decision.")]
            # Today somewhere on Earth (UTC+14 is the earliest to turn a day) is not the future.
            elif data["decision_date"] > (clock.now() + timedelta(hours=14)).date():
                errors["decision_date"] = [gettext("A decision is recorded once taken: this date is in the future.")]
            if not data["note"].strip():
                errors["note"] = [gettext("Say which meeting decided, and what it decided.")]
            if errors:
                raise ValidationError(errors)
        if data["how"] == "revise" and not data["note"].strip():
            raise ValidationError({"note": [gettext("Say what the incoming Presidency should revise.")]})


@register("handover_checklist_item")
class ChecklistItemForm(FormSchema):
    """A task the Secretariat adds to the checklist."""

    title = fields.String(required=True, validate=[validate.Length(min=1, error=Message("The task is required.")),
                                                   validate.Length(max=300, error=AT_MOST)],
                          error_messages={"required": Message("The task is required.")})
    due_date = fields.Date(required=True, error_messages={"required": Message("The due date is required."),
                                                          "invalid": NOT_A_DATE})

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        if "due_date" in data and data["due_date"] < clock.now().date():
            raise ValidationError({"due_date": [gettext("The due date is in the past.")]})


@register("handover_checklist_change")
class ChecklistChangeForm(ChecklistItemForm):
    """A new due date, or title, for a task."""

    title = fields.String(validate=ChecklistItemForm._declared_fields["title"].validators)
    due_date = fields.Date(error_messages={"invalid": NOT_A_DATE})


@register("handover_checklist_tick")
class TickForm(FormSchema):
    note = fields.String(load_default="", validate=validate.Length(max=2000, error=AT_MOST))


@register("presidency_term_end")
class TermEndForm(FormSchema):
    """The announced end of the current Presidency's term."""

    term_end = fields.Date(required=True, error_messages={"required": Message("The end of the term is required."),
                                                          "invalid": NOT_A_DATE})

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        if data["term_end"] <= clock.now().date():
            raise ValidationError({"term_end": [gettext("The end of the term must be in the future.")]})


LABELS = {
    "incoming": _l("Incoming Presidency"),
    "som_date": _l("Date of the Senior Officials' Meeting (SOM)"),
    "som_place": _l("Place of the SOM"),
    "som_timezone": _l("Time zone of the SOM"),
    "incoming_title_en": _l("Name of the incoming Presidency in English (e.g. the Belgian Presidency)"),
    "incoming_title_fr": _l("Name of the incoming Presidency in French (e.g. la Présidence belge)"),
    "highlights": _l("Highlights of the term"),
    "how": _l("Endorsement"),
    "deadline": _l("Silent procedure deadline (local date and time)"),
    "timezone": _l("Time zone"),
    "decision_date": _l("Date of the decision"),
    "note": _l("Note"),
    "task": _l("Task"),
    "due_date": _l("Due date"),
    "term_end": _l("End of the term"),
}
SUMMARY_ACTIVITY_KIND_LABELS = {
    "thematic_meeting": _l("Thematic meeting"),
    "special_event": _l("Special event"),
    "other": _l("Other activity"),
}
