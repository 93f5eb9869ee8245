"""French and English: the reader's language, the catalogs, and Babel's formats.

Every word the service shows comes from the gettext catalogs in `translations/` (source
strings in English, `fr` translated); reference data (partners, actions, objectives) comes in
both languages from its own `*_fr` / `*_en` columns. Dates, times and numbers are formatted by
Babel for the reader's language. A page reads its language from `?lang=`, then the session,
then the contact an e-mail link was sent to, then the browser; an e-mail is rendered in its
recipient's language (`flask_babel.force_locale`).
"""
from __future__ import annotations

import functools
import os
import tempfile
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, get_locale

LANGUAGES = ("fr", "en")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# Babel's regional formats: day-month-year and a 24-hour clock in English too.
_FORMAT_LOCALES = {"fr": Locale.parse("fr_FR"), "en": Locale.parse("en_GB")}

babel = Babel()


def select_language() -> str:
    """The language of this request (outside a request: English)."""
    if not has_request_context():
        return "en"
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    # A page opened from an e-mail speaks the language of the contact it was sent to.
    if g.get("recipient_language") in LANGUAGES:
        return g.recipient_language
    return request.accept_languages.best_match(LANGUAGES) or "en"


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every `messages.po` whose `.mo` is missing or older; returns the ones written.

    Fuzzy entries are never compiled. A fresh clone thus works without a build step; the
    `.mo` files are not kept in the repository.
    """
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        # Written beside, then renamed: another process starting at once never reads half a file.
        fd, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        os.replace(temporary, mo_path)
        written.append(mo_path)
    return written


def init_app(app: Flask) -> None:
    """Catalogs compiled, Flask-Babel bound, and the formats the templates use."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    try:
        compile_catalogs(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    except OSError as error:
        # A read-only installation serves the .mo files its installer compiled.
        app.logger.warning("could not compile the translation catalogs: %s", error)
    babel.init_app(app, locale_selector=select_language)
    from notifications import outbox

    from . import terms

    for environment in (app.jinja_env,):
        environment.filters.update(FILTERS)
        environment.filters.update(terms.FILTERS)
        environment.globals.update(localized=localized)
    # The e-mails use the same words and formats, in each recipient's language and time zone.
    outbox.configure(filters={**FILTERS, **terms.FILTERS}, globals={"localized": localized},
                     recipient_timezone=recipient_timezone)


# Reference data in both languages ---------------------------------------------------------

def localized(row, field: str = "name") -> str:
    """`row.<field>_fr` or `row.<field>_en` for the reader's language (English if empty)."""
    if row is None:
        return ""
    value = getattr(row, f"{field}_{current_language()}", None)
    return value or getattr(row, f"{field}_en")


def by_name(rows, field: str = "name") -> list:
    """Rows in the alphabetical order of their names in the reader's language (accents ignored)."""
    import unicodedata

    def key(row):
        name = unicodedata.normalize("NFKD", localized(row, field))
        return "".join(c for c in name if not unicodedata.combining(c)).casefold()

    return sorted(rows, key=key)


# Dates, times, numbers ------------------------------------------------------------------

def _format_locale() -> Locale:
    return _FORMAT_LOCALES[current_language()]


def format_day(value: date | str | None) -> str:
    """A calendar day: "10 March 2026", "10 mars 2026"."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return babel_format_date(value, "long", locale=_format_locale())


def format_moment(value: datetime | str | None, zone: str | None = "UTC", seconds: bool = False) -> str:
    """A moment in `zone` to the minute (or second): "10 March 2026, 17:00", "10 mars 2026, 17:00"."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return _formatted_moment(value, zone or "UTC", seconds, current_language())


@functools.lru_cache(maxsize=4096)
def _formatted_moment(value: datetime, zone: str, seconds: bool, language: str) -> str:
    # A notice to a hundred members formats the same deadline hundreds of times.
    local = value.astimezone(ZoneInfo(zone))
    locale = _FORMAT_LOCALES[language]
    pattern = locale.datetime_formats["medium"].replace("'", "")
    return pattern.replace("{1}", babel_format_date(local.date(), "long", locale=locale)).replace(
        "{0}", babel_format_time(local.time(), "medium" if seconds else "short", locale=locale))


def format_moment_with_zone(value: datetime | str | None, zone: str | None = "UTC") -> str:
    """A moment with its zone named: "10 March 2026, 17:00 (Europe/Brussels)"."""
    if not value:
        return ""
    return f"{format_moment(value, zone)} ({zone or 'UTC'})"


def format_receipt(value: datetime | str | None, zone: str | None = "UTC") -> str:
    """When something was received, to the second: "2 March 2026, 14:00:05 (UTC)"."""
    if not value:
        return ""
    return f"{format_moment(value, zone, seconds=True)} ({zone or 'UTC'})"


def format_deadline(value: datetime | str | None, zone: str, viewer_zone: str | None = None) -> str:
    """A deadline in its own time zone, then in the viewer's (UTC when the viewer's is unknown)."""
    if not value:
        return ""
    own = format_moment_with_zone(value, zone)
    other = viewer_zone or "UTC"
    if other == zone:
        return own
    return f"{own} — {format_moment_with_zone(value, other)}"


def format_number(value) -> str:
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(str(value)), locale=_format_locale())


