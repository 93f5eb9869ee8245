"""The labelling form: every field of a request to label an initiative "Rabat Process project".

One definition serves the web page and the API. A draft may be incomplete (`partial`), a
submitted request may not. Labels are in French and English.
"""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from . import FormSchema, register

TYPES = ("bilateral_project", "multilateral_project", "regional_project", "meeting_event")
TYPE_LABELS = {
    "bilateral_project": {"en": "Bilateral project", "fr": "Projet bilatéral"},
    "multilateral_project": {"en": "Multilateral project", "fr": "Projet multilatéral"},
    "regional_project": {"en": "Regional project", "fr": "Projet régional"},
    "meeting_event": {"en": "Meeting or event", "fr": "Réunion ou événement"},
}
SHORT, LONG = 300, 10_000
# Dates of an initiative: the labelling exists since 2019; nothing runs past this century.
DATES = validate.Range(min=date(1990, 1, 1), max=date(2100, 12, 31), error="Give a date between 1990 and 2100.")
# The budget column holds 12 digits before the decimal point.
BUDGET_MAX = 10**12 - 1
# The Global Compact for Migration has 23 objectives.
GCM_OBJECTIVES = 23


class Euros(fields.Decimal):
    """An amount in euros, to the cent: a JSON number or a decimal string in, a string out."""

    DOCUMENTED = {"oneOf": [{"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$", "nullable": True},
                            {"type": "number", "minimum": 0, "maximum": BUDGET_MAX}],
                  "example": "250000.00"}


def _text(label: str, limit: int, required: bool = True) -> fields.String:
    checks = [validate.Length(max=limit, error=f"{label}: at most {limit} characters.")]
    if required:
        checks.append(validate.Length(min=1, error=f"{label} is required."))
    return fields.String(required=required, validate=checks,
                         error_messages={"required": f"{label} is required.", "null": f"{label} is required."})


def _codes(field_name: str, codes: list[str], known: set[str], errors: dict) -> None:
    unknown = sorted({c for c in codes if c not in known})
    if unknown:
        errors[field_name] = [f"Unknown partner: {', '.join(unknown)}."]


@register("labelling_request")
class LabellingForm(FormSchema):
    title = _text("The title", SHORT)
    type = fields.String(required=True, validate=validate.OneOf(TYPES, error="Choose a type of initiative."),
                         error_messages={"required": "The type is required."})
    lead_partner = fields.String(required=True, error_messages={"required": "The lead partner is required."})
    partners = fields.List(fields.String(validate=validate.Length(max=20)), load_default=list)
    implementing_organisations = fields.List(fields.String(validate=validate.Length(min=1, max=SHORT)), load_default=list,
                                             validate=validate.Length(max=20, error="At most 20 organisations."))
    start_date = fields.Date(required=True, validate=DATES,
                             error_messages={"required": "The start date (or the event's date) is required.",
                                             "invalid": "Not a valid date (YYYY-MM-DD)."})
    end_date = fields.Date(allow_none=True, load_default=None, validate=DATES,
                           error_messages={"invalid": "Not a valid date (YYYY-MM-DD)."})
    location = _text("The place", SHORT)
    budget_eur = Euros(allow_none=True, load_default=None, places=2, as_string=True, metadata=Euros.DOCUMENTED,
                                validate=[validate.Range(min=0, error="The budget cannot be negative."),
                                          validate.Range(max=BUDGET_MAX, error="The budget must be less than 1,000,000,000,000 euros.")],
                                error_messages={"invalid": "The budget must be a number of euros."})
    funding_source = _text("The funding source", SHORT, required=False)
    summary = _text("The summary", LONG)
    expected_results = _text("The expected results", LONG)
    actions = fields.List(fields.Integer(error_messages={"invalid": "An action is given by its number."}),
                          required=True, validate=validate.Length(min=1, error="Choose at least one action of the Action Plan."),
                          error_messages={"required": "Choose at least one action of the Action Plan."})
    gcm_objectives = fields.List(fields.Integer(), load_default=list)
    contact_name = _text("The contact person", 200)
    contact_email = fields.Email(required=True, error_messages={"required": "The contact's e-mail is required.",
                                                                "invalid": "Not a valid e-mail address."})

    @pre_load
    def _cap_lists(self, data, **kwargs):
        """Lists no longer than what exists, refused before their items are read one by one."""
        from service import reference

        if not isinstance(data, dict):
            return data
        caps = {"partners": (lambda: len(reference.partner_codes()), "partners"),
                "actions": (lambda: len(reference.current_action_numbers()), "actions in the Action Plan"),
                "gcm_objectives": (lambda: GCM_OBJECTIVES, "objectives in the Global Compact")}
        errors = {}
        for name, (cap, what) in caps.items():
            value = data.get(name)
            if isinstance(value, (list, tuple)) and len(value) > cap():
                errors[name] = [f"At most {cap()}: there are no more {what}."]
        if errors:
            raise ValidationError(errors)
        return data

    # Run with field errors too, so every message shows at once (data holds the valid fields).
    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, partial=False, **kwargs):
        from service import reference

        errors: dict[str, list[str]] = {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            errors["end_date"] = ["The end date is before the start date."]
        if not partial and data.get("type") and data["type"] != "meeting_event" and start and not end:
            errors["end_date"] = ["The end date is required for a project."]
        known_partners = reference.partner_codes()
        if data.get("lead_partner") and data["lead_partner"] not in known_partners:
            errors["lead_partner"] = [f"Unknown partner: {data['lead_partner']}."]
        _codes("partners", data.get("partners") or [], known_partners, errors)
        for name in ("partners", "actions", "gcm_objectives"):
            values = data.get(name) or []
            if name not in errors and len(set(values)) != len(values):
                errors[name] = ["Name each one once."]
        actions = data.get("actions") or []
        known_actions = reference.current_action_numbers()
        unknown = sorted({a for a in actions if a not in known_actions})
        if unknown:
            errors["actions"] = [f"Not an action of the current Action Plan: {', '.join(map(str, unknown))}."]
        gcm = data.get("gcm_objectives") or []
        bad_gcm = sorted({g for g in gcm if not 1 <= g <= 23})
        if bad_gcm:
            errors["gcm_objectives"] = [f"The Global Compact has objectives 1 to 23: {', '.join(map(str, bad_gcm))}."]
        if errors:
            raise ValidationError(errors)


@register("labelling_review")
class ReviewForm(FormSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("accept", "request_changes", "decline"),
                             error="The decision is accept, request_changes or decline."))
    comment = fields.String(load_default="", validate=validate.Length(max=LONG))
    deadline = fields.NaiveDateTime(load_default=None, allow_none=True,
                                    error_messages={"invalid": "Give the deadline as a local date and time, e.g. 2026-03-10T17:00."})
    timezone = fields.String(load_default="Europe/Brussels")

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        if data["decision"] in ("request_changes", "decline") and not data["comment"].strip():
            raise ValidationError({"comment": ["Say what must change, or why the request is declined."]})


