"""`/api/contacts` (the Secretariat keeps the contact base: list, add, edit, deactivate,
reactivate, invite, history, API tokens, CSV import) and `/api/account` (a contact's own
language, password and API tokens)."""
from __future__ import annotations

from flask import make_response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from forms import Message
from forms.contacts import ROLE_CODES, ContactChangeForm, ContactForm, ImportForm, SettingsForm, TokenForm

from ..contacts import directory, importing, invitations, use_cases
from . import pagination
from .auth import require_contact
from .pagination import PageQuery

blp = Blueprint("contacts", __name__, url_prefix="/api", description="The contact base and accounts (Secretariat)")


class ContactQuery(PageQuery):
    search = fields.String(validate=validate.Length(max=200),
                           metadata={"description": "Part of the name or of the e-mail address"})
    partner = fields.String(validate=validate.Regexp(r"^[A-Z]{2,10}$", error=Message(
        "A partner is given by its code, e.g. TD or ECOWAS.")))
    role = fields.String(validate=validate.OneOf(ROLE_CODES))
    active = fields.Boolean()


class ContactSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    partner = fields.String(attribute="partner_code", allow_none=True)
    function = fields.String()
    language = fields.String()
    roles = fields.Function(lambda contact: sorted(contact.roles))
    active = fields.Boolean()
    has_password = fields.Function(lambda contact: bool(contact.password_hash))
    invited_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class ActiveSchema(Schema):
    confirm = fields.Boolean(load_default=False, metadata={
        "description": "Go ahead after the warning about the last focal point of a committee member"})


class TokenSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True, metadata={"description": "To the minute"})
    revoked_at = fields.DateTime(allow_none=True)


class IssuedTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "Shown this once: only its hash is kept"})


class ChangeSchema(Schema):
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class ImportLineSchema(Schema):
    line = fields.Integer()
    email = fields.String()
    errors = fields.Dict()


class ImportReportSchema(Schema):
    valid = fields.Boolean()
    imported = fields.Boolean()
    contacts = fields.Integer()
    errors = fields.Dict()
    lines = fields.List(fields.Nested(ImportLineSchema))


def _issued(row, token: str) -> dict:
    return {"id": row.id, "label": row.label, "created_at": row.created_at, "last_used_at": row.last_used_at,
            "revoked_at": row.revoked_at, "token": token}


def _secretariat():
    return require_contact("secretariat")


@blp.route("/contacts")
@blp.arguments(ContactQuery, location="query")
@blp.response(200, ContactSchema(many=True))
def list_contacts(query):
    """Contacts sorted by e-mail address, filtered by name or address, partner, role and
    whether active, in pages (`Link: rel=next`)."""
    _secretariat()
    limit = pagination.limit_of(query)
    found = directory.page(search=query.get("search"), partner=query.get("partner"), role=query.get("role"),
                           active=query.get("active"), after=query.get("after"), limit=limit)
    return pagination.with_next(make_response(ContactSchema(many=True).dump(found.contacts)), found.next_after)


@blp.route("/contacts", methods=["POST"])
@blp.arguments(ContactForm)
@blp.response(201, ContactSchema)
@blp.alt_response(422, description="A field is wrong: a duplicate e-mail address, an unknown partner code, ...")
def add_contact(data):
    """Add a contact (not yet able to sign in: invite them to choose a password)."""
    return use_cases.add(data, _secretariat())


@blp.route("/contacts/<int:contact_id>")
@blp.response(200, ContactSchema)
def get_contact(contact_id):
    _secretariat()
    return directory.get(contact_id)


@blp.route("/contacts/<int:contact_id>", methods=["PATCH"])
@blp.arguments(ContactChangeForm)
@blp.response(200, ContactSchema)
@blp.alt_response(409, description="A warning to confirm (`confirm: true`): the last focal point of a committee "
                                   "member would go while a procedure is open.")
def edit_contact(data, contact_id):
    """Change a contact; `roles`, when given, replaces the contact's roles."""
    return use_cases.edit(contact_id, data, _secretariat())


