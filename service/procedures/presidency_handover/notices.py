"""The handover's e-mails: each written in its recipient's language, in the step that causes it."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from notifications.outbox import queue_email
from service import reference
from service.extensions import db
from service.models import Contact, ContactRole

from .models import Handover


def _people(query) -> list[Contact]:
    return list(db.session.scalars(query.where(Contact.active.is_(True)).order_by(Contact.email)))


def secretariat() -> list[Contact]:
    return _people(select(Contact).join(ContactRole).where(ContactRole.role == "secretariat"))


def presidency_contacts(partner_code: str) -> list[Contact]:
    return _people(select(Contact).join(ContactRole).where(ContactRole.role == "presidency",
                                                           Contact.partner_code == partner_code))


def focal_points(partner_code: str | None) -> list[Contact]:
    if not partner_code:
        return []
    return _people(select(Contact).join(ContactRole).where(ContactRole.role.in_(("partner", "presidency")),
                                                           Contact.partner_code == partner_code).distinct())


def incoming_names(handover: Handover):
    """How texts name the incoming Presidency, in French and English."""
    from types import SimpleNamespace

    if handover.incoming is None:
        return None
    names = {}
    for language in ("en", "fr"):
        names[f"title_{language}"] = getattr(handover, f"incoming_title_{language}") or None
    if not all(names.values()):
        fallback = reference.presidency_names(SimpleNamespace(
            partner=handover.incoming, title_en=names["title_en"], title_fr=names["title_fr"]))
        return fallback
    return SimpleNamespace(**names)


def values(handover: Handover) -> dict:
    """What every handover notice may say of the handover."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return {"handover": handover, "outgoing": reference.presidency_names(handover.presidency),
            "incoming": incoming_names(handover), "url": f"{base}/handovers/{handover.id}"}


def tell(handover: Handover, notice: str, people, **extra) -> None:
    """One `handover_notice` e-mail of kind `notice` to each contact (each once)."""
    told = set()
    for contact in people:
        if contact.id in told:
            continue
        told.add(contact.id)
        queue_email(template="handover_notice", to_email=contact.email, to_name=contact.name, language=contact.language,
                    case_id=handover.case_id,
                    values={**values(handover), "notice": notice, "name": contact.name or contact.email,
                            "programme": None, "items": [], **extra})


def invite_incoming(handover: Handover) -> None:
    """The incoming Presidency's focal points are asked for its programme."""
    tell(handover, "invited", focal_points(handover.incoming_partner_code))
