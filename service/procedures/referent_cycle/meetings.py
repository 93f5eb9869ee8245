"""Thematic meetings held: records of their own (co-chairs, dates, place, participants and
countries, conclusions, documents, the objectives and actions served), and their evaluation
questionnaire, sent to participants by e-mailed single-use links, answered anonymously and
summed up on the meeting's record ("90 participants from 34 countries; 9 of 10 answers say it
met their expectations").
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from notifications.outbox import queue_email
from service import links, reference
from service.errors import Conflict, InvalidInput, NotFound
from service.extensions import db
from service.models import ActionLink, ActionPlan, Contact, Domain, is_row_id
from service.unit_of_work import use_case, with_retries
from workflows import clock

from . import coverage
from .models import (MeetingEvaluation, ReferentCycle, ThematicMeeting, ThematicMeetingCoChair,
                     ThematicMeetingDocument)
from .use_cases import require_secretariat

SUBJECT = "thematic_meeting"
EVALUATION_PURPOSE = "thematic_meeting_evaluation"


def get(meeting_id: int, actor: Contact) -> ThematicMeeting:
    """A meeting's record: any signed-in contact may read it (its answers are anonymous)."""
    meeting = db.session.get(ThematicMeeting, meeting_id) if is_row_id(meeting_id) else None
    if meeting is None or actor is None:
        raise NotFound(gettext("No thematic meeting %(number)s.", number=meeting_id))
    return meeting


