"""Who may read and change a handover, and reading one: the rules every use case applies."""
from __future__ import annotations

from flask_babel import gettext

from service.errors import Forbidden, NotFound
from service.extensions import db
from service.models import Contact
from workflows import clock

from .models import Handover

READ_ALL = ("secretariat", "presidency")


def require_secretariat(actor: Contact) -> None:
    if not actor.has_role("secretariat"):
        raise Forbidden(gettext("Only the Secretariat may do this."))


def is_incoming(handover: Handover, actor: Contact) -> bool:
    """A focal point (or presidency contact) of the incoming Presidency."""
    return bool(handover.incoming_partner_code) and actor.partner_code == handover.incoming_partner_code \
        and actor.has_role("partner", "presidency")


def is_outgoing(handover: Handover, actor: Contact) -> bool:
    """A presidency contact (or focal point) of the outgoing Presidency: still one after the
    SOM, when the `presidency` role has moved on, for the summary of its own term."""
    return actor.partner_code == handover.outgoing_partner_code and actor.has_role("presidency", "partner")


def may_read(handover: Handover, actor: Contact) -> bool:
    return actor.has_role(*READ_ALL) or is_incoming(handover, actor) or is_outgoing(handover, actor)


def get(handover_id: int, actor: Contact) -> Handover:
    """The handover, if the actor may see it (otherwise it does not exist for them)."""
    handover = db.session.get(Handover, handover_id)
    if handover is None or not may_read(handover, actor):
        raise NotFound(gettext("No presidency handover %(number)s.", number=handover_id))
    return handover


def touch(handover: Handover) -> None:
    """Mark the handover changed: its version makes a concurrent change fail instead of mixing."""
    handover.updated_at = clock.now()
