"""The Secretariat's desk: every open matter of every procedure, deadlines first, filtered and
paginated in SQL; the people of other roles see their own to-do list."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from marshmallow import ValidationError

from forms.training import ClockForm
from sqlalchemy import select

from .. import desk, health, training_clock
from ..errors import ServiceError
from ..extensions import db
from ..models import Partner
from . import signed_in

bp = Blueprint("desk_pages", __name__)

DESK_ROLES = ("secretariat", "presidency")


def filters_from(args) -> dict:
    """The desk's filters from a query string; what is not a known value is left out."""
    procedures = {p.name for p in current_app.extensions["procedures"]}
    found = {}
    if args.get("procedure") in procedures:
        found["procedure"] = args["procedure"]
    status = (args.get("status") or "").strip()
    if status and len(status) <= 40:
        found["status"] = status
    partner = (args.get("partner") or "").strip().upper()
    if partner and len(partner) <= 20:
        found["partner"] = partner
    domain = args.get("domain", type=int)
    if domain and 0 < domain < 100:
        found["domain"] = domain
    return found


@bp.route("/desk/clock", methods=["POST"])
@signed_in("secretariat")
def move_clock(contact):
    """A training installation: move the clock forward, everything due fires on the way."""
    try:
        data = ClockForm().load({"duration": request.form.get("duration", "")})
        moved = training_clock.advance(data["delta"], contact)
    except ValidationError as error:
        flash(" ".join(error.messages.get("duration", [])), "error")
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(ngettext("The clock moved forward; %(num)d case moved on.",
                       "The clock moved forward; %(num)d cases moved on.", moved), "notice")
    return redirect(url_for("desk_pages.desk_page"))


@bp.route("/desk")
@signed_in(*DESK_ROLES)
def desk_page(contact):
    filters = filters_from(request.args)
    after = request.args.get("after") or None
    page = desk.lines(**filters, after=after[:200] if after else None, limit=current_app.config["PAGE_SIZE"])
    procedures = {p.name: p for p in current_app.extensions["procedures"]}
    partners = db.session.scalars(select(Partner).order_by(Partner.code)).all()
    next_url = url_for("desk_pages.desk_page", **filters, after=page.next_after) if page.next_after else None
    return render_template("desk.html", page=page, filters=filters, procedures=procedures,
                           partners=partners, counts=desk.counts(), next_url=next_url,
                           movable_clock=training_clock.movable(),
                           health=health.report() if contact.has_role("secretariat") else None)
