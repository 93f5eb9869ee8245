"""The page of one case, whatever its procedure: its diagram with where it stands, its
timeline (every audit entry: who, what, when) and the e-mails it sent with their delivery."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext, lazy_gettext as _l, pgettext
from sqlalchemy import select

from notifications.models import OutboxMessage
from workflows import diagram

from .. import cases
from ..extensions import db
from ..models import AuditEntry
from ..terms import ROLE_NAMES
from . import signed_in

bp = Blueprint("case_pages", __name__)

#: What an audit entry's action says.
ACTIONS = {
    "case_started": _l("case started"),
    "task_completed": _l("task completed"),
    "message_received": _l("message received"),
    "timer_fired": _l("deadline or reminder reached"),
    "engine_stalled": _l("incident: the engine stopped with no open task and no end"),
}
STATE_WORDS = {"finished": _l("done"), "current": _l("now"), "waiting": _l("ahead")}
TIMELINE_LIMIT = 500


def _diagram(case) -> str:
    """The case's process drawn with its finished, current and waiting elements."""
    version = case.process_version
    source = version.sources.get(version.filename)
    if source is None:
        return ""
    finished = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.case_id == case.id, AuditEntry.action == "task_completed")).all()
    done = {entry.get("task") for entry in finished if isinstance(entry, dict) and entry.get("task")}
    states = diagram.element_states(cases.workflow_for_reading(case), done)
    words = {state: str(word) for state, word in STATE_WORDS.items()}
    return diagram.render_svg(source, states, label=_label, state_words=words, title=gettext("Diagram of the process"))


def _label(name: str) -> str:
    """An element's name in the reader's language (a lane is named by its role)."""
    if not name:
        return ""
    return str(ROLE_NAMES[name]) if name in ROLE_NAMES else pgettext("bpmn", name)


@bp.route("/cases/<int:case_id>")
@signed_in()
def case_page(contact, case_id):
    case = cases.get_case(case_id)
    if not cases.may_read_case(case, contact):
        abort(404)
    timeline = db.session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id)
                                  .order_by(AuditEntry.at, AuditEntry.id).limit(TIMELINE_LIMIT)).all()
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                               .order_by(OutboxMessage.id).limit(TIMELINE_LIMIT)).all()
    definition = cases.registry().get(case.process_id)
    return render_template("case.html", case=case, timeline=timeline, mails=mails, actions=ACTIONS,
                           tasks=cases.open_tasks(case.id), svg=_diagram(case),
                           process_name=definition.name if definition else case.process_id)
