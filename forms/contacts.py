"""The contact base: a contact as the Secretariat keeps it, a contact's own settings, setting a
password from an invitation, an API token's label, and a CSV import."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates, validates_schema

from . import FormSchema, Message, register
from .lookups import reference

#: The roles a contact may have (the service's `ROLES`; a test keeps the two lists equal).
ROLE_CODES = ("secretariat", "partner", "committee-member", "presidency", "referent")
LANGUAGE_CODES = ("fr", "en")
MIN_PASSWORD_LENGTH = 10
MAX_CSV_CHARACTERS = 1_000_000

LABELS = {
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "partner": _l("Partner (code)"),
    "function": _l("Function"),
    "language": _l("Preferred language"),
    "roles": _l("Roles"),
    "confirm": _l("I confirm the change"),
    "password": _l("New password"),
    "password_again": _l("New password, again"),
    "current_password": _l("Current password"),
    "label": _l("What the token is for"),
    "csv": _l("CSV file"),
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")




def _password_field(required: bool = True) -> fields.String:
    return fields.String(required=required, load_only=True, validate=validate.Length(
        min=MIN_PASSWORD_LENGTH, max=200, error=Message("At least 10 characters.")),
        error_messages={"required": Message("Choose a password.")})


@register("contact")
class ContactForm(FormSchema):
    """A contact: who they are, for which partner, in which language, with which roles."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200, error=Message("Give the name (at most 200 characters).")),
                         error_messages={"required": Message("The name is required.")})
    email = fields.String(required=True, validate=validate.Length(min=3, max=320, error=Message("Not a valid e-mail address.")),
                          error_messages={"required": Message("The e-mail address is required.")})
    partner = fields.String(allow_none=True, validate=validate.Length(max=20, error=Message("Unknown partner code.")),
                            metadata={"description": "The partner's code (e.g. SN, ECOWAS); none for the Secretariat"})
    function = fields.String(validate=validate.Length(max=200, error=Message("At most 200 characters.")))
    language = fields.String(required=True, validate=validate.OneOf(
        LANGUAGE_CODES, error=Message("The language is fr or en.")),
        error_messages={"required": Message("Choose the preferred language.")})
    roles = fields.List(fields.String(validate=validate.OneOf(
        ROLE_CODES, error=Message("Unknown role."))), validate=validate.Length(max=len(ROLE_CODES), error=Message("Unknown role.")))
    confirm = fields.Boolean(load_default=False, metadata={
        "description": "Go ahead after a warning (e.g. the last focal point of a committee member removed)"})

    @pre_load
    def _tidy(self, data, **kwargs):
        if isinstance(data, dict):
            data = dict(data)
            for name in ("name", "email", "partner", "function"):
                if isinstance(data.get(name), str):
                    data[name] = data[name].strip()
            if isinstance(data.get("email"), str):
                data["email"] = data["email"].lower()
            if isinstance(data.get("partner"), str):
                data["partner"] = data["partner"].upper() or None
        return data

    @validates("email")
    def _email(self, value, **kwargs):
        if not _EMAIL.match(value):
            raise ValidationError(Message("Not a valid e-mail address.").translated())

    @validates("partner")
    def _partner(self, value, **kwargs):
        # Read once per form object: an import checks every line with the same one.
        if getattr(self, "_partner_codes", None) is None:
            self._partner_codes = reference().partner_codes()
        if value and value not in self._partner_codes:
            raise ValidationError(Message("Unknown partner code.").translated())

    @post_load
    def _roles_once(self, data, **kwargs):
        if "roles" in data:
            data["roles"] = sorted(set(data["roles"]))
        return data


@register("contact_settings")
class SettingsForm(FormSchema):
    """What a contact changes on their own account: their language and their password."""

    language = fields.String(validate=validate.OneOf(LANGUAGE_CODES, error=Message("The language is fr or en.")))
    current_password = fields.String(load_only=True, validate=validate.Length(max=200, error=Message("At most 200 characters.")))
    password = _password_field(required=False)

    @validates_schema
    def _current_given(self, data, **kwargs):
        if data.get("password") and not data.get("current_password"):
            raise ValidationError({"current_password": [
                Message("Give your current password to choose a new one.").translated()]})


@register("set_password")
class SetPasswordForm(FormSchema):
    """The password chosen from an invitation's link (typed twice)."""

    password = _password_field()
    password_again = fields.String(required=True, load_only=True, validate=validate.Length(
        max=200, error=Message("At most 200 characters.")),
                                   error_messages={"required": Message("Type the password again.")})

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            raise ValidationError({"password_again": [Message("The two passwords differ.").translated()]})


@register("api_token")
class TokenForm(FormSchema):
    label = fields.String(load_default="", validate=validate.Length(max=100, error=Message("At most 100 characters.")))


@register("contact_import")
class ImportForm(FormSchema):
    """A CSV file of contacts; `dry_run` (the default) checks it and saves nothing."""

    csv = fields.String(required=True, validate=validate.Length(min=1, max=MAX_CSV_CHARACTERS, error=Message(
                            "Choose a CSV file of at most one million characters.")),
                        metadata={"description": "The CSV text: a header line, then one contact a line"},
                        error_messages={"required": Message("Choose a CSV file.")})
    dry_run = fields.Boolean(load_default=True)


@register("contact_change")
class ContactChangeForm(ContactForm):
    """A change to a contact: the same fields, each optional (what is given replaces what is kept)."""

    def on_bind_field(self, field_name, field_obj) -> None:
        super().on_bind_field(field_name, field_obj)
        field_obj.required = False
