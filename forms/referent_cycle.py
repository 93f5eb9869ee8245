"""The referent-country cycle's forms: opening a cycle, the Secretariat's review, the Steering
Committee's comments, thematic meetings and their evaluation questionnaire.

The roadmap and the report have modules of their own (`forms/roadmap.py`,
`forms/referent_report.py`); importing this one registers them too.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from workflows import clock

from . import FormSchema, Message, register
from . import referent_report, roadmap  # noqa: F401 - registers the roadmap and report forms
from .roadmap import LONG, check_partners, chose_any, date_field, no_nul, numbers, text
from .silent_procedure import DOCUMENTS_PER_PROCEDURE, DocumentForm

DUE_FORMAT = Message("Give a local date and time, e.g. 2026-04-30T17:00, without an offset.")
DECISIONS = ("accept", "revise")
EXPECTATIONS = ("yes", "partly", "no")
EXPECTATION_LABELS = {"yes": _l("Yes"), "partly": _l("Partly"), "no": _l("No")}
USEFULNESS_LABELS = {5: _l("Very useful"), 4: _l("Useful"), 3: _l("Somewhat useful"), 2: _l("Of little use"),
                     1: _l("Not useful")}


def _due(required: Message) -> fields.NaiveDateTime:
    return fields.NaiveDateTime(required=True, error_messages={"required": required, "null": required,
                                                               "invalid": DUE_FORMAT})


def period_bounds(start_day, end_day, zone: str) -> tuple[datetime, datetime]:
    """The period as instants: from the start of its first day to the end of its last, in `zone`."""
    tz = ZoneInfo(zone)
    start = datetime.combine(start_day, time(0), tzinfo=tz)
    end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def _instant(loaded: dict, name: str, errors: dict) -> datetime | None:
    try:
        return clock.local_to_utc(loaded[name], loaded["timezone"])
    except ValueError:
        errors[name] = [gettext("%(moment)s does not exist in %(zone)s (the clocks change at that time).",
                                moment=f"{loaded[name]:%Y-%m-%d %H:%M}", zone=loaded["timezone"])]
        return None


@register("referent_cycle_open")
class OpenCycleForm(FormSchema):
    """What the Secretariat opens a cycle with; the referent partners default to the domain's."""

    action_plan = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    domain = fields.Integer(required=True, strict=False, validate=validate.Range(
        min=1, max=1000, error=Message("A domain is given by its number.")), error_messages={
        "required": Message("Choose the domain."), "null": Message("Choose the domain."),
        "invalid": Message("A domain is given by its number.")})
    partners = fields.List(fields.String(), load_default=None, allow_none=True,
                           validate=validate.Length(max=12, error=Message("At most {max} referents.")))
    period_start = date_field(Message("Give the first day of the period."))
    period_end = date_field(Message("Give the last day of the period."))
    roadmap_due = _due(Message("Give the roadmap's due date."))
    report_due = _due(Message("Give the report's due date."))
    timezone = fields.String(load_default="Europe/Brussels", validate=validate.Length(max=64))

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        try:
            ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"timezone": [gettext("Unknown time zone: %(zone)s.", zone=data["timezone"])]}) \
                from None
        errors: dict[str, list[str]] = {}
        if data["period_end"] < data["period_start"]:
            raise ValidationError({"period_end": [gettext("The period ends before it starts.")]})
        starts, ends = period_bounds(data["period_start"], data["period_end"], data["timezone"])
        now = clock.now()
        roadmap_due, report_due = _instant(data, "roadmap_due", errors), _instant(data, "report_due", errors)
        if roadmap_due is not None:
            if roadmap_due <= now:
                errors["roadmap_due"] = [gettext("The roadmap's due date is in the past.")]
            elif roadmap_due < starts:
                errors["roadmap_due"] = [gettext("The roadmap's due date is before the period starts.")]
            elif roadmap_due >= ends:
                errors["roadmap_due"] = [gettext("The roadmap must be due before the period ends.")]
        if report_due is not None:
            if report_due <= now:
                errors["report_due"] = [gettext("The report's due date is in the past.")]
            elif report_due < ends:
                errors["report_due"] = [gettext("The report cannot be due before the period ends.")]
        if errors:
            raise ValidationError(errors)
        data.update(roadmap_due_utc=roadmap_due, report_due_utc=report_due, period_start_utc=starts,
                    period_end_utc=ends)


@register("referent_review")
class DeliverableReviewForm(FormSchema):
    """The Secretariat's review of a submitted roadmap or report."""

    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS, error=Message(
        "The decision is accept or revise.")), error_messages={"required": Message("Choose a decision."),
                                                                "null": Message("Choose a decision.")})
    comment = fields.String(load_default="", validate=[
        validate.Length(max=LONG, error=Message("At most {max} characters.")), no_nul])

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        if data["decision"] == "revise" and not data["comment"].strip():
            raise ValidationError({"comment": [gettext("Say what the referents should revise.")]})


@register("referent_deliverable_submission")
class SubmissionForm(FormSchema):
    """Completing the referents' task: the roadmap or report itself lives in the service's tables."""