def visible(*, domain: int | None = None, partner: str | None = None, year: int | None = None,
            cycle_id: int | None = None, page: int = 1, per_page: int = 20) -> tuple[list[ThematicMeeting], int]:
    query = select(ThematicMeeting)
    if cycle_id:
        query = query.where(ThematicMeeting.cycle_id == cycle_id)
    if domain:
        query = query.where(ThematicMeeting.cycle_id.in_(
            select(ReferentCycle.id).join(Domain, Domain.id == ReferentCycle.domain_id).where(Domain.number == domain)))
    if partner:
        query = query.where(ThematicMeeting.id.in_(
            select(ThematicMeetingCoChair.meeting_id).where(ThematicMeetingCoChair.partner_code == partner)))
    if year:
        query = query.where(ThematicMeeting.start_date >= date(year, 1, 1), ThematicMeeting.start_date <= date(year, 12, 31))
    page = min(max(page, 1), 100_000)  # an absurd page number reads an empty page, not an error
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(ThematicMeeting.start_date.desc(), ThematicMeeting.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


@use_case
def record(data: dict, actor: Contact) -> ThematicMeeting:
    """Record a meeting held (parsed by `forms.referent_cycle.ThematicMeetingForm`)."""
    require_secretariat(actor)
    cycle = None
    if data.get("cycle_id") is not None:
        cycle = db.session.get(ReferentCycle, data["cycle_id"])
        if cycle is None:
            message = gettext("No referent cycle %(number)s.", number=data["cycle_id"])
            raise InvalidInput(message, {"cycle_id": [message]})
    plan_code = cycle.action_plan_code if cycle else data.get("action_plan") or reference.current_plan().code
    if db.session.get(ActionPlan, plan_code) is None:
        message = gettext("Unknown Action Plan: %(code)s.", code=plan_code)
        raise InvalidInput(message, {"action_plan": [message]})
    errors: dict = {}
    refs = coverage.Resolver(plan_code).refs(data, errors)
    if errors:
        raise InvalidInput(gettext("Some answers cannot be used."), errors)
    now = clock.now()
    meeting = ThematicMeeting(title=data["title"], action_plan_code=plan_code, cycle_id=cycle.id if cycle else None,
                              start_date=data["start_date"], end_date=data.get("end_date") or data["start_date"],
                              place=data["place"], participants=data["participants"], countries=data["countries"],
                              conclusions=data["conclusions"], recorded_by_id=actor.id, recorded_at=now)
    meeting.co_chair_rows = [ThematicMeetingCoChair(partner_code=code, position=i)
                             for i, code in enumerate(dict.fromkeys(data["co_chairs"]))]
    meeting.documents = [ThematicMeetingDocument(
        filename=d["filename"], content_type=d["content_type"], size=len(d["content"]),
        sha256=hashlib.sha256(d["content"]).hexdigest(), content=d["content"], uploaded_at=now)
        for d in data.get("documents") or []]
    db.session.add(meeting)
    db.session.flush()
    coverage.replace(meeting_id=meeting.id, refs={None: refs})
    return meeting


# The evaluation questionnaire -----------------------------------------------------------------

def _participant(email: str, name: str, language: str) -> Contact:
    """The participant's contact (a new one, without any role, when the address is new)."""
    contact = db.session.scalar(select(Contact).where(Contact.email == email.strip().lower()))
    if contact is None:
        contact = Contact(email=email.strip().lower(), name=name or "", language=language, active=True,
                          created_at=clock.now())
        db.session.add(contact)
        db.session.flush()
    return contact


@use_case
def send_evaluation(meeting_id: int, participants: list[dict], actor: Contact) -> int:
    """E-mail the questionnaire to the participants: one single-use link each, open for
    `THEMATIC_MEETING_EVALUATION_PERIOD`. A participant already asked is not asked again.
    Returns how many were asked now."""
    require_secretariat(actor)
    meeting = get(meeting_id, actor)
    now = clock.now()
    until = now + clock.duration(current_app.config["THEMATIC_MEETING_EVALUATION_PERIOD"], now)
    meeting.evaluation_until = max(meeting.evaluation_until or until, until)
    asked = set(db.session.scalars(select(ActionLink.contact_id).where(
        ActionLink.subject_type == SUBJECT, ActionLink.subject_id == meeting.id)))
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    sent = 0
    for person in participants:
        contact = _participant(person["email"], person.get("name", ""), person.get("language", "en"))
        if contact.id in asked or not contact.active:
            continue
        asked.add(contact.id)
        link = links.create(SUBJECT, meeting.id, contact.id, EVALUATION_PURPOSE, expires_at=until)
        db.session.flush()
        queue_email(template="thematic_meeting_evaluation", to_email=contact.email, to_name=contact.name,
                    language=contact.language, values={
                        "name": contact.name or contact.email, "meeting": meeting, "until": until,
                        "link_url": links.url(link), "meeting_url": f"{base}/thematic-meetings/{meeting.id}"})
        sent += 1
    return sent


@dataclass(frozen=True)
class Receipt:
    recorded: bool
    reason: str | None = None  # already_used, closed
    replay: bool = False


def link_state(link: ActionLink) -> str | None:
    if link.used_at is not None:
        return "already_used"
    if links.state(link) is not None:
        return "closed"
    return None


def answer(link_id: int, values: dict) -> Receipt:
    return with_retries(_answer, link_id, values)


@use_case
def _answer(link_id: int, values: dict) -> Receipt:
    """One answer per link; kept without the link, the contact or the time (anonymous)."""
    link = db.session.get(ActionLink, link_id)
    if link.used_at is not None:
        return Receipt(link.outcome == "answered", replay=True)
    state = link_state(link)
    if state is not None:
        return Receipt(False, state)
    if not links.claim(link, "answered"):
        raise Conflict(gettext("This link was used at the same moment by another request."))
    db.session.add(MeetingEvaluation(id=uuid.uuid4().hex, meeting_id=link.subject_id,
                                     met_expectations=values["met_expectations"], usefulness=values["usefulness"],
                                     recommendations=(values.get("recommendations") or "").strip()))
    return Receipt(True)


def summary(meeting: ThematicMeeting) -> dict:
    """The evaluation's results, anonymous: counts, the average usefulness, the recommendations."""
    return summaries([meeting])[meeting.id]


def summaries(meetings: list[ThematicMeeting]) -> dict[int, dict]:
    """The summaries of a page of meetings, in two queries."""
    ids = [m.id for m in meetings]
    answers: dict[int, list] = {i: [] for i in ids}
    for meeting_id, met, useful, recommendations in db.session.execute(
            select(MeetingEvaluation.meeting_id, MeetingEvaluation.met_expectations, MeetingEvaluation.usefulness,
                   MeetingEvaluation.recommendations).where(MeetingEvaluation.meeting_id.in_(ids))):
        answers[meeting_id].append((met, useful, recommendations))
    asked = dict(db.session.execute(select(ActionLink.subject_id, func.count(ActionLink.id)).where(
        ActionLink.subject_type == SUBJECT, ActionLink.subject_id.in_(ids)).group_by(ActionLink.subject_id)).all())
    result = {}
    for meeting in meetings:
        given = answers[meeting.id]
        count = len(given)
        result[meeting.id] = {
            "participants": meeting.participants, "countries": meeting.countries, "asked": asked.get(meeting.id, 0),
            "answers": count, "met_expectations": sum(1 for a in given if a[0] == "yes"),
            "partly": sum(1 for a in given if a[0] == "partly"),
            "usefulness_average": round(sum(a[1] for a in given) / count, 1) if count else None,
            # Sorted, so their order says nothing of who answered when.
            "recommendations": sorted(a[2] for a in given if a[2]),
        }
    return result
