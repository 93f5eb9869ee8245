"""The handover checklist: the Secretariat's tasks with their due dates, ticked with who and
when, and the reminders of the undone ones.

The reminders are timers of the handover's case: the case waits on the next instant of
`reminder_plan` (each undone task's due date at 09:00 in the SOM's time zone, then again
after each offset of `HANDOVER_CHECKLIST_REMINDERS`); a changed task sends the case the new
plan, and the last task ticked tells it the checklist is done.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from service import cases
from service.errors import Conflict, InvalidInput, NotFound
from service.extensions import db
from service.models import Case, Contact
from service.unit_of_work import use_case
from workflows import clock

from .models import CHECKLIST, ChecklistItem, Handover
from .access import get, require_secretariat, touch

TITLES = {
    "briefing": _l("Brief the incoming Presidency (files, calendar, contacts at the Secretariat)"),
    "contacts_list": _l("Hand over the list of contacts and focal points"),
    "website": _l("Update the website and the publications with the new Presidency"),
    "archives": _l("Archive the outgoing Presidency's documents"),
}
#: The hour of its due date at which a task is recalled, in the SOM's time zone.
REMINDER_HOUR = time(9)
MAX_ITEMS = 50


@dataclass(frozen=True)
class PlannedItem:
    key: str
    due_date: date


def default_items(som_date: date, opening_day: date) -> list[PlannedItem]:
    """The standard tasks, due relative to the SOM (none before the day the handover opens)."""
    return [PlannedItem(key, max(som_date + timedelta(days=days), opening_day)) for key, days in CHECKLIST]


def _offsets() -> list[str]:
    return [o.strip() for o in current_app.config["HANDOVER_CHECKLIST_REMINDERS"].split(",") if o.strip()]


def reminder_instants(due_date: date, zone: str) -> list[datetime]:
    """When an undone task due on `due_date` is recalled, earliest first."""
    due = clock.local_to_utc(datetime.combine(due_date, REMINDER_HOUR), zone)
    return sorted({due + clock.duration(offset, due) for offset in _offsets()})


def reminder_plan(items: Iterable, zone: str, after: datetime | None = None) -> list[str]:
    """The instants (ISO, UTC, ascending) at which undone items are recalled, later than `after`."""
    instants = {t for item in items if getattr(item, "done_at", None) is None
                for t in reminder_instants(item.due_date, zone) if after is None or t > after}
    return [t.isoformat() for t in sorted(instants)]


def create_items(handover: Handover) -> list[ChecklistItem]:
    """The standard tasks of a handover that opens now (inside the caller's unit of work)."""
    items = [ChecklistItem(handover_id=handover.id, position=number, key=planned.key, due_date=planned.due_date,
                           reminders_sent=0)
             for number, planned in enumerate(default_items(handover.som_date, _today(handover)), start=1)]
    db.session.add_all(items)
    return items


def _today(handover: Handover) -> date:
    from zoneinfo import ZoneInfo

    return clock.now().astimezone(ZoneInfo(handover.som_timezone)).date()


def items_of(handover_id: int) -> list[ChecklistItem]:
    return list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.handover_id == handover_id)
                                   .order_by(ChecklistItem.due_date, ChecklistItem.position)))


def due_reminders(handover: Handover) -> list[ChecklistItem]:
    """The undone items whose next reminder has come (each counted as sent)."""
    now = clock.now()
    due = []
    for item in items_of(handover.id):
        if item.done_at is not None:
            continue
        passed = sum(1 for t in reminder_instants(item.due_date, handover.som_timezone) if t <= now)
        if passed > item.reminders_sent:
            item.reminders_sent = passed
            due.append(item)
    return due


def title(item: ChecklistItem) -> str:
    return item.title or str(TITLES.get(item.key, item.key))


# Use cases -----------------------------------------------------------------------------------

def _working(handover_id: int, actor: Contact) -> Handover:
    require_secretariat(actor)
    handover = get(handover_id, actor)
    if handover.status not in ("open", "passed"):
        raise Conflict(gettext("The checklist exists once the handover is open."))
    items = items_of(handover.id)
    if items and all(item.done_at for item in items):
        raise Conflict(gettext("Every task of the checklist is ticked: the checklist is complete."))
    return handover


def _replan(handover: Handover, actor: Contact) -> None:
    plan = reminder_plan(items_of(handover.id), handover.som_timezone, after=clock.now())
    cases.send_message(db.session.get(Case, handover.case_id), "handover_checklist_changed", {"reminders": plan},
                       actor)


def _item(handover: Handover, item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.handover_id != handover.id:
        raise NotFound(gettext("No task %(number)s in this checklist.", number=item_id))
    return item


def follow_som(handover: Handover, moved_by: timedelta, actor) -> None:
    """The SOM moved: the standard tasks not done yet move with it (inside the caller's unit
    of work), and the reminders are planned again."""
    items = items_of(handover.id)
    if not items or all(item.done_at for item in items):
        return
    today = _today(handover)
    for item in items:
        if item.done_at is None and item.key != "custom":
            item.due_date, item.reminders_sent = max(item.due_date + moved_by, today), 0
    db.session.flush()
    _replan(handover, actor)


@use_case
def add_item(handover_id: int, data: dict, actor: Contact) -> ChecklistItem:
    """A task of the Secretariat's own, with its due date."""
    handover = _working(handover_id, actor)
    if len(items_of(handover.id)) >= MAX_ITEMS:
        message = gettext("A checklist has at most %(count)s tasks.", count=MAX_ITEMS)
        raise InvalidInput(message, {"title": [message]})
    position = (db.session.scalar(select(func.max(ChecklistItem.position))
                                  .where(ChecklistItem.handover_id == handover.id)) or 0) + 1
    item = ChecklistItem(handover_id=handover.id, position=position, key="custom", title=data["title"],
                         due_date=data["due_date"], reminders_sent=0)
    db.session.add(item)
    db.session.flush()
    touch(handover)
    _replan(handover, actor)
    return item


@use_case
def change_item(handover_id: int, item_id: int, data: dict, actor: Contact) -> ChecklistItem:
    """A new due date (or title) for an undone task; its reminders follow the new date."""
    handover = _working(handover_id, actor)
    item = _item(handover, item_id)
    if item.done_at is not None:
        raise Conflict(gettext("This task is already ticked."))
    if "title" in data:
        item.title = data["title"]
    if "due_date" in data and data["due_date"] != item.due_date:
        item.due_date, item.reminders_sent = data["due_date"], 0
    db.session.flush()
    touch(handover)
    _replan(handover, actor)
    return item


@use_case
def tick(handover_id: int, item_id: int, data: dict, actor: Contact) -> ChecklistItem:
    """Tick a task done, with who and when; the last one ends the checklist's reminders."""
    handover = _working(handover_id, actor)
    item = _item(handover, item_id)
    if item.done_at is not None:
        raise Conflict(gettext("This task was already ticked by %(who)s.", who=item.done_by.email if item.done_by else "?"))
    item.done_at, item.done_by_id, item.note = clock.now(), actor.id, data.get("note") or None
    touch(handover)  # two last ticks at once: one is refused, so the checklist ends once
    db.session.flush()
    if all(i.done_at for i in items_of(handover.id)):
        cases.send_message(db.session.get(Case, handover.case_id), "handover_checklist_done", {"by": actor.email}, actor)
    return item
