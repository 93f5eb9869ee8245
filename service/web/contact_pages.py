"""The contact base's pages (the Secretariat): the list, a contact (edit, invite, deactivate,
history, API tokens), the CSV import; a contact's own account page; and the page of the
invitation's link, where the contact chooses a password."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select

from forms.contacts import LABELS, ROLE_CODES, ContactForm, ImportForm, SettingsForm, TokenForm

from ..contacts import directory, importing, invitations, use_cases
from ..errors import InvalidInput, ServiceError
from ..extensions import db
from ..models import Partner
from .. import terms
from ..procedure import LinkPurpose
from . import signed_in

bp = Blueprint("contact_pages", __name__)

ACTIONS = {
    "added": _l("added"), "edited": _l("edited"), "imported": _l("imported from a CSV file"),
    "deactivated": _l("deactivated"), "reactivated": _l("reactivated"), "invited": _l("invited"),
    "password_set": _l("password chosen"), "settings_changed": _l("own settings changed"),
    "token_issued": _l("API token issued"), "token_revoked": _l("API token revoked"),
    "handover": _l("roles changed by the presidency handover"),
}
FIELDS = ("name", "email", "partner", "function", "language")
FIELD_NAMES = {"name": LABELS["name"], "email": LABELS["email"], "partner": _l("Partner"),
               "function": LABELS["function"], "language": LABELS["language"], "roles": LABELS["roles"],
               "active": _l("Status"), "label": _l("Token"), "until": _l("Link valid until"),
               "password": _l("Password")}


def _shown(name, value) -> str:
    """A kept value as a reader reads it."""
    if value is None or value == "":
        return "—"
    if name == "roles":
        return ", ".join(terms.FILTERS["role"](role) for role in value) or "—"
    if name == "active":
        return str(_l("active") if value else _l("deactivated"))
    if name == "language":
        return {"fr": "français", "en": "English"}.get(value, value)
    return str(value)


def changes(entry) -> list[tuple[str, str, str]]:
    """(field, before, after) of what one history entry changed."""
    before, after = entry.before or {}, entry.after or {}
    names = [n for n in dict.fromkeys([*before, *after]) if before.get(n) != after.get(n) and n != "token"]
    return [(str(FIELD_NAMES.get(n, n)), _shown(n, before.get(n)) if entry.before else "",
             _shown(n, after.get(n)) if entry.after else "") for n in names]


def _partners():
    return db.session.scalars(select(Partner).order_by(Partner.code)).all()


def _filters(args) -> dict:
    found = {}
    search = (args.get("search") or "").strip()
    if search:
        found["search"] = search[:200]
    partner = (args.get("partner") or "").strip().upper()
    if re.fullmatch(r"[A-Z]{2,10}", partner):
        found["partner"] = partner
    if args.get("role") in ROLE_CODES:
        found["role"] = args["role"]
    if args.get("active") in ("yes", "no"):
        found["active"] = args["active"]
    return found


@bp.route("/contacts")
@signed_in("secretariat")
def index(officer):
    filters = _filters(request.args)
    after = (request.args.get("after") or "")[:320] or None
    active = {"yes": True, "no": False}.get(filters.get("active"))
    page = directory.page(search=filters.get("search"), partner=filters.get("partner"), role=filters.get("role"),
                          active=active, after=after, limit=current_app.config["PAGE_SIZE"])
    next_url = url_for("contact_pages.index", **filters, after=page.next_after) if page.next_after else None
    return render_template("contacts/contacts.html", page=page, filters=filters, partners=_partners(),
                           roles=ROLE_CODES, next_url=next_url)


def _posted_contact() -> dict:
    values = {name: request.form.get(name, "") for name in FIELDS}
    values["roles"] = [r for r in request.form.getlist("roles") if r]
    if request.form.get("confirm"):
        values["confirm"] = True
    return values


def _form_page(values, errors, status=200, contact=None, warning=None, issued=None):
    return render_template("contacts/contact_form.html", values=values, errors=errors, labels=LABELS,
                           partners=_partners(), roles=ROLE_CODES, contact=contact, warning=warning,
                           history=directory.history(contact.id) if contact else [],
                           tokens=directory.tokens(contact.id) if contact else [], actions=ACTIONS,
                           changes=changes, issued=issued), status


def _save(officer, contact=None):
    values = _posted_contact()
    try:
        data = ContactForm().load({k: v for k, v in values.items() if v not in ("", None) or k in ("name", "email")})
        # The page shows every field: one left empty is cleared.
        data.setdefault("partner", None)
        data.setdefault("function", "")
        saved = use_cases.edit(contact.id, data, officer) if contact else use_cases.add(data, officer)
    except ValidationError as error:
        return _form_page(values, error.messages, 422, contact)
    except use_cases.NeedsConfirmation as error:
        return _form_page(values, {}, 409, contact, warning=error.message)
    except InvalidInput as error:
        return _form_page(values, error.errors or {"email": [error.message]}, 422, contact)
    flash(gettext("The contact %(email)s is saved.", email=saved.email), "notice")
    return redirect(url_for("contact_pages.detail", contact_id=saved.id))


@bp.route("/contacts/new", methods=["GET", "POST"])
@signed_in("secretariat")
def new(officer):
    if request.method == "GET":
        return _form_page({"language": "fr", "roles": ["partner"]}, {})
    return _save(officer)


def _values_of(contact) -> dict:
    return {"name": contact.name, "email": contact.email, "partner": contact.partner_code or "",
            "function": contact.function, "language": contact.language, "roles": sorted(contact.roles)}


@bp.route("/contacts/<int:contact_id>", methods=["GET", "POST"])
@signed_in("secretariat")
def detail(officer, contact_id):
    contact = directory.get(contact_id)
    if request.method == "GET":
        return _form_page(_values_of(contact), {}, contact=contact)
    return _save(officer, contact)


@bp.route("/contacts/<int:contact_id>/<any(deactivate, reactivate):change>", methods=["POST"])
@signed_in("secretariat")
def set_active(officer, contact_id, change):
    contact = directory.get(contact_id)
    try:
        use_cases.set_active(contact.id, change == "reactivate", officer, confirm=bool(request.form.get("confirm")))
    except use_cases.NeedsConfirmation as error:
        return render_template("contacts/confirm.html", contact=contact, message=error.message,
                               action=url_for("contact_pages.set_active", contact_id=contact.id, change=change)), 409
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(gettext("The contact is deactivated.") if change == "deactivate"
              else gettext("The contact is active again."), "notice")
    return redirect(url_for("contact_pages.detail", contact_id=contact.id))


@bp.route("/contacts/<int:contact_id>/invite", methods=["POST"])
@signed_in("secretariat")
def invite(officer, contact_id):
    try:
        contact = invitations.invite(contact_id, officer)
    except InvalidInput as error:
        flash(error.message, "error")
    else:
        flash(gettext("An invitation to choose a password was sent to %(email)s.", email=contact.email), "notice")
    return redirect(url_for("contact_pages.detail", contact_id=contact_id))


def _issue(actor, contact_id):
    """(row, token) of a new token, or None with the reason flashed."""
    try:
        data = TokenForm().load({"label": request.form.get("label", "")})
        row, token = use_cases.issue_token(contact_id, data["label"], actor)
    except ValidationError as error:
        flash(" ".join(error.messages.get("label", [])), "error")
        return None
    except ServiceError as error:
        flash(error.message, "error")
        return None
    return row, token


@bp.route("/contacts/<int:contact_id>/tokens", methods=["POST"])
@signed_in("secretariat")
def issue_token(officer, contact_id):
    contact = directory.get(contact_id)
    issued = _issue(officer, contact.id)
    if issued is None:
        return redirect(url_for("contact_pages.detail", contact_id=contact.id))
    # Shown once, in this answer (never stored, never cached: signed-in pages are no-store).
    return _form_page(_values_of(contact), {}, 201, contact, issued=issued[1])


@bp.route("/contacts/<int:contact_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in("secretariat")
def revoke_token(officer, contact_id, token_id):
    use_cases.revoke_token(contact_id, token_id, officer)
    flash(gettext("The token is revoked: it no longer opens the API."), "notice")
    return redirect(url_for("contact_pages.detail", contact_id=contact_id))


@bp.route("/contacts/import", methods=["GET", "POST"])
@signed_in("secretariat")
def import_page(officer):
    if request.method == "GET":
        return render_template("contacts/import.html", report=None, errors={}, labels=LABELS, text=""), 200
    upload = request.files.get("file")
    text = request.form.get("csv", "")
    if upload is not None and upload.filename:
        raw = upload.read(2_000_001)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    dry_run = request.form.get("action") != "import"
    try:
        data = ImportForm().load({"csv": text, "dry_run": dry_run})
    except ValidationError as error:
        return render_template("contacts/import.html", report=None, errors=error.messages, labels=LABELS,
                               text=""), 422
    if data["dry_run"]:
        report = importing.check(data["csv"])
        return render_template("contacts/import.html", report=report, errors={}, labels=LABELS,
                               text=data["csv"]), 200 if report.valid else 422
    try:
        report = importing.import_contacts(data["csv"], officer)
    except importing.ImportRefused as refused:
        return render_template("contacts/import.html", report=refused.report, errors={}, labels=LABELS,
                               text=data["csv"]), 422
    flash(gettext("%(count)d contacts were imported.", count=len(report.lines)), "notice")
    return redirect(url_for("contact_pages.index"))


# A contact's own account ---------------------------------------------------------------------

def _account_page(contact, errors=None, status=200, issued=None):
    return render_template("contacts/account.html", errors=errors or {}, labels=LABELS,
                           tokens=directory.tokens(contact.id), issued=issued, own_tokens=True), status


@bp.route("/account", methods=["GET", "POST"])
@signed_in()
def account(contact):
    if request.method == "GET":
        return _account_page(contact)
    posted = {name: request.form.get(name, "") for name in ("language", "current_password", "password")}
    try:
        data = SettingsForm().load({k: v for k, v in posted.items() if v})
        use_cases.change_own_settings(contact, data)
    except ValidationError as error:
        return _account_page(contact, error.messages, 422)
    except InvalidInput as error:
        return _account_page(contact, error.errors or {"password": [error.message]}, 422)
    if data.get("password"):
        # A new password ends every session, this one too: sign in with it.
        flash(gettext("Your password is changed: sign in with it."), "notice")
        return redirect(url_for("web.sign_in"))
    session["lang"] = contact.language
    flash(gettext("Your settings are saved."), "notice")
    return redirect(url_for("contact_pages.account"))


@bp.route("/account/tokens", methods=["POST"])
@signed_in()
def issue_own_token(contact):
    issued = _issue(contact, contact.id)
    if issued is None:
        return redirect(url_for("contact_pages.account"))
    return _account_page(contact, status=201, issued=issued[1])


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in()
def revoke_own_token(contact, token_id):
    use_cases.revoke_token(contact.id, token_id, contact)
    flash(gettext("The token is revoked: it no longer opens the API."), "notice")
    return redirect(url_for("contact_pages.account"))


# The invitation's link -----------------------------------------------------------------------

def password_page(link, token, errors=None, values=None, status=200):
    return render_template("contacts/set_password.html", link=link, state=invitations.link_state(link),
                           errors=errors or {}, labels=LABELS), status


def password_done(link, token, outcome):
    return render_template("contacts/set_password_done.html", link=link, outcome=outcome), \
        200 if outcome.done or outcome.replay else 409


LINK_PURPOSES = {
    invitations.PURPOSE: LinkPurpose(subject=invitations.SUBJECT, form="set_password", page=password_page,
                                     act=invitations.set_password, done=password_done),
}
