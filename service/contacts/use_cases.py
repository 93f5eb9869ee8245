"""Changing the contact base: each change a use case, kept in `contact_changes` with its
author, its time, and the contact before and after.

The `presidency` role follows the presidency handover: only the focal points of the partner
holding the Presidency may have it (the handover grants it to them and withdraws it from the
outgoing Presidency's contacts), so what the Secretariat does here and what a handover does
agree. Deactivating a contact ends its sessions and stops its tokens and links (they check
`Contact.active`); the notices of every procedure are sent to active contacts only.
"""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import exists, func, select, update

from workflows import clock

from .. import accounts, reference, sessions
from ..accounts import record, snapshot  # noqa: F401 - the history's shape is the accounts'
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import ApiToken, CommitteeMember, Contact, ContactRole, DeskLine
from ..unit_of_work import use_case
from . import directory

#: The roles that answer for a partner in the committees' procedures.
FOCAL_ROLES = ("partner", "committee-member")


class NeedsConfirmation(Conflict):
    """The change is allowed but has a consequence the Secretariat must confirm (`confirm`)."""


def require_secretariat(actor: Contact) -> None:
    if actor is None or not actor.has_role("secretariat"):
        raise Forbidden(gettext("Only the Secretariat keeps the contact base."))


def _email_taken(email: str, contact_id: int | None) -> bool:
    query = select(Contact.id).where(Contact.email == email)
    if contact_id is not None:
        query = query.where(Contact.id != contact_id)
    return db.session.scalar(query) is not None


def check_presidency(values: dict) -> None:
    if "presidency" not in values.get("roles", ()):
        return
    current = reference.current_presidency()
    if current is None or values.get("partner") != current.partner_code:
        raise InvalidInput(gettext("Only the focal points of the partner holding the Presidency have the "
                                   "Presidency role; the handover passes it on."),
                           {"roles": [gettext("The Presidency role is for the presiding partner's focal points.")]})


def _open_procedure_for(partner_code: str) -> bool:
    """Whether a procedure is open that concerns this partner, or every member (no partner)."""
    return db.session.scalar(select(exists().where(
        DeskLine.open.is_(True), (DeskLine.partner_code == partner_code) | DeskLine.partner_code.is_(None)))) or False


def _last_focal_point_warning(contact: Contact, after: dict) -> str | None:
    """The warning when `contact` is the last active focal point of a committee member state
    and stops being one while a procedure is open; None otherwise."""
    code = contact.partner_code
    was_focal = contact.active and bool(contact.roles.intersection(FOCAL_ROLES))
    stays_focal = after["active"] and after["partner"] == code and bool(set(after["roles"]).intersection(FOCAL_ROLES))
    if not code or not was_focal or stays_focal:
        return None
    if db.session.scalar(select(CommitteeMember.id).where(CommitteeMember.partner_code == code).limit(1)) is None:
        return None
    others = db.session.scalar(select(func.count(Contact.id.distinct())).join(ContactRole).where(
        Contact.partner_code == code, Contact.active.is_(True), Contact.id != contact.id,
        ContactRole.role.in_(FOCAL_ROLES)))
    if others or not _open_procedure_for(code):
        return None
    return gettext("%(email)s is the last focal point of %(partner)s, a committee member, and a procedure is open: "
                   "%(partner)s would no longer be written to. Confirm to go ahead.", email=contact.email, partner=code)


def _guard(contact: Contact, after: dict, confirm: bool) -> None:
    warning = _last_focal_point_warning(contact, after)
    if warning and not confirm:
        raise NeedsConfirmation(warning, {"confirm": [warning]})


def apply_values(contact: Contact, values: dict) -> None:
    contact.name, contact.email = values["name"], values["email"]
    contact.partner_code = values.get("partner") or None
    contact.function = values.get("function") or ""
    contact.language = values["language"]
    wanted = set(values.get("roles", ()))
    for row in [r for r in contact.role_rows if r.role not in wanted]:
        contact.role_rows.remove(row)
    for role in sorted(wanted - contact.roles):
        contact.role_rows.append(ContactRole(role=role))