def format_euros(value) -> str:
    if value is None or value == "":
        return ""
    return format_currency(Decimal(str(value)), "EUR", locale=_format_locale())


def format_bytes(size: int) -> str:
    from flask_babel import ngettext

    return ngettext("%(size)s byte", "%(size)s bytes", size, size=format_decimal(size, locale=_format_locale()))


def partner_timezone(partner) -> str | None:
    """A partner country's time zone (the one of its own continent when it has several)."""
    if partner is None or partner.kind != "country":
        return None
    zones = sorted(get_global("territory_zones").get(partner.code, ()))
    if not zones:
        return None
    continent = {"europe": "Europe/", "africa": "Africa/"}.get(partner.region or "", "")
    return next((z for z in zones if continent and z.startswith(continent)), zones[0])


def viewer_timezone() -> str | None:
    """The time zone of whoever reads this page or e-mail, if known (set per request or mail)."""
    return g.get("viewer_timezone") if g else None


def _deadline_filter(value, zone):
    return format_deadline(value, zone, viewer_timezone())


def format_time_left(value: datetime | None, now: datetime | None = None) -> str:
    """How long until `value` ("in 3 days") or since it passed ("2 hours ago")."""
    if value is None:
        return ""
    from workflows import clock

    delta = value - (now or clock.now())
    return format_timedelta(delta, granularity="minute", threshold=1.5, add_direction=True,
                            locale=_format_locale())


FILTERS = {
    "time_left": format_time_left,
    "day": format_day,
    "moment": format_moment,
    "moment_in": format_moment_with_zone,
    "receipt": format_receipt,
    "deadline": _deadline_filter,
    "number": format_number,
    "euros": format_euros,
    "by_name": by_name,
    "bytes": format_bytes,
}


def recipient_timezone(email: str) -> str | None:
    """The time zone an e-mail's recipient reads deadlines in, from their partner country."""
    return recipient_timezones([email]).get(email.lower())


def recipient_timezones(emails) -> dict[str, str | None]:
    """`recipient_timezone` of several recipients in one query (a notice to every member),
    by lower-cased address."""
    from sqlalchemy import select

    from .extensions import db
    from .models import Contact, Partner

    wanted = sorted({email.lower() for email in emails})
    zones = dict.fromkeys(wanted)
    if wanted:
        for email, partner in db.session.execute(
                select(Contact.email, Partner).join(Partner, Contact.partner_code == Partner.code)
                .where(Contact.email.in_(wanted))):
            zones[email] = partner_timezone(partner)
    return zones