@blp.route("/contacts/<int:contact_id>/deactivate", methods=["POST"])
@blp.arguments(ActiveSchema)
@blp.response(200, ContactSchema)
@blp.alt_response(409, description="A warning to confirm (`confirm: true`).")
def deactivate_contact(data, contact_id):
    """Deactivate: no sign-in, no API token, no action link, no notice any more."""
    return use_cases.set_active(contact_id, False, _secretariat(), confirm=data["confirm"])


@blp.route("/contacts/<int:contact_id>/reactivate", methods=["POST"])
@blp.response(200, ContactSchema)
def reactivate_contact(contact_id):
    return use_cases.set_active(contact_id, True, _secretariat())


@blp.route("/contacts/<int:contact_id>/invite", methods=["POST"])
@blp.response(200, ContactSchema)
def invite_contact(contact_id):
    """E-mail the contact a single-use link to choose a password (earlier ones stop working)."""
    return invitations.invite(contact_id, _secretariat())


@blp.route("/contacts/<int:contact_id>/history")
@blp.response(200, ChangeSchema(many=True))
def contact_history(contact_id):
    """Who changed the contact, when, what it was before and after (newest first, 100 at most)."""
    _secretariat()
    return directory.history(directory.get(contact_id).id)


@blp.route("/contacts/<int:contact_id>/tokens")
@blp.response(200, TokenSchema(many=True))
def contact_tokens(contact_id):
    _secretariat()
    return directory.tokens(directory.get(contact_id).id)


@blp.route("/contacts/<int:contact_id>/tokens", methods=["POST"])
@blp.arguments(TokenForm)
@blp.response(201, IssuedTokenSchema)
def issue_contact_token(data, contact_id):
    """Issue an API token for the contact; the answer is the only time it is shown."""
    return _issued(*use_cases.issue_token(contact_id, data["label"], _secretariat()))


@blp.route("/contacts/<int:contact_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@blp.response(200, TokenSchema)
def revoke_contact_token(contact_id, token_id):
    return use_cases.revoke_token(contact_id, token_id, _secretariat())


@blp.route("/contacts/import", methods=["POST"])
@blp.arguments(ImportForm)
@blp.response(200, ImportReportSchema)
@blp.alt_response(201, schema=ImportReportSchema, description="Every contact of the file was added.")
@blp.alt_response(422, description="A line is wrong: nothing was saved; `errors.lines` says where.")
def import_contacts(data):
    """Import contacts from CSV (columns: name, email, language, and optionally partner, function,
    roles). `dry_run` (the default) lists each line's errors and saves nothing; without it the
    file is imported whole, or not at all."""
    actor = _secretariat()
    if data["dry_run"]:
        return {**importing.check(data["csv"]).as_dict(), "imported": False}
    report = importing.import_contacts(data["csv"], actor)
    return {**report.as_dict(), "imported": True}, 201


# A contact's own account ---------------------------------------------------------------------

@blp.route("/account")
@blp.response(200, ContactSchema)
def my_account():
    """The contact behind the token."""
    return require_contact()


@blp.route("/account", methods=["PATCH"])
@blp.arguments(SettingsForm)
@blp.response(200, ContactSchema)
def change_my_account(data):
    """Change your language, or your password (give the current one)."""
    return use_cases.change_own_settings(require_contact(), data)


@blp.route("/account/tokens")
@blp.response(200, TokenSchema(many=True))
def my_tokens():
    return directory.tokens(require_contact().id)


@blp.route("/account/tokens", methods=["POST"])
@blp.arguments(TokenForm)
@blp.response(201, IssuedTokenSchema)
def issue_my_token(data):
    """Issue yourself another API token (shown this once)."""
    contact = require_contact()
    return _issued(*use_cases.issue_token(contact.id, data["label"], contact))


@blp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@blp.response(200, TokenSchema)
def revoke_my_token(token_id):
    contact = require_contact()
    return use_cases.revoke_token(contact.id, token_id, contact)
