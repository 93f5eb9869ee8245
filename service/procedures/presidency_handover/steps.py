"""The `handover_update` operation: the steps of the handover's BPMN case move its rows and
tell people (opened, revision asked, programme endorsed, checklist reminder, passed, completed)."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from service import desk
from service.errors import InvalidInput
from service.extensions import db
from service.models import Case, Presidency, is_row_id
from workflows import clock

from .checklist import create_items, due_reminders, title
from .models import Handover, Programme
from .notices import focal_points, invite_incoming, presidency_contacts, secretariat, tell
from .passing import pass_presidency
from .results import create_summary
from .use_cases import schedule


def _opened(handover: Handover) -> None:
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
    if handover.incoming_presidency_id is not None:
        # Endorsed after the Presidency passed: its programme gives the end of its term.
        incoming = db.session.get(Presidency, handover.incoming_presidency_id)
        if incoming.end is None and incoming.term_end is None:
            incoming.term_end = programme.next_som_date
            schedule(incoming, "scheduler")
    tell(handover, "programme_endorsed", focal_points(handover.incoming_partner_code) + secretariat()
         + presidency_contacts(handover.outgoing_partner_code), programme=programme)


def _not_endorsed(handover: Handover) -> None:
    """Silence broken (or the procedure withdrawn): the programme waits for what follows."""
    programme = _programme(handover)
    programme.status = "submitted"
    tell(handover, "not_endorsed", secretariat(), programme=programme)


def _revision(handover: Handover) -> None:
    programme = _programme(handover)
    programme.status = "revision_requested"
    tell(handover, "revision_requested", focal_points(handover.incoming_partner_code), programme=programme)


def _checklist_reminder(handover: Handover) -> None:
    due = due_reminders(handover)
    if due:
        tell(handover, "checklist_reminder", secretariat(),
             items=[{"title": title(item), "due_date": item.due_date} for item in due])


def _completed(handover: Handover) -> None:
    handover.status, handover.completed_at = "completed", clock.now()


def _passed(handover: Handover) -> None:
    pass_presidency(handover)


STEPS = {"opened": _opened, "revision_requested": _revision, "programme_endorsed": _endorsed,
         "not_endorsed": _not_endorsed,
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
    note_on_desk(handover, case.id)


def note_on_desk(handover: Handover, case_id: int) -> None:
    """The handover's line on the Secretariat's desk: the SOM as its deadline while it is open."""
    title = f"{handover.outgoing_partner_code} → {handover.incoming_partner_code or '?'}"
    desk.note(case_id, "presidency_handover", handover.id, title=title, status=handover.status,
              path=f"/handovers/{handover.id}", open=handover.status in ("scheduled", "open"),
              deadline_at=handover.som_at if handover.status == "open" else None,
              deadline_timezone=handover.som_timezone, waiting_on="secretariat" if handover.status == "open" else None)