@register("labelling_after_silence")
class AfterSilenceForm(FormSchema):
    """What the Secretariat records when silence was broken (or the procedure withdrawn)."""

    outcome = fields.String(required=True, validate=validate.OneOf(("labelled", "not_labelled", "relaunch"),
                            error="The outcome is labelled, not_labelled or relaunch."))
    note = fields.String(load_default="", validate=validate.Length(max=LONG))
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100_000))
    deadline = fields.NaiveDateTime(load_default=None, allow_none=True)
    timezone = fields.String(load_default="Europe/Brussels")

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        if data["outcome"] == "relaunch" and not (data.get("text") or "").strip():
            raise ValidationError({"text": ["A relaunch needs the revised text."]})
        if data["outcome"] != "relaunch" and not data["note"].strip():
            raise ValidationError({"note": ["Record what the discussion decided."]})


@register("labelling_results")
class ResultsForm(FormSchema):
    activities = _text("The activities held", LONG)
    results = _text("The results", LONG)
    lessons_learned = _text("Lessons learned", LONG, required=False)


@register("labelling_resubmission")
class ResubmissionForm(FormSchema):
    """Completing the partner's "amend" task: the amended data lives on the request itself."""


LABELS = {
    "title": {"en": "Title of the initiative", "fr": "Titre de l'initiative"},
    "type": {"en": "Type", "fr": "Type"},
    "lead_partner": {"en": "Lead partner", "fr": "Partenaire chef de file"},
    "partners": {"en": "Associated partners", "fr": "Partenaires associés"},
    "implementing_organisations": {"en": "Implementing organisation(s), one per line",
                                   "fr": "Organisation(s) de mise en œuvre, une par ligne"},
    "start_date": {"en": "Start date (or date of the event)", "fr": "Date de début (ou de l'événement)"},
    "end_date": {"en": "End date", "fr": "Date de fin"},
    "location": {"en": "Place", "fr": "Lieu"},
    "budget_eur": {"en": "Budget (EUR)", "fr": "Budget (EUR)"},
    "funding_source": {"en": "Funding source", "fr": "Source de financement"},
    "summary": {"en": "Summary", "fr": "Résumé"},
    "expected_results": {"en": "Expected results", "fr": "Résultats attendus"},
    "actions": {"en": "Actions of the Action Plan it contributes to", "fr": "Actions du Plan d'action auxquelles elle contribue"},
    "gcm_objectives": {"en": "Global Compact for Migration objectives (optional)",
                       "fr": "Objectifs du Pacte mondial sur les migrations (facultatif)"},
    "contact_name": {"en": "Contact person", "fr": "Personne de contact"},
    "contact_email": {"en": "Contact e-mail", "fr": "Courriel de contact"},
    "activities": {"en": "Activities held", "fr": "Activités menées"},
    "results": {"en": "Results", "fr": "Résultats"},
    "lessons_learned": {"en": "Lessons learned and good practices", "fr": "Enseignements et bonnes pratiques"},
}