def _refuse_duplicate(email: str, contact_id: int | None = None) -> None:
    if _email_taken(email, contact_id):
        message = gettext("Another contact has the e-mail address %(email)s.", email=email)
        raise InvalidInput(message, {"email": [message]})


@use_case
def add(values: dict, actor: Contact) -> Contact:
    """A new contact (active, without a password until invited)."""
    require_secretariat(actor)
    _refuse_duplicate(values["email"])
    check_presidency(values)
    contact = Contact(email=values["email"], name="", language="en", active=True, created_at=clock.now())
    apply_values(contact, values)
    db.session.add(contact)
    db.session.flush()
    record(contact, "added", actor, None, snapshot(contact))
    return contact


@use_case
def edit(contact_id: int, values: dict, actor: Contact) -> Contact:
    """Change a contact: every field given replaces the one kept (roles as a whole)."""
    require_secretariat(actor)
    contact = directory.get(contact_id)
    before = snapshot(contact)
    merged = {**before, **{k: v for k, v in values.items() if k != "confirm"}}
    if "partner" in values:
        merged["partner"] = values["partner"] or None
    _refuse_duplicate(merged["email"], contact.id)
    check_presidency(merged)
    _guard(contact, merged, values.get("confirm", False))
    apply_values(contact, merged)
    after = snapshot(contact)
    if after != before:
        record(contact, "edited", actor, before, after)
    if before["email"] != after["email"]:
        sessions.end_all(contact.id)  # they sign in with the new address
    return contact


@use_case
def set_active(contact_id: int, active: bool, actor: Contact, *, confirm: bool = False) -> Contact:
    """Deactivate (no sign-in, no token, no link, no notice) or reactivate a contact."""
    require_secretariat(actor)
    contact = directory.get(contact_id)
    if contact.id == actor.id and not active:
        raise InvalidInput(gettext("You cannot deactivate your own account."))
    if bool(contact.active) == active:
        return contact
    before = snapshot(contact)
    if not active:
        _guard(contact, {**before, "active": False}, confirm)
    contact.active = active
    if not active:
        sessions.end_all(contact.id)
    record(contact, "reactivated" if active else "deactivated", actor, before, snapshot(contact))
    return contact


@use_case
def change_own_settings(contact: Contact, values: dict) -> Contact:
    """A contact's own language and password (the current one required to change it)."""
    before = {"language": contact.language}
    if values.get("password"):
        if accounts.check_password(contact.email, values.get("current_password") or "") is None:
            message = gettext("The current password is not right.")
            raise InvalidInput(message, {"current_password": [message]})
        accounts.set_password(contact, values["password"])
    if values.get("language"):
        contact.language = values["language"]
    after = {"language": contact.language}
    if values.get("password"):
        after["password"] = "changed"
    if after != before:
        record(contact, "settings_changed", contact, before, after)
    return contact


def _may_manage_tokens(actor: Contact, contact: Contact) -> None:
    if actor.id != contact.id and not actor.has_role("secretariat"):
        raise NotFound(gettext("There is no such contact."))


@use_case
def issue_token(contact_id: int, label: str, actor: Contact) -> tuple[ApiToken, str]:
    """A new API token for the contact (the Secretariat for anyone, a contact for itself):
    (its row, the token, shown this once)."""
    contact = directory.get(contact_id)
    _may_manage_tokens(actor, contact)
    if not contact.active:
        raise InvalidInput(gettext("This contact is deactivated: reactivate it first."))
    row, token = accounts.new_token(contact, label)
    record(contact, "token_issued", actor, None, {"token": row.id, "label": row.label})
    return row, token


@use_case
def revoke_token(contact_id: int, token_id, actor: Contact) -> ApiToken:
    contact = directory.get(contact_id)
    _may_manage_tokens(actor, contact)
    row = db.session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if row is None or row.contact_id != contact.id:
        raise NotFound(gettext("There is no such token."))
    if row.revoked_at is None:
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id, ApiToken.revoked_at.is_(None))
                           .values(revoked_at=clock.now()).execution_options(synchronize_session=False))
        row.revoked_at = clock.now()
        record(contact, "token_revoked", actor, {"token": row.id, "label": row.label}, None)
    return row
