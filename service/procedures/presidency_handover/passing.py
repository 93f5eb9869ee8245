"""At the SOM's date the Presidency passes.

The outgoing term ends on the SOM's date and the incoming one begins (the presidency timeline
the handover owns); the incoming Presidency's focal points gain the `presidency` role and the
outgoing Presidency's contacts lose it; notices and procedures launched from then on speak in
the incoming Presidency's name (a running procedure keeps the one it was launched under);
every contact is told, in their language; and the next term's handover is scheduled when the
programme gave the next SOM's date. All in the step of the SOM's timer, one commit.
"""
from __future__ import annotations

from flask_babel import force_locale, gettext
from sqlalchemy import select

from notifications.outbox import queue_email
from service.accounts import record, snapshot
from service.errors import InvalidInput
from service.extensions import db
from service.models import Contact, ContactRole, Presidency
from workflows import clock

from .models import Handover, Programme, RoleChange
from .notices import values
from .use_cases import schedule

ROLE = "presidency"


def _event(handover: Handover, language: str) -> str:
    with force_locale(language):
        if handover.som_place:
            return gettext("Senior Officials' Meeting, %(place)s", place=handover.som_place)
        return gettext("Senior Officials' Meeting")


def _move_roles(handover: Handover) -> list[RoleChange]:
    """Withdraw `presidency` from the outgoing Presidency's contacts, grant it to the incoming
    Presidency's focal points; each change is kept, by the handover and in the contact's history."""
    now, changes = clock.now(), []
    outgoing = db.session.scalars(select(Contact).join(ContactRole).where(
        ContactRole.role == ROLE, Contact.partner_code == handover.outgoing_partner_code)).all()
    for contact in outgoing:
        before = snapshot(contact)
        for row in [r for r in contact.role_rows if r.role == ROLE]:
            contact.role_rows.remove(row)
        changes.append(RoleChange(handover_id=handover.id, contact_id=contact.id, role=ROLE, change="withdrawn", at=now))
        record(contact, "handover", None, before, snapshot(contact))
    incoming = db.session.scalars(select(Contact).join(ContactRole).where(
        ContactRole.role == "partner", Contact.partner_code == handover.incoming_partner_code,
        Contact.active.is_(True))).all()
    for contact in incoming:
        if ROLE not in contact.roles:
            before = snapshot(contact)
            contact.role_rows.append(ContactRole(role=ROLE))
            changes.append(RoleChange(handover_id=handover.id, contact_id=contact.id, role=ROLE, change="granted", at=now))
            record(contact, "handover", None, before, snapshot(contact))
    db.session.add_all(changes)
    return changes


def pass_presidency(handover: Handover) -> Presidency:
    """The `passed` step of the handover's case (inside its unit of work)."""
    if handover.status != "open" or not handover.incoming_partner_code:
        raise InvalidInput(gettext("This handover cannot pass the Presidency (it is %(status)s).", status=handover.status))
    outgoing = handover.presidency
    programme = db.session.scalar(select(Programme).where(Programme.handover_id == handover.id))
    outgoing.end, outgoing.set_by_handover_id = handover.som_date, handover.id
    incoming = Presidency(partner_code=handover.incoming_partner_code, start=handover.som_date, end=None,
                          # The endorsed programme names the next SOM, where this term ends.
                          term_end=programme.next_som_date if programme and programme.status == "endorsed" else None,
                          title_en=handover.incoming_title_en, title_fr=handover.incoming_title_fr,
                          handover_event_en=_event(handover, "en"), handover_event_fr=_event(handover, "fr"),
                          set_by_handover_id=handover.id)
    db.session.add(incoming)
    db.session.flush()
    changes = _move_roles(handover)
    handover.status, handover.passed_at, handover.incoming_presidency_id = "passed", clock.now(), incoming.id
    db.session.flush()
    _tell_everyone(handover, changes)
    schedule(incoming, "scheduler")
    return incoming


def _tell_everyone(handover: Handover, changes: list[RoleChange]) -> None:
    granted = {c.contact_id for c in changes if c.change == "granted"}
    withdrawn = {c.contact_id for c in changes if c.change == "withdrawn"}
    told = values(handover)
    for contact in db.session.scalars(select(Contact).where(Contact.active.is_(True)).order_by(Contact.email)):
        queue_email(template="presidency_passed", to_email=contact.email, to_name=contact.name,
                    language=contact.language, case_id=handover.case_id,
                    values={**told, "name": contact.name or contact.email,
                            "granted": contact.id in granted, "withdrawn": contact.id in withdrawn})
