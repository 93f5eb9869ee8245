"""Bearer-token authentication for the API."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext
from flask_smorest import abort

from ..accounts import contact_for_token
from ..models import Contact


def current_contact() -> Contact | None:
    if "api_contact" in g:
        return g.api_contact
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    contact = contact_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    g.api_contact = contact
    return contact


def require_contact(*roles: str) -> Contact:
    """The contact behind the bearer token (401 without one; 403 without one of `roles`)."""
    contact = current_contact()
    if contact is None:
        abort(401, message=gettext("A valid API token is required (Authorization: Bearer <token>)."))
    if roles and not contact.has_role(*roles):
        abort(403, message=gettext("Your role does not allow this."))
    return contact
