"""Contacts from a CSV file: every line checked first, nothing saved when one is wrong.

The columns (a header line names them, in any order; `,` or `;` between values):
`name`, `email`, `language` (fr or en) are required; `partner` (a partner's code, e.g. SN or
ECOWAS), `function` and `roles` (separated by spaces: secretariat, partner, committee-member,
presidency, referent) are optional. A line is refused for what a contact form refuses, and for
an e-mail address already in the contact base or twice in the file.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import select

from forms.contacts import ContactForm
from workflows import clock

from ..errors import InvalidInput
from ..extensions import db
from ..models import Contact
from ..unit_of_work import use_case
from .use_cases import apply_values, check_presidency, record, require_secretariat, snapshot

COLUMNS = ("name", "email", "partner", "function", "language", "roles")
REQUIRED = ("name", "email", "language")
MAX_LINES = 5000


@dataclass
class Line:
    number: int  # the line in the file (the header is line 1)
    email: str
    values: dict | None = None  # what the form made of it, when it passed
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Report:
    lines: list[Line]
    errors: dict[str, list[str]] = field(default_factory=dict)  # about the file itself

    @property
    def valid(self) -> bool:
        return not self.errors and all(not line.errors for line in self.lines)

    def as_dict(self) -> dict:
        return {"valid": self.valid, "errors": self.errors, "contacts": len(self.lines),
                "lines": [{"line": ln.number, "email": ln.email, "errors": ln.errors} for ln in self.lines]}


def _reader(text: str):
    text = text.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def check(text: str) -> Report:
    """Each line of the file as the import would take it, with its errors."""
    try:
        rows = list(_reader(text))
    except csv.Error as error:
        return Report([], {"csv": [gettext("The file is not CSV: %(error)s", error=str(error))]})
    if not rows:
        return Report([], {"csv": [gettext("The file is empty.")]})
    header = [name.strip().lower() for name in rows[0]]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        return Report([], {"csv": [gettext("The first line names the columns: %(columns)s (name, email and "
                                           "language are required).", columns=", ".join(COLUMNS))]})
    if len(rows) - 1 > MAX_LINES:
        return Report([], {"csv": [gettext("At most %(count)d contacts per file.", count=MAX_LINES)]})
    lines, seen, form = [], {}, ContactForm()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        given = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        line = Line(number, given.get("email", "").lower())
        if len(row) > len(header):
            line.errors["csv"] = [gettext("More values than columns.")]
        data = {k: v for k, v in given.items() if k != "roles" and (v or k in REQUIRED)}
        data["roles"] = given.get("roles", "").replace(",", " ").split()
        try:
            line.values = form.load(data)
        except ValidationError as error:
            line.errors.update({k: v if isinstance(v, list) else [str(v)] for k, v in error.messages.items()})
        if line.values is not None:
            try:
                check_presidency(line.values)
            except InvalidInput as error:
                line.errors.update(error.errors)
        if line.email in seen:
            line.errors.setdefault("email", []).append(
                gettext("The same e-mail address is on line %(line)d.", line=seen[line.email]))
        elif line.email:
            seen[line.email] = number
        lines.append(line)
    taken = set(db.session.scalars(select(Contact.email).where(Contact.email.in_(list(seen)))))
    for line in lines:
        if line.email in taken:
            line.errors.setdefault("email", []).append(gettext("A contact already has this e-mail address."))
    if not lines:
        return Report([], {"csv": [gettext("The file has no contact.")]})
    return Report(lines)


@use_case
def import_contacts(text: str, actor) -> Report:
    """Add every contact of the file, or none: a wrong line refuses the whole file (422)."""
    require_secretariat(actor)
    report = check(text)
    if not report.valid:
        raise ImportRefused(report)
    added = []
    for line in report.lines:
        contact = Contact(email=line.values["email"], name="", language="en", active=True, created_at=clock.now())
        apply_values(contact, line.values)
        added.append(contact)
    db.session.add_all(added)
    db.session.flush()
    for contact in added:
        record(contact, "imported", actor, None, snapshot(contact))
    return report


class ImportRefused(InvalidInput):
    """A line (or the file) is wrong: nothing was saved; the report says where."""

    def __init__(self, report: Report):
        super().__init__(gettext("Nothing was imported: correct the lines listed and try again."),
                         {"lines": {str(ln.number): ln.errors for ln in report.lines if ln.errors},
                          **({"csv": report.errors["csv"]} if report.errors else {})})
        self.report = report
