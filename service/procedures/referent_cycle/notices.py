"""The referent cycle's e-mails, and the `referent_cycle_update` operation through which the BPMN
moves the cycle's status and tells the referents, the Secretariat and the Presidency.

Audiences: the cycle's focal points (contacts with role `referent` or `partner` of its
referent partners); the Secretariat; the current Presidency's contacts (role `presidency` of
the partner holding the Presidency today, from the reference data).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import or_, select

from notifications.outbox import queue_email
from service import desk, links
from service.errors import InvalidInput
from service.extensions import db
from service.models import Case, CommitteeMember, Contact, ContactRole, Partner, Presidency, is_row_id
from workflows import clock

from .content import form_values
from .models import ReferentCycle, ReferentDeliverable

FOCAL_ROLES = ("referent", "partner")
#: Notices that tell the referents of something they must do or know.
TO_REFERENTS = ("opened", "reminder", "escalation", "overdue", "roadmap_revision", "roadmap_accepted",
                "roadmap_missing", "report_requested", "report_revision", "report_accepted", "report_missing",
                "roadmap_comment")
#: Notices the Secretariat (and, for an escalation, the current Presidency) receive too.
TO_OFFICE = ("escalation", "roadmap_missing", "report_missing")


def focal_points(cycle: ReferentCycle) -> list[Contact]:
    return list(db.session.scalars(
        select(Contact).where(Contact.active.is_(True), Contact.partner_code.in_(cycle.partner_codes),
                              Contact.id.in_(select(ContactRole.contact_id).where(ContactRole.role.in_(FOCAL_ROLES))))
        .order_by(Contact.partner_code, Contact.email)))


def secretariat() -> list[Contact]:
    return list(db.session.scalars(select(Contact).join(ContactRole).where(
        ContactRole.role == "secretariat", Contact.active.is_(True)).order_by(Contact.email)))


def current_presidency() -> str | None:
    """The partner holding the Presidency today (reference data), if known."""
    today = clock.now().date()
    return db.session.scalar(select(Presidency.partner_code).where(
        or_(Presidency.start.is_(None), Presidency.start <= today),
        or_(Presidency.end.is_(None), Presidency.end > today)).order_by(Presidency.start.desc()).limit(1))


def presidency_contacts() -> list[Contact]:
    code = current_presidency()
    if code is None:
        return []
    return list(db.session.scalars(select(Contact).join(ContactRole).where(
        ContactRole.role == "presidency", Contact.partner_code == code, Contact.active.is_(True))
        .order_by(Contact.email)))


def cycle_url(cycle: ReferentCycle) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/referent-cycles/{cycle.id}"


def _mail(cycle: ReferentCycle, deliverable: ReferentDeliverable, notice: str, contacts, **values) -> None:
    last_review = deliverable.reviews[-1] if deliverable.reviews else None
    due = cycle.roadmap_due_at if deliverable.kind == "roadmap" else cycle.report_due_at
    told: set[int] = set()
    for contact in contacts:
        if contact.id in told:
            continue
        told.add(contact.id)
        queue_email(template="referent_cycle_notice", to_email=contact.email, to_name=contact.name,
                    language=contact.language, case_id=cycle.case_id, values={
                        "notice": notice, "name": contact.name or contact.email, "cycle": cycle,
                        "deliverable": deliverable.kind, "due": due, "comment": last_review.comment if last_review else "",
                        "submitted_by": deliverable.submitted_by.email if deliverable.submitted_by else "",
                        "url": cycle_url(cycle), "office": False, "comment_text": "", "commenter": "", **values})


def tell(cycle: ReferentCycle, deliverable: ReferentDeliverable, notice: str) -> None:
    """A notice of the process to whom it concerns (referents, and the office when overdue or missing)."""
    if notice in TO_REFERENTS:
        _mail(cycle, deliverable, notice, focal_points(cycle))
    if notice in TO_OFFICE:
        office = secretariat() + (presidency_contacts() if notice == "escalation" else [])
        _mail(cycle, deliverable, notice, office, office=True)


def tell_secretariat(cycle: ReferentCycle, deliverable: ReferentDeliverable, notice: str) -> None:
    _mail(cycle, deliverable, notice, secretariat(), office=True)


def tell_referents_of_comment(cycle: ReferentCycle, deliverable: ReferentDeliverable, text: str,
                              member: str) -> None:
    _mail(cycle, deliverable, "roadmap_comment", focal_points(cycle), comment_text=text, commenter=member)


def _stale(next_at, now) -> bool:
    try:
        return next_at is not None and now >= datetime.fromisoformat(next_at)
    except (TypeError, ValueError):
        return False


#: Whose move it is in each open status, and which deliverable's due date is the deadline.
WAITING_ON = {"roadmap_due": ("referent", "roadmap"), "roadmap_revision": ("referent", "roadmap"),
              "roadmap_submitted": ("secretariat", None), "report_due": ("referent", "report"),
              "report_revision": ("referent", "report"), "report_submitted": ("secretariat", None),
              "roadmap_accepted": (None, "report"), "roadmap_missing": (None, "report")}


def note_on_desk(cycle: ReferentCycle, case_id: int) -> None:
    """The cycle's line on the Secretariat's desk: its next due date and whose move it is."""
    waiting_on, kind = WAITING_ON.get(cycle.status, (None, None))
    deadline = {"roadmap": cycle.roadmap_due_at, "report": cycle.report_due_at}.get(kind)
    title = f"{cycle.domain.number}. {cycle.domain.title_en} ({cycle.period_start.year}" + (
        f"-{cycle.period_end.year})" if cycle.period_end.year != cycle.period_start.year else ")")
    desk.note(case_id, "referent_cycle", cycle.id, title=title, status=cycle.status,
              path=f"/referent-cycles/{cycle.id}", open=cycle.status in WAITING_ON, deadline_at=deadline,
              deadline_timezone=cycle.timezone, waiting_on=waiting_on, domain_number=cycle.domain.number)


def update_from_process(case: Case, params: dict) -> None:
    """The `referent_cycle_update` operation: a step moves the cycle's status and sends its notice.

    Only the cycle's own case may speak of it (a generic process cannot take a cycle over)."""
    cycle = db.session.get(ReferentCycle, params["cycle_id"]) if is_row_id(params.get("cycle_id")) else None
    if cycle is not None and cycle.case_id is None and cycle.status == "roadmap_due" and params.get("notice") == "opened":
        cycle.case_id = case.id  # the opening that starts the case is still under way
    if cycle is None or cycle.case_id != case.id:
        raise InvalidInput(gettext("This case does not run that referent cycle."))
    kind = params.get("deliverable")
    if kind not in ("roadmap", "report"):
        raise InvalidInput(f"No deliverable {kind!r} in a referent cycle.")
    deliverable = cycle.deliverable(kind)
    now = clock.now()
    status = params.get("status")
    if status:
        cycle.status, cycle.updated_at = status, now
        if status in ("roadmap_accepted", "completed"):
            deliverable.status, deliverable.accepted_at = "accepted", now
        elif status.endswith("_revision"):
            deliverable.status = "revision_requested"
        elif status.endswith("_missing"):
            deliverable.status = "missing"
    note_on_desk(cycle, case.id)
    notice = params.get("notice")
    if notice in ("reminder", "overdue") and _stale(params.get("next_at"), now):
        return  # fired late (the scheduler was down): the next reminder is already due, send that one only
    if notice:
        tell(cycle, deliverable, notice)
    if status == "roadmap_accepted":
        invite_committee(cycle, deliverable)


