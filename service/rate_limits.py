"""Rate limits (Flask-Limiter) on signing in, on action links and on the API.

Each is counted twice, per account and per client address, over fixed windows:

- sign-in: failed attempts (401) per e-mail address typed and per client address; once a
  limit is reached every attempt is refused, the right password too, until the window ends;
- action links: `POST /act/<token>` per link (each link belongs to one member's contact) and
  per client address;
- the API: requests per account (the bearer token's contact) and per client address.

A refused request gets 429 with `Retry-After` (seconds until the window ends). The counters
live where every server process sees them: in Redis when `RATELIMIT_STORAGE_URI` names it
(`redis://host:6379/0`), otherwise in the service's own database (`database://`, the
`rate_limit_counters` table, one atomic UPSERT per counted hit). Limits are strings such as
`10 per 15 minutes` (settings `RATELIMIT_*`); `RATELIMIT_ENABLED=false` turns them off.
"""
from __future__ import annotations

import functools
import hashlib
import math
import time

from flask import Flask, current_app, request
from flask_babel import gettext
from flask_limiter import Limiter, RateLimitExceeded
from limits.storage import Storage
import sqlalchemy as sa
from sqlalchemy import case, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .models import RateLimitCounter

# Settings naming each limit (a Flask-Limiter string, read at each request).
SIGN_IN = ("RATELIMIT_SIGN_IN_PER_ACCOUNT", "RATELIMIT_SIGN_IN_PER_ADDRESS")
LINKS = ("RATELIMIT_LINKS_PER_LINK", "RATELIMIT_LINKS_PER_ADDRESS")
API = ("RATELIMIT_API_PER_ACCOUNT", "RATELIMIT_API_PER_ADDRESS")


def counters() -> sa.engine.Engine:
    """The connections that count, apart from the app's: each statement commits by itself,
    without waiting for the disk (a counter may lose its last hits in a power cut, never its
    consistency), so a request pays one round trip per limit it is counted against."""
    app = current_app._get_current_object()
    engine = app.extensions.get("rate_limit_counters")
    if engine is None:
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        connect_args = dict((app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}).get("connect_args") or {})
        if uri.startswith("sqlite"):
            engine = sa.create_engine(uri, isolation_level="AUTOCOMMIT", connect_args=connect_args)
            # The app puts the file in WAL mode, where NORMAL syncs at checkpoints only.
            sa.event.listen(engine, "connect", lambda connection, _: connection.execute("PRAGMA synchronous=NORMAL"))
        else:
            connect_args["options"] = (connect_args.get("options", "") + " -c synchronous_commit=off").strip()
            engine = sa.create_engine(uri, isolation_level="AUTOCOMMIT", pool_size=2, connect_args=connect_args)
        app.extensions["rate_limit_counters"] = engine
    return engine


