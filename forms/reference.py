"""The reference data's forms, for the Secretariat's pages and the API alike: titles of domains,
objectives, actions and Global Compact objectives; partners; committees; referents per domain."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from . import FormSchema, Message, lookups, register

TITLE_LIMIT = 2000
NAME_LIMIT = 200
REQUIRED = Message("This field is required.")

KINDS = {"country": _l("Country"), "organisation": _l("Organisation")}
REGIONS = {"africa": _l("Africa"), "europe": _l("Europe")}
STATUSES = {"partner": _l("Partner"), "observer": _l("Observer")}

LABELS = {
    "number": _l("Number"),
    "title_en": _l("Title in English"),
    "title_fr": _l("Title in French"),
    "to_confirm": _l("To confirm against the official text"),
    "code": _l("Code"),
    "name_en": _l("Name in English"),
    "name_fr": _l("Name in French"),
    "kind": _l("Kind"),
    "region": _l("Region"),
    "status": _l("Status"),
    "members": _l("Members"),
    "members_to_confirm": _l("Members to confirm (placeholders)"),
    "partners": _l("Referent partners"),
}


class _Text(fields.String):
    """Text with the spaces around it removed; blank is missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError(REQUIRED.translated())
        return text


def _text(limit: int, **kwargs) -> _Text:
    return _Text(required=True, validate=validate.Length(max=limit, error=Message("At most {max} characters.")),
                 error_messages={"required": REQUIRED, "null": REQUIRED}, **kwargs)


def _codes(**kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=20)), load_default=list, **kwargs)


def _check_partners(values: list[str], field: str) -> None:
    """Every code a known partner, none twice."""
    unknown = sorted(set(values) - lookups.reference().partner_codes())
    if unknown:
        raise ValidationError(gettext("No partner has the code %(codes)s.", codes=", ".join(unknown)), field)
    twice = sorted({code for code in values if values.count(code) > 1})
    if twice:
        raise ValidationError(gettext("Listed twice: %(codes)s.", codes=", ".join(twice)), field)


@register("reference_titles")
class TitlesForm(FormSchema):
    """A domain's or a Global Compact objective's titles."""

    title_en = _text(TITLE_LIMIT)
    title_fr = _text(TITLE_LIMIT)


@register("reference_objective")
class ObjectiveForm(TitlesForm):
    to_confirm = fields.Boolean(load_default=False)


@register("reference_action")
class ActionForm(ObjectiveForm):
    """An action: numbered across the whole plan; renumbering is refused while initiatives refer to it."""

    number = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=999),
                            error_messages={"required": REQUIRED, "null": REQUIRED,
                                            "invalid": Message("A whole number is expected.")})


@register("reference_partner_edit")
class PartnerEditForm(FormSchema):
    name_en = _text(NAME_LIMIT)
    name_fr = _text(NAME_LIMIT)
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS), error=Message("Choose one of the list.")),
                         error_messages={"required": REQUIRED})
    region = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(list(REGIONS), error=Message("Choose one of the list.")))
    status = fields.String(required=True,
                           validate=validate.OneOf(list(STATUSES), error=Message("Choose one of the list.")),
                           error_messages={"required": REQUIRED})

    @pre_load
    def no_region(self, data, **kwargs):
        # A page's empty choice: an organisation has no region.
        if isinstance(data, dict) and data.get("region") == "":
            return {**data, "region": None}
        return data


@register("reference_partner")
class PartnerForm(PartnerEditForm):
    """A new partner: its code (ISO 3166-1 alpha-2 for a country) is its key for good."""

    code = fields.String(required=True, error_messages={"required": REQUIRED},
                         validate=validate.Regexp(r"^[A-Z][A-Z0-9-]{1,19}$", error=Message(
                             "Capital letters and digits: an ISO code (SN) or an acronym (ECOWAS).")))


@register("reference_committee_edit")
class CommitteeEditForm(FormSchema):
    name_en = _text(NAME_LIMIT)
    name_fr = _text(NAME_LIMIT)
    members = _codes()
    members_to_confirm = _codes()

    @validates_schema
    def members_known(self, data, **kwargs):
        _check_partners(data.get("members") or [], "members")
        extra = sorted(set(data.get("members_to_confirm") or []) - set(data.get("members") or []))
        if extra:
            raise ValidationError(gettext("Not a member: %(codes)s.", codes=", ".join(extra)), "members_to_confirm")


@register("reference_committee")
class CommitteeForm(CommitteeEditForm):
    code = fields.String(required=True, error_messages={"required": REQUIRED},
                         validate=validate.Regexp(r"^[a-z][a-z0-9-]{1,59}$", error=Message(
                             "Small letters, digits and hyphens: khartoum-steering-committee.")))


@register("reference_referents")
class ReferentsForm(FormSchema):
    partners = _codes()

    @validates_schema
    def partners_known(self, data, **kwargs):
        _check_partners(data.get("partners") or [], "partners")
