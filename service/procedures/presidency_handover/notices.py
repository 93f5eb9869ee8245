"""The handover's e-mails, and the `handover_update` operation through which its BPMN moves it:
opened, revision asked, programme endorsed, checklist reminder, passed, completed. Every
e-mail is written in its recipient's language, in the step that causes it."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from notifications.outbox import queue_email
from service import reference
from service.errors import InvalidInput
from service.extensions import db
from service.models import Case, Contact, ContactRole, is_row_id
from workflows import clock

from .models import Handover, Programme


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


def _opened(handover: Handover) -> None:
    from .checklist import create_items
    from .results import create_summary

    handover.status = "open"
    handover.opened_at = handover.opened_at or clock.now()
    create_summary(handover)
    create_items(handover)
    tell(handover, "opened", secretariat() + presidency_contacts(handover.outgoing_partner_code))
    invite_incoming(handover)


def _programme(handover: Handover) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.handover_id == handover.id))
    if programme is None:
        raise InvalidInput(gettext("This handover has no programme."))
    return programme


def _endorsed(handover: Handover) -> None:
    programme = _programme(handover)
    if programme.status == "in_silent_procedure":
        programme.endorsed_by = "silent_procedure"
    programme.status, programme.endorsed_at = "endorsed", clock.now()
    tell(handover, "programme_endorsed", focal_points(handover.incoming_partner_code) + secretariat()
         + presidency_contacts(handover.outgoing_partner_code), programme=programme)


def _revision(handover: Handover) -> None:
    programme = _programme(handover)
    programme.status = "revision_requested"
    tell(handover, "revision_requested", focal_points(handover.incoming_partner_code), programme=programme)


def _checklist_reminder(handover: Handover) -> None:
    from .checklist import due_reminders, title

    due = due_reminders(handover)
    if due:
        tell(handover, "checklist_reminder", secretariat(),
             items=[{"title": title(item), "due_date": item.due_date} for item in due])


def _completed(handover: Handover) -> None:
    handover.status, handover.completed_at = "completed", clock.now()


def _passed(handover: Handover) -> None:
    from .passing import pass_presidency

    pass_presidency(handover)


STEPS = {"opened": _opened, "revision_requested": _revision, "programme_endorsed": _endorsed,
         "checklist_reminder": _checklist_reminder, "passed": _passed, "completed": _completed}


def update_from_process(case: Case, params: dict) -> None:
    """The `handover_update` operation: a step of the handover's case moves its rows and tells people."""
    handover = db.session.get(Handover, params["handover_id"]) if is_row_id(params.get("handover_id")) else None
    if handover is not None and handover.case_id is None and handover.status == "scheduled":
        handover.case_id = case.id  # the use case that starts the case is still under way
    if handover is None or handover.case_id != case.id:
        raise InvalidInput(gettext("This case does not run that presidency handover."))
    step = STEPS.get(params.get("kind"))
    if step is None:
        raise InvalidInput(f"Unknown handover step {params.get('kind')!r}.")
    handover.updated_at = clock.now()
    step(handover)