@functools.cache
def _upsert(dialect: str):
    """Count `amount` hits of `key` at `now`; a window that has ended starts again at `now`,
    ending at `ends`. Returns the count (one statement, built once)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    counter = RateLimitCounter.__table__.c
    now, amount, ends = (sa.bindparam("now", type_=sa.Float), sa.bindparam("amount", type_=sa.Integer),
                         sa.bindparam("ends", type_=sa.Float))
    statement = insert(RateLimitCounter).values(key_hash=sa.bindparam("key"), count=amount, expires_at=ends)
    return statement.on_conflict_do_update(index_elements=[counter.key_hash], set_={
        "count": case((counter.expires_at <= now, amount), else_=counter.count + amount),
        "expires_at": case((counter.expires_at <= now, ends), else_=counter.expires_at),
    }).returning(counter.count)


class DatabaseStorage(Storage):
    """Counters in the app's database (`database://`), shared by all its processes.

    `incr` is one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (PostgreSQL and SQLite),
    on a connection of its own (`counters`), so counting never joins the request's
    transaction. Windows are on the wall clock, like the limiter's own arithmetic.
    """

    STORAGE_SCHEME = ["database"]
    # Expired counters are deleted every this many hits (per process).
    PURGE_EVERY = 1000

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._hits = 0

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @staticmethod
    def _key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        engine = counters()
        now = time.time()
        with engine.connect() as connection:
            count = connection.execute(_upsert(engine.dialect.name), {
                "key": self._key(key), "now": now, "amount": amount, "ends": now + expiry}).scalar_one()
            self._hits += 1
            if self._hits % self.PURGE_EVERY == 0:
                connection.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at <= now))
        return count

    def _row(self, key: str):
        with counters().connect() as connection:
            return connection.execute(
                select(RateLimitCounter.count, RateLimitCounter.expires_at)
                .where(RateLimitCounter.key_hash == self._key(key), RateLimitCounter.expires_at > time.time())
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with counters().connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with counters().connect() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with counters().connect() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key_hash == self._key(key)))


# Who is counted -----------------------------------------------------------------------------

def client_address() -> str:
    return "address:" + (request.remote_addr or "unknown")


def _typed_email() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()


def _no_email_typed() -> bool:
    return not (request.form.get("email") or "").strip()


def _link() -> str:
    return "link:" + (request.view_args or {}).get("token", "")


def _api_account() -> str:
    from .api.auth import current_contact

    try:
        contact = current_contact()
    except SQLAlchemyError:
        # Counting fails open (RATELIMIT_SWALLOW_ERRORS); the view must find a usable session.
        db.session.rollback()
        raise
    return f"account:{contact.id}" if contact else ""


def _no_api_account() -> bool:
    return not _api_account()


def _setting(name: str):
    return lambda: current_app.config[name]


def _failed_sign_in(response) -> bool:
    return response.status_code == 401


# Where it applies ---------------------------------------------------------------------------

def _limited_views(app: Flask, limiter: Limiter) -> None:
    """Wrap the views by their paths: sign-in, link POSTs, every API operation."""
    sign_in = [limiter.shared_limit(_setting(SIGN_IN[0]), scope="sign-in", key_func=_typed_email, methods=["POST"],
                                    deduct_when=_failed_sign_in, exempt_when=_no_email_typed),
               limiter.shared_limit(_setting(SIGN_IN[1]), scope="sign-in", key_func=client_address,
                                    methods=["POST"], deduct_when=_failed_sign_in)]
    links = [limiter.shared_limit(_setting(LINKS[0]), scope="links", key_func=_link, methods=["POST"]),
             limiter.shared_limit(_setting(LINKS[1]), scope="links", key_func=client_address, methods=["POST"])]
    api = [limiter.shared_limit(_setting(API[0]), scope="api", key_func=_api_account, exempt_when=_no_api_account),
           limiter.shared_limit(_setting(API[1]), scope="api", key_func=client_address)]
    for endpoint in sorted({rule.endpoint for rule in app.url_map.iter_rules()}):
        paths = [(rule.rule, rule.methods) for rule in app.url_map.iter_rules(endpoint)]
        if endpoint == "web.sign_in":
            decorators = sign_in
        elif any(path.startswith("/act/") and "POST" in methods for path, methods in paths):
            decorators = links
        elif any(path.startswith("/api/") for path, _ in paths) and not endpoint.startswith("api_docs."):
            decorators = api
        else:
            continue
        view = app.view_functions[endpoint]
        for decorate in decorators:
            view = decorate(view)
        app.view_functions[endpoint] = view


def init(app: Flask) -> Limiter:
    """The app's limiter (its counting hook runs before the other request hooks)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "database://")
    limiter = Limiter(key_func=client_address, strategy="fixed-window", headers_enabled=False,
                      key_prefix="rabat")
    limiter.init_app(app)
    app.extensions["rate_limits"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many(_error):
        from .error_handlers import error_response

        breached = limiter.current_limit
        seconds = max(1, math.ceil(breached.window.reset_time - time.time())) if breached else 60
        message = gettext("Too many attempts. Try again in %(seconds)s seconds.", seconds=seconds)
        return error_response(429, message, headers={"Retry-After": str(seconds)})

    return limiter


def apply(app: Flask) -> None:
    """Put the limits on the views (after every blueprint is registered)."""
    limiter = app.extensions["rate_limits"]
    if limiter.enabled:
        _limited_views(app, limiter)