@register("referent_roadmap_comment")
class RoadmapCommentForm(FormSchema):
    """A Steering Committee member's comment on an accepted roadmap."""

    comment = text(Message("The comment may not be empty."), LONG)


@register("thematic_meeting")
class ThematicMeetingForm(FormSchema):
    """A thematic meeting held, as the Secretariat records it."""

    title = text(Message("The title is required."))
    cycle_id = fields.Integer(load_default=None, allow_none=True, strict=False, validate=validate.Range(
        min=1, max=2**31 - 1, error=Message("A cycle is given by its number.")),
        error_messages={"invalid": Message("A cycle is given by its number.")})
    action_plan = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    co_chairs = fields.List(fields.String(), required=True,
                            validate=validate.Length(min=1, max=6, error=Message("Name one to {max} co-chairs.")),
                            error_messages={"required": Message("Name the co-chairs.")})
    start_date = date_field(Message("Give the first day of the meeting."))
    end_date = date_field(None)
    place = text(Message("The place is required."))
    participants = fields.Integer(required=True, strict=False, validate=validate.Range(
        min=0, max=100_000, error=Message("Give a whole number, 0 or more.")),
        error_messages={"required": Message("Give the number of participants."),
                        "invalid": Message("Give a whole number, 0 or more.")})
    countries = fields.Integer(required=True, strict=False, validate=validate.Range(
        min=0, max=200, error=Message("Give a whole number, 0 or more.")),
        error_messages={"required": Message("Give the number of countries represented."),
                        "invalid": Message("Give a whole number, 0 or more.")})
    conclusions = text(Message("Summarise the conclusions."), LONG)
    objectives = numbers(Message("An objective is given by its number."))
    actions = numbers(Message("An action is given by its number."))
    documents = fields.List(fields.Nested(DocumentForm), load_default=list, validate=validate.Length(
        max=DOCUMENTS_PER_PROCEDURE, error=Message("At most {max} documents.")))

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data, original, **kwargs):
        errors: dict[str, list[str]] = {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            errors["end_date"] = [gettext("The end date is before the start date.")]
        if start and start > clock.now().date():
            errors["start_date"] = [gettext("A meeting is recorded once it has been held.")]
        if check_partners(data.get("co_chairs") or []):
            errors["co_chairs"] = check_partners(data["co_chairs"])
        if not chose_any(original):
            errors["actions"] = [gettext("Choose the objectives or actions of the Action Plan it served.")]
        if errors:
            raise ValidationError(errors)


class ParticipantForm(FormSchema):
    email = fields.Email(required=True, validate=validate.Length(max=320),
                         error_messages={"required": Message("The e-mail address is required."),
                                         "invalid": Message("Not a valid e-mail address.")})
    name = fields.String(load_default="", validate=[validate.Length(max=200), no_nul])
    language = fields.String(load_default="en", validate=validate.OneOf(("fr", "en"), error=Message(
        "The language is fr or en.")))


@register("thematic_meeting_evaluation_request")
class EvaluationRequestForm(FormSchema):
    """The participants to send the evaluation questionnaire to."""

    participants = fields.List(fields.Nested(ParticipantForm), required=True, validate=validate.Length(
        min=1, max=500, error=Message("Give one to {max} participants.")),
        error_messages={"required": Message("Give the participants' e-mail addresses.")})


@register("thematic_meeting_evaluation")
class EvaluationForm(FormSchema):
    """A participant's answer: anonymous in the results."""

    met_expectations = fields.String(required=True, validate=validate.OneOf(EXPECTATIONS, error=Message(
        "Say whether the meeting met your expectations.")), error_messages={
        "required": Message("Say whether the meeting met your expectations."),
        "null": Message("Say whether the meeting met your expectations.")})
    usefulness = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=5, error=Message(
        "Rate its usefulness from 1 to 5.")), error_messages={"required": Message("Rate its usefulness from 1 to 5."),
                                                               "invalid": Message("Rate its usefulness from 1 to 5.")})
    recommendations = text(None, LONG)


LABELS = {
    "action_plan": _l("Action Plan"),
    "domain": _l("Domain"),
    "partners": _l("Referent partners"),
    "period_start": _l("First day of the period"),
    "period_end": _l("Last day of the period"),
    "roadmap_due": _l("Roadmap due (local date and time)"),
    "report_due": _l("Report due (local date and time)"),
    "timezone": _l("Time zone"),
    "decision": _l("Decision"),
    "comment": _l("Comment"),
    "title": _l("Title"),
    "cycle_id": _l("Referent cycle"),
    "co_chairs": _l("Co-chairs"),
    "start_date": _l("First day"),
    "end_date": _l("Last day"),
    "place": _l("Place"),
    "participants": _l("Participants"),
    "countries": _l("Countries represented"),
    "conclusions": _l("Conclusions"),
    "objectives": _l("Objectives of the Action Plan served"),
    "actions": _l("Actions of the Action Plan served"),
    "documents": _l("Documents (optional)"),
    "met_expectations": _l("Did the meeting meet your expectations?"),
    "usefulness": _l("How useful was it for your work?"),
    "recommendations": _l("Your recommendations (optional)"),
    "participant_list": _l("Participants to ask (one per line: e-mail, name, language fr or en)"),
}
