"""Server-rendered pages: sign-in, home, and the development page of captured e-mail."""
from __future__ import annotations

import functools

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import select

from notifications.models import OutboxMessage

from .. import cases, sessions
from ..accounts import check_password
from ..extensions import db
from ..i18n import current_language, translate
from ..models import Contact

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


def error_page(status: int, message: str | None):
    return render_template("error.html", status=status, message=message or ""), status


@bp.route("/")
def home():
    contact = current_contact()
    tasks = cases.list_tasks(contact) if contact else []
    return render_template("home.html", tasks=tasks)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        return render_template("sign_in.html")
    email = (request.form.get("email") or "").strip()
    password = request.form.get("password") or ""
    contact = check_password(email, password) if email and password else None
    if contact is None:
        return render_template("sign_in.html", error=translate("bad_credentials"), email=email), 401
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
    """Captured e-mail, newest first: only while e-mail is captured rather than sent."""
    if current_app.config["MAIL_DELIVERY"] != "capture":
        abort(404)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("outgoing_mail.html", messages=messages)


def register(app: Flask) -> None:
    from . import labelling, silent_procedures

    app.register_blueprint(bp)
    app.register_blueprint(silent_procedures.bp)
    app.register_blueprint(labelling.bp)

    @app.context_processor
    def _page_context():
        language = current_language()
        return {
            "lang": language,
            "t": lambda key: translate(key, language),
            "contact": current_contact(),
            "capture": app.config["MAIL_DELIVERY"] == "capture",
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
