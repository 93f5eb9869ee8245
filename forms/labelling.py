"""The labelling form: every field of a request to label an initiative "Rabat Process project".

One definition serves the web page and the API. A draft may be incomplete (`partial`), a
submitted request may not. Labels and messages are English source text for the catalogs.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from . import FormSchema, Message, lookups, register

TYPES = ("bilateral_project", "multilateral_project", "regional_project", "meeting_event")
TYPE_LABELS = {
    "bilateral_project": _l("Bilateral project"),
    "multilateral_project": _l("Multilateral project"),
    "regional_project": _l("Regional project"),
    "meeting_event": _l("Meeting or event"),
}
SHORT, LONG = 300, 10_000
NOT_A_DATE = Message("Not a valid date (YYYY-MM-DD).")
AT_MOST = Message("At most {max} characters.")
# Dates of an initiative: the labelling exists since 2019; nothing runs past this century.
DATES = validate.Range(min=date(1990, 1, 1), max=date(2100, 12, 31), error=Message("Give a date between 1990 and 2100."))
# The budget column holds 12 digits before the decimal point.
BUDGET_MAX = 10**12 - 1
# The Global Compact for Migration has 23 objectives.
GCM_OBJECTIVES = 23


class Euros(fields.Decimal):
    """An amount in euros, to the cent: a JSON number or a decimal string in, a string out."""

    DOCUMENTED = {"oneOf": [{"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$", "nullable": True},
                            {"type": "number", "minimum": 0, "maximum": BUDGET_MAX}],
                  "example": "250000.00"}


def _text(required_message: Message | None, limit: int) -> fields.String:
    """A text field; with `required_message`, it may be neither missing nor empty."""
    checks = [validate.Length(max=limit, error=AT_MOST)]
    if required_message is None:
        return fields.String(required=False, validate=checks)
    checks.append(validate.Length(min=1, error=required_message))
    return fields.String(required=True, validate=checks,
                         error_messages={"required": required_message, "null": required_message})


def _codes(field_name: str, codes: list[str], known: set[str], errors: dict) -> None:
    unknown = sorted({c for c in codes if c not in known})
    if unknown:
        errors[field_name] = [gettext("Unknown partner: %(codes)s.", codes=", ".join(unknown))]


@register("labelling_request")
class LabellingForm(FormSchema):
    title = _text(Message("The title is required."), SHORT)
    type = fields.String(required=True, validate=validate.OneOf(TYPES, error=Message("Choose a type of initiative.")),
                         error_messages={"required": Message("The type is required.")})
    lead_partner = fields.String(required=True, error_messages={"required": Message("The lead partner is required.")})
    partners = fields.List(fields.String(validate=validate.Length(max=20, error=AT_MOST)), load_default=list)
    implementing_organisations = fields.List(fields.String(validate=validate.Length(max=SHORT, error=AT_MOST)),
                                             load_default=list,
                                             validate=validate.Length(max=20, error=Message("At most {max} organisations.")))
    start_date = fields.Date(required=True, validate=DATES, error_messages={"required": Message("The start date (or the event's date) is required."),
                                                            "invalid": NOT_A_DATE})
    end_date = fields.Date(allow_none=True, load_default=None, validate=DATES, error_messages={"invalid": NOT_A_DATE})
    location = _text(Message("The place is required."), SHORT)
    budget_eur = Euros(allow_none=True, load_default=None, places=2, as_string=True, metadata=Euros.DOCUMENTED,
                       validate=[validate.Range(min=0, error=Message("The budget cannot be negative.")),
                                 validate.Range(max=BUDGET_MAX, error=Message(
                                     "The budget must be less than 1,000,000,000,000 euros."))],
                                error_messages={"invalid": Message("The budget must be a number of euros.")})
    funding_source = _text(None, SHORT)
    summary = _text(Message("The summary is required."), LONG)
    expected_results = _text(Message("The expected results are required."), LONG)
    actions = fields.List(fields.Integer(error_messages={"invalid": Message("An action is given by its number.")}),
                          required=True, validate=validate.Length(min=1, error=Message("Choose at least one action of the Action Plan.")),
                          error_messages={"required": Message("Choose at least one action of the Action Plan.")})
    gcm_objectives = fields.List(fields.Integer(error_messages={"invalid": Message("An objective is given by its number.")}),
                                 load_default=list)
    contact_name = _text(Message("The contact person is required."), 200)
    contact_email = fields.Email(required=True, error_messages={"required": Message("The contact's e-mail is required."),
                                                                "invalid": Message("Not a valid e-mail address.")})

    @pre_load
    def _cap_lists(self, data, **kwargs):
        """Lists no longer than what exists, refused before their items are read one by one."""
        reference = lookups.reference()
        if not isinstance(data, dict):
            return data
        caps = {"partners": (lambda: len(reference.partner_codes()), _l("partners")),
                "actions": (lambda: len(reference.current_action_numbers()), _l("actions in the Action Plan")),
                "gcm_objectives": (lambda: GCM_OBJECTIVES, _l("objectives in the Global Compact"))}
        errors = {}
        for name, (cap, what) in caps.items():
            value = data.get(name)
            if isinstance(value, (list, tuple)) and len(value) > cap():
                errors[name] = [gettext("At most %(number)s: there are no more %(what)s.", number=cap(), what=what)]
        if errors:
            raise ValidationError(errors)
        return data

    # Run with field errors too, so every message shows at once (data holds the valid fields).
    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, partial=False, **kwargs):
        reference = lookups.reference()
        errors: dict[str, list[str]] = {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            errors["end_date"] = [gettext("The end date is before the start date.")]
        if not partial and data.get("type") and data["type"] != "meeting_event" and start and not end:
            errors["end_date"] = [gettext("The end date is required for a project.")]
        known_partners = reference.partner_codes()
        if data.get("lead_partner") and data["lead_partner"] not in known_partners:
            errors["lead_partner"] = [gettext("Unknown partner: %(codes)s.", codes=data["lead_partner"])]
        _codes("partners", data.get("partners") or [], known_partners, errors)
        for name in ("partners", "actions", "gcm_objectives"):
            values = data.get(name) or []
            if name not in errors and len(set(values)) != len(values):
                errors[name] = [gettext("Name each one once.")]
        actions = data.get("actions") or []
        known_actions = reference.current_action_numbers()
        unknown = sorted({a for a in actions if a not in known_actions})
        if unknown:
            errors["actions"] = [gettext("Not an action of the current Action Plan: %(numbers)s.",
                                         numbers=", ".join(map(str, unknown)))]
        gcm = data.get("gcm_objectives") or []
        bad_gcm = sorted({g for g in gcm if not 1 <= g <= 23})
        if bad_gcm:
            errors["gcm_objectives"] = [gettext("The Global Compact has objectives 1 to 23, not %(numbers)s.",
                                                numbers=", ".join(map(str, bad_gcm)))]
        if errors:
            raise ValidationError(errors)


@register("labelling_review")
class ReviewForm(FormSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("accept", "request_changes", "decline"),
                             error=Message("The decision is accept, request_changes or decline.")),
                             error_messages={"required": Message("Choose a decision.")})
    comment = fields.String(load_default="", validate=validate.Length(max=LONG, error=AT_MOST))
    deadline = fields.NaiveDateTime(load_default=None, allow_none=True,
                                    error_messages={"invalid": Message("Give the deadline as a local date and time, e.g. 2026-03-10T17:00.")})
    timezone = fields.String(load_default="Europe/Brussels")

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        if data["decision"] in ("request_changes", "decline") and not data["comment"].strip():
            raise ValidationError({"comment": [gettext("Say what must change, or why the request is declined.")]})


@register("labelling_after_silence")
class AfterSilenceForm(FormSchema):
    """What the Secretariat records when silence was broken (or the procedure withdrawn)."""

    outcome = fields.String(required=True, validate=validate.OneOf(("labelled", "not_labelled", "relaunch"),
                            error=Message("The outcome is labelled, not_labelled or relaunch.")),
                            error_messages={"required": Message("Choose an outcome.")})
    note = fields.String(load_default="", validate=validate.Length(max=LONG, error=AT_MOST))
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100_000, error=AT_MOST))
    deadline = fields.NaiveDateTime(load_default=None, allow_none=True, error_messages={
        "invalid": Message("Give the deadline as a local date and time, e.g. 2026-03-10T17:00.")})
    timezone = fields.String(load_default="Europe/Brussels")

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        if data["outcome"] == "relaunch" and not (data.get("text") or "").strip():
            raise ValidationError({"text": [gettext("A relaunch needs the revised text.")]})
        if data["outcome"] != "relaunch" and not data["note"].strip():
            raise ValidationError({"note": [gettext("Record what the discussion decided.")]})


@register("labelling_results")
class ResultsForm(FormSchema):
    activities = _text(Message("Describe the activities held."), LONG)
    results = _text(Message("Describe the results."), LONG)
    lessons_learned = _text(None, LONG)


@register("labelling_resubmission")
class ResubmissionForm(FormSchema):
    """Completing the partner's "amend" task: the amended data lives on the request itself."""


LABELS = {
    "title": _l("Title of the initiative"),
    "type": _l("Type"),
    "lead_partner": _l("Lead partner"),
    "partners": _l("Associated partners"),
    "implementing_organisations": _l("Implementing organisation(s), one per line"),
    "start_date": _l("Start date (or date of the event)"),
    "end_date": _l("End date"),
    "location": _l("Place"),
    "budget_eur": _l("Budget (EUR)"),
    "funding_source": _l("Funding source"),
    "summary": _l("Summary"),
    "expected_results": _l("Expected results"),
    "actions": _l("Actions of the Action Plan it contributes to"),
    "gcm_objectives": _l("Global Compact for Migration objectives (optional)"),
    "contact_name": _l("Contact person"),
    "contact_email": _l("Contact e-mail"),
    "activities": _l("Activities held"),
    "results": _l("Results"),
    "lessons_learned": _l("Lessons learned and good practices"),
}
