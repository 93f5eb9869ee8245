"""Server-rendered pages: sign-in, home, and the development page of captured e-mail."""
from __future__ import annotations

import functools
from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import default_exceptions
from sqlalchemy import select

from notifications.models import OutboxMessage
from workflows import clock

from .. import cases, sessions
from ..accounts import check_password
from ..extensions import db
from ..i18n import current_language, partner_timezone
from ..models import Contact, Partner


HOME_TASKS = 100

bp = Blueprint("web", __name__)


def current_contact() -> Contact | None:
    """The contact signed in to this browser (a server-side session), or None."""
    return sessions.current()


def signed_in(*roles: str):
    """Decorator for pages of signed-in contacts (with one of `roles`, if given); the view
    receives the contact first. Not signed in: to the sign-in page; wrong role: 403."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            contact = current_contact()
            if contact is None:
                return redirect(url_for("web.sign_in"))
            if roles and not contact.has_role(*roles):
                abort(403)
            return view(contact, *args, **kwargs)

        return wrapped

    return decorate


ERROR_TITLES = {
    400: _l("The request could not be read"),
    403: _l("Access refused"),
    404: _l("Page not found"),
    405: _l("Not allowed here"),
    409: _l("Changed in the meantime"),
    422: _l("The data cannot be used"),
    500: _l("Unexpected error"),
}
ERROR_MESSAGES = {
    400: _l("The request could not be read. Go back, and try again."),
    403: _l("Your account may not open this page."),
    404: _l("There is nothing at this address. Check the link, or start from the home page."),
    405: _l("This address does not take this kind of request."),
    409: _l("Someone else changed this in the meantime. Reload the page and try again."),
    422: _l("The data sent cannot be used. Go back, correct it and try again."),
    500: _l("An unexpected error occurred; nothing was changed."),
}


def error_page(status: int, message: str | None):
    """The error page, in the reader's language (Werkzeug's English descriptions are replaced)."""
    default = default_exceptions.get(status)
    if not message or (default is not None and message == default.description):
        message = ERROR_MESSAGES.get(status, ERROR_MESSAGES[500])
    title = ERROR_TITLES.get(status) or gettext("Error %(status)s", status=status)
    return render_template("error.html", status=status, title=title, message=message), status


@bp.route("/")
def home():
    """The Secretariat's home is its desk, deadlines first; others see their own to-do list."""
    contact = current_contact()
    if contact is not None and contact.has_role("secretariat"):
        return redirect(url_for("desk_pages.desk_page"))
    tasks = cases.list_tasks(contact)[:HOME_TASKS] if contact else []
    return render_template("home.html", tasks=tasks)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        return render_template("sign_in.html")
    email = (request.form.get("email") or "").strip()
    password = request.form.get("password") or ""
    contact = check_password(email, password) if email and password else None
    if contact is None:
        return render_template("sign_in.html", error=gettext("Unknown e-mail address or wrong password."),
                               email=email), 401
    sessions.begin(contact)
    return redirect(url_for("web.home"))


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    sessions.end()
    return redirect(url_for("web.home"))


@bp.route("/outbox")
@signed_in("secretariat")
def failing_mail(contact):
    """E-mails that could not be delivered yet, for the Secretariat to see and act on."""
    failing = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "pending", OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.created_at)).all()
    return render_template("outbox.html", failing=failing)


@bp.route("/dev/mail")
def outgoing_mail():
    """Captured e-mail, newest first: only while e-mail is captured rather than sent, and only
    for the Secretariat (the messages hold live action links)."""
    if current_app.config["MAIL_DELIVERY"] != "capture":
        abort(404)
    contact = current_contact()
    if contact is None:
        return redirect(url_for("web.sign_in"))
    if not contact.has_role("secretariat"):
        abort(403)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("outgoing_mail.html", messages=messages)


def _other_language_url() -> str:
    """This page in the other language: the same address, the same query (a list's filters and
    page), only `lang` changed."""
    other = "en" if current_language() == "fr" else "fr"
    kept = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    return request.script_root + request.path + "?" + urlencode(kept + [("lang", other)])


def register(app: Flask, procedures) -> None:
    """The shared pages, the action-link pages, and every procedure's pages."""
    from .. import training_clock

    if app.config["CLOCK"] == "movable":
        app.before_request(training_clock.load)
    from . import calendar_pages, case_pages, contact_pages, coverage_pages, desk_pages, link_pages, reference_pages

    app.register_blueprint(bp)
    app.register_blueprint(link_pages.bp)
    app.register_blueprint(case_pages.bp)
    app.register_blueprint(desk_pages.bp)
    app.register_blueprint(calendar_pages.bp)
    app.register_blueprint(coverage_pages.bp)
    app.register_blueprint(reference_pages.bp)
    app.register_blueprint(contact_pages.bp)
    for procedure in procedures:
        app.register_blueprint(procedure.pages)

    @app.context_processor
    def _page_context():
        contact = current_contact()
        if contact is not None and contact.partner_code and "viewer_timezone" not in g:
            # Deadlines are shown in their own time zone and in the reader's.
            g.viewer_timezone = partner_timezone(db.session.get(Partner, contact.partner_code))
        return {
            "lang": current_language(),
            "other_language_url": _other_language_url(),
            "contact": contact,
            "capture": app.config["MAIL_DELIVERY"] == "capture",
            "now": clock.now(),
        }

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if sessions.https(app):
            response.headers.setdefault("Strict-Transport-Security", f"max-age={app.config['HSTS_MAX_AGE']}")
        # Link pages carry a member's token and signed-in pages a person's data: a shared
        # computer's cache or a proxy must keep neither; the sign-in page holds a CSRF token.
        if request.path.startswith("/act/") or request.endpoint == "web.sign_in" or g.get("signed_in"):
            response.headers["Cache-Control"] = "no-store"
        return response
