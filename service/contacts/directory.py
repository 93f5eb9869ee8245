"""Reading the contact base: a page of contacts (filtered and paginated in SQL, keyset on the
e-mail address), a contact with its history and its API tokens."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, or_, select

from ..errors import NotFound
from ..extensions import db
from ..models import ApiToken, Contact, ContactChange, ContactRole, is_row_id

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    contacts: list[Contact]
    next_after: str | None  # the e-mail address the next page starts after, if one follows


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page(*, search: str | None = None, partner: str | None = None, role: str | None = None,
         active: bool | None = None, after: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Contacts sorted by e-mail address: `search` in the name or the address, of `partner`,
    with `role`, active or not; the page after the address `after`."""
    query = select(Contact)
    if search:
        pattern = _like(search)
        query = query.where(or_(func.lower(Contact.name).like(pattern, escape="\\"),
                                Contact.email.like(pattern, escape="\\")))
    if partner:
        query = query.where(Contact.partner_code == partner)
    if role:
        query = query.where(Contact.id.in_(select(ContactRole.contact_id).where(ContactRole.role == role)))
    if active is not None:
        query = query.where(Contact.active.is_(active))
    if after:
        query = query.where(Contact.email > after)
    found = list(db.session.scalars(query.order_by(Contact.email).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return Page(found, found[-1].email if more and found else None)


def get(contact_id) -> Contact:
    contact = db.session.get(Contact, contact_id) if is_row_id(contact_id) else None
    if contact is None:
        raise NotFound(gettext("There is no such contact."))
    return contact


def history(contact_id: int, limit: int = 100) -> list[ContactChange]:
    """The contact's changes, newest first."""
    return list(db.session.scalars(select(ContactChange).where(ContactChange.contact_id == contact_id)
                                   .order_by(ContactChange.id.desc()).limit(limit)))


def tokens(contact_id: int) -> list[ApiToken]:
    """The contact's API tokens, newest first (revoked ones too, marked)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.contact_id == contact_id)
                                   .order_by(ApiToken.id.desc())))
