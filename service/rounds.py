"""One round of the background work: fire the timers due now, deliver the e-mail due now."""
from __future__ import annotations

from notifications import sender

from . import timers


def run(owner: str, leases=None) -> tuple[int, int]:
    """(cases moved, e-mails sent); inside an app context. `leases`: the scheduler's claims."""
    return timers.fire_due(owner, leases), sender.deliver_due(owner=owner, leases=leases)