# The Steering Committee's comments on an accepted roadmap ------------------------------------

STEERING_COMMITTEE = "steering-committee"
COMMENT_PURPOSE = "referent_roadmap_comment"
SUBJECT = "referent_cycle"


def committee_contacts() -> list[Contact]:
    """The contacts of the Steering Committee's members (observers are not members)."""
    members = select(CommitteeMember.partner_code).where(CommitteeMember.committee_code == STEERING_COMMITTEE)
    return list(db.session.scalars(
        select(Contact).join(Partner, Partner.code == Contact.partner_code)
        .where(Contact.active.is_(True), Partner.status == "partner", Contact.partner_code.in_(members),
               Contact.id.in_(select(ContactRole.contact_id).where(ContactRole.role == "committee-member")))
        .order_by(Contact.partner_code, Contact.email)))


def comment_link(cycle: ReferentCycle, deliverable: ReferentDeliverable, contact: Contact):
    link = links.create(SUBJECT, cycle.id, contact.id, COMMENT_PURPOSE, partner_code=contact.partner_code,
                        expires_at=deliverable.comments_until)
    db.session.flush()
    return link


def invite_committee(cycle: ReferentCycle, deliverable: ReferentDeliverable) -> None:
    """The accepted roadmap goes to every member's contact, with a link to comment within
    `REFERENT_COMMENT_PERIOD`."""
    now = clock.now()
    deliverable.comments_until = now + clock.duration(current_app.config["REFERENT_COMMENT_PERIOD"], now)
    roadmap = form_values(deliverable)
    for contact in committee_contacts():
        link = comment_link(cycle, deliverable, contact)
        queue_email(template="referent_roadmap_comment", to_email=contact.email, to_name=contact.name,
                    language=contact.language, case_id=cycle.case_id, values={
                        "name": contact.name or contact.email, "cycle": cycle, "roadmap": roadmap,
                        "until": deliverable.comments_until, "link_url": links.url(link)})
