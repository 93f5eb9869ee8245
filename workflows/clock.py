"""One clock for the whole application.

Everything that asks "what time is it" (the service layer, the scheduler, SpiffWorkflow's
timer evaluation) asks here, so tests and the simulation command can move time instead of
waiting for it. Times are timezone-aware and in UTC.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

_lock = threading.Lock()
_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, aware, in UTC."""
    frozen = _frozen
    if frozen is not None:
        return frozen
    return datetime.now(timezone.utc) + _offset


def freeze(at: datetime) -> None:
    """Stop the clock at `at` (aware); it moves again only through `advance` or `thaw`."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("the clock takes aware datetimes")
    with _lock:
        _frozen = at.astimezone(timezone.utc)


def advance(delta: timedelta) -> datetime:
    """Move the clock forward (frozen or running) and return the new instant."""
    global _frozen, _offset
    with _lock:
        if _frozen is not None:
            _frozen = _frozen + delta
        else:
            _offset = _offset + delta
    return now()


def thaw() -> None:
    """Let the clock run again from where it stands."""
    global _frozen, _offset
    with _lock:
        if _frozen is not None:
            _offset = _frozen - datetime.now(timezone.utc)
            _frozen = None


def reset() -> None:
    """Back to real time."""
    global _frozen, _offset
    with _lock:
        _frozen = None
        _offset = timedelta(0)


class _ClockedDatetime(datetime):
    """`datetime` whose `now()` reads the application clock.

    SpiffWorkflow's timer events call `datetime.now(timezone.utc)` inside their own module and
    take no clock parameter; this class stands in for `datetime` in that module only.
    """

    @classmethod
    def now(cls, tz=None):  # noqa: D102 - same contract as datetime.now
        current = now()
        return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)


def _install_in_spiffworkflow() -> None:
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockedDatetime


_install_in_spiffworkflow()


def duration(text: str, start: datetime | None = None) -> timedelta:
    """An ISO 8601 duration (e.g. `PT72H`, `P3D`) as a timedelta (months counted from `start`)."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    try:
        parsed = TimerEventDefinition.parse_iso_duration(text.strip())
    except Exception:
        raise ValueError(f"not an ISO 8601 duration: {text!r}") from None
    return TimerEventDefinition.get_timedelta_from_start(parsed, start or now())


class OutOfRange(ValueError):
    """A moment before the year 1 or after 9999 once turned into UTC."""


def local_to_utc(local: datetime, zone_name: str) -> datetime:
    """A wall-clock time in an IANA time zone, as an aware UTC instant.

    Refuses an unknown zone, a time that already carries an offset, a wall-clock time that
    does not exist in that zone (skipped when clocks go forward), and one whose instant falls
    outside the years 1 to 9999."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if local.tzinfo is not None:
        raise ValueError("give the local date and time without an offset, and the time zone apart")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone_name!r}") from None
    aware = local.replace(tzinfo=zone)
    try:
        instant = aware.astimezone(timezone.utc)
        back = instant.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        # E.g. 9999-12-31 23:00 twelve hours behind UTC falls after the last representable day.
        raise OutOfRange(f"{local:%Y-%m-%d %H:%M} in {zone_name} is beyond the dates the service can handle") from None
    if back != local:
        raise ValueError(f"{local:%Y-%m-%d %H:%M} does not exist in {zone_name} (the clocks change)")
    return instant


def set_offset(offset: timedelta) -> None:
    """Run the clock `offset` ahead of real time (the training clock, shared through the
    database, sets it in every process)."""
    global _offset
    with _lock:
        if _frozen is None:
            _offset = offset


def offset() -> timedelta:
    return _offset


def elapsed_now() -> datetime:
    """The instant for measuring how long a person has been away (sessions): the clock without
    the training offset, so that moving a training installation's clock signs nobody out."""
    frozen = _frozen
    if frozen is not None:
        return frozen
    return datetime.now(timezone.utc)
