"""The labelling request's e-mails: to the partner's contact and focal points, and to the
Secretariat; and the `labelling_update` operation through which the BPMN moves the status."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from forms.labelling import TYPE_LABELS
from notifications.outbox import queue_email
from service import desk, reference
from service.errors import InvalidInput
from service.extensions import db
from service.models import Case, Contact, ContactRole, is_row_id
from workflows import clock

from .models import LabellingRequest


def _audience(request: LabellingRequest) -> list[tuple[str, str, str]]:
    """The request's contact and the partner's focal points: (email, name, language)."""
    people = {}
    if request.contact_email:
        known = db.session.scalar(select(Contact).where(Contact.email == request.contact_email.lower()))
        if known is None or known.active:  # a deactivated contact is written to no more
            people[request.contact_email.lower()] = (request.contact_email, request.contact_name or "",
                                                     known.language if known else "en")
    focal_points = db.session.scalars(select(Contact).join(ContactRole).where(
        ContactRole.role == "partner", Contact.partner_code == request.partner_code, Contact.active.is_(True)))
    for contact in focal_points:
        people.setdefault(contact.email, (contact.email, contact.name, contact.language))
    return list(people.values())


def _notify(request: LabellingRequest, notice: str, audience) -> None:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for email, name, language in audience:
        queue_email(template="labelling_notice", to_email=email, to_name=name, language=language,
                    case_id=request.case_id, values={
                        "notice": notice, "name": name or email, "request": request,
                        "type_label": TYPE_LABELS.get(request.type, request.type),
                        "url": f"{base}/labelling/{request.id}", "register_url": f"{base}/register"})


def notify_secretariat(request: LabellingRequest, notice: str) -> None:
    officers = db.session.scalars(select(Contact).join(ContactRole).where(
        ContactRole.role == "secretariat", Contact.active.is_(True)).order_by(Contact.email))
    _notify(request, notice, [(c.email, c.name, c.language) for c in officers])


#: Whose move it is while a request is in each open status.
WAITING_ON = {"submitted": "secretariat", "changes_requested": "partner", "in_silent_procedure": "committee-member",
              "silence_broken": "secretariat"}


def note_on_desk(request: LabellingRequest, case_id: int) -> None:
    """The request's line on the Secretariat's desk (open while someone has to act)."""
    found = reference.actions_by_number(request.actions[:1]) if request.actions else []
    desk.note(case_id, "labelling", request.id, title=request.title or "", status=request.status,
              path=f"/labelling/{request.id}", open=request.status in WAITING_ON,
              waiting_on=WAITING_ON.get(request.status), partner_code=request.partner_code,
              domain_number=found[0][0].number if found else None)


def update_from_process(case: Case, params: dict) -> None:
    """The `labelling_update` operation: a step changes the request's status, tells the partner
    (`notice`) and/or the Secretariat (`secretariat_notice`)."""
    request = db.session.get(LabellingRequest, params["request_id"]) if is_row_id(params.get("request_id")) else None
    if request is not None and request.case_id is None and request.status == "submitted":
        request.case_id = case.id  # the submission that starts the case is still under way
    if request is None or request.case_id != case.id:
        raise InvalidInput(gettext("This case does not run that labelling request."))
    status = params.get("status")
    if status:
        request.status, request.updated_at = status, clock.now()
        if status == "labelled":
            request.labelled_at = clock.now()
        note_on_desk(request, case.id)
    if params.get("notice"):
        _notify(request, params["notice"], _audience(request))
    if params.get("secretariat_notice"):
        notify_secretariat(request, params["secretariat_notice"])
