"""Deadlines in one's own calendar: the feed's secret address (made, shown once, revoked), the
feed itself, and each deadline as an `.ics` file."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask_babel import force_locale, gettext

from notifications.ics import deadline_feed
from workflows import clock

from .. import calendar
from ..extensions import db
from ..models import DeskLine
from . import signed_in

bp = Blueprint("calendar_pages", __name__)


def _summary(line: DeskLine) -> str:
    procedure = next((p for p in current_app.extensions["procedures"] if p.name == line.procedure), None)
    kind = str(procedure.title) if procedure else line.procedure
    return gettext("Deadline (%(procedure)s): %(title)s", procedure=kind, title=line.title)


def _ics(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.route("/calendar")
@signed_in()
def calendar_page(contact):
    return render_template("calendar.html", has_feed=calendar.has_feed(contact), feed_url=None,
                           deadlines=calendar.deadlines(contact))


@bp.route("/calendar/new", methods=["POST"])
@signed_in()
def new_feed(contact):
    """A new secret address (the previous one stops working); shown once, on this page."""
    token = calendar.issue_feed(contact)
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("calendar_pages.feed", token=token)
    return render_template("calendar.html", has_feed=True, feed_url=url, deadlines=calendar.deadlines(contact))


@bp.route("/calendar/revoke", methods=["POST"])
@signed_in()
def revoke(contact):
    calendar.revoke_feed(contact)
    return redirect(url_for("calendar_pages.calendar_page"))


@bp.route("/calendar/<token>.ics")
def feed(token):
    """The feed, for a calendar application: whoever has the secret address reads it."""
    contact = calendar.contact_for_feed(token)
    if contact is None:
        abort(404)
    with force_locale(contact.language):
        events = [calendar.event(line, _summary) for line in calendar.deadlines(contact)]
        name = gettext("Rabat Process deadlines")
    return _ics(deadline_feed(name=name, events=events, stamp=clock.now()), "deadlines.ics")


@bp.route("/calendar/deadline/<int:case_id>/<procedure>.ics")
@signed_in()
def one_deadline(contact, case_id, procedure):
    """One deadline that concerns the reader, as a file to add to a calendar."""
    line = db.session.get(DeskLine, (case_id, procedure[:40]))
    if line is None or line.deadline_at is None or line not in calendar.deadlines(contact):
        abort(404)
    return _ics(deadline_feed(name=gettext("Rabat Process deadlines"), events=[calendar.event(line, _summary)],
                              stamp=clock.now()), f"deadline-{case_id}.ics")
