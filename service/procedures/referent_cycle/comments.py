"""The Steering Committee's comments on an accepted roadmap: from the e-mailed link (one comment
per link; the page that thanks for it offers a new link) or through the API for a member's
signed-in contact, until `comments_until`. Kept with the roadmap, shown to the referents and
the Secretariat, sent to the referents; they never block anything.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from service import links
from service.errors import Conflict, Forbidden, InvalidInput
from service.extensions import db
from service.i18n import format_moment_with_zone
from service.models import ActionLink, Contact, is_row_id
from service.unit_of_work import use_case, with_retries
from workflows import clock

from . import notices
from .models import ReferentCycle, RoadmapComment


@dataclass(frozen=True)
class Receipt:
    """What happened to a comment sent from a link; `replay` when the link had acted before."""

    recorded: bool
    received_at: datetime
    reason: str | None = None  # already_used, closed
    replay: bool = False
    next_link: ActionLink | None = None


def cycle_of(link: ActionLink) -> ReferentCycle:
    return db.session.get(ReferentCycle, link.subject_id)


def link_state(link: ActionLink) -> str | None:
    """Why a comment link cannot act now (None if it can)."""
    if link.used_at is not None:
        return "already_used"
    roadmap = cycle_of(link).deliverable("roadmap")
    if roadmap.comments_until is None or clock.now() >= roadmap.comments_until or links.state(link) is not None:
        return "closed"
    return None


def comment_from_link(link_id: int, values: dict) -> Receipt:
    """A member's comment from the e-mailed link (parsed by the purpose's form)."""
    return with_retries(_from_link, link_id, values)


@use_case
def _from_link(link_id: int, values: dict) -> Receipt:
    link = db.session.get(ActionLink, link_id)
    if link.used_at is not None:
        comment = db.session.scalar(select(RoadmapComment).where(RoadmapComment.link_id == link.id))
        return Receipt(comment is not None, comment.received_at if comment else link.used_at,
                       None if comment else link.outcome, replay=True)
    now = clock.now()
    state = link_state(link)
    if state is not None:
        return Receipt(False, now, state)
    if not links.claim(link, "commented"):
        raise Conflict(gettext("This link was used at the same moment by another request."))
    cycle = cycle_of(link)
    _record(cycle, link.contact, link.partner_code, values["comment"], link.id)
    next_link = notices.comment_link(cycle, cycle.deliverable("roadmap"), link.contact)
    return Receipt(True, now, next_link=next_link)


def _record(cycle: ReferentCycle, contact: Contact, member: str | None, text: str, link_id: int | None) -> RoadmapComment:
    comment = RoadmapComment(cycle_id=cycle.id, contact_id=contact.id, partner_code=member, link_id=link_id,
                             text=text, received_at=clock.now())
    db.session.add(comment)
    notices.tell_referents_of_comment(cycle, cycle.deliverable("roadmap"), text, member or contact.email)
    return comment


@use_case
def post(cycle_id: int, text: str, actor: Contact) -> RoadmapComment:
    """A comment through the API, from a signed-in contact of a Steering Committee member."""
    if actor not in notices.committee_contacts():
        raise Forbidden(gettext("Only the contacts of the Steering Committee's members may comment on a roadmap."))
    cycle = db.session.get(ReferentCycle, cycle_id) if is_row_id(cycle_id) else None
    roadmap = cycle.deliverable("roadmap") if cycle is not None else None
    if roadmap is None or roadmap.comments_until is None:
        raise Conflict(gettext("This roadmap is not open to comments (it has not been accepted)."))
    if clock.now() >= roadmap.comments_until:
        message = gettext("The comment period ended on %(moment)s: comments are no longer taken.",
                          moment=format_moment_with_zone(roadmap.comments_until, cycle.timezone))
        raise InvalidInput(message, {"comment": [message]})
    return _record(cycle, actor, actor.partner_code, text, None)


def of_cycle(cycle: ReferentCycle) -> list[RoadmapComment]:
    """The comments on a cycle's roadmap (whoever reads the cycle reads them)."""
    return list(db.session.scalars(select(RoadmapComment).where(RoadmapComment.cycle_id == cycle.id)
                                   .order_by(RoadmapComment.received_at, RoadmapComment.id)))
