"""The shared service-task operation (`notify`); procedures declare their own in their record.

An operation runs inside the step's unit of work, with the case and the evaluated parameters;
it may add rows (outbox e-mails, status changes) but never commits. A BPMN file naming an
operation no one declares is refused at start-up.
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from notifications.outbox import queue_email

from .extensions import db
from .models import Case, Contact, ContactRole

def recipients(to: Any) -> list[tuple[str, str, str]]:
    """(email, name, language) for an e-mail address, a list of them, or `role:<role>`."""
    targets = to if isinstance(to, list) else [to]
    found: list[tuple[str, str, str]] = []
    for target in targets:
        if not isinstance(target, str) or not target:
            continue
        if target.startswith("role:"):
            contacts = db.session.scalars(
                select(Contact)
                .join(ContactRole)
                .where(ContactRole.role == target[5:], Contact.active.is_(True))
                .order_by(Contact.email)
            ).all()
        else:
            contact = db.session.scalar(select(Contact).where(Contact.email == target.lower()))
            if contact is None:
                found.append((target, "", "en"))
            # A deactivated contact is written to no more, whoever names them.
            contacts = [contact] if contact is not None and contact.active else []
        found.extend((c.email, c.name, c.language) for c in contacts)
    unique: dict[str, tuple[str, str, str]] = {}
    for item in found:
        unique.setdefault(item[0].lower(), item)
    return list(unique.values())


def notify(case: Case, params: dict[str, Any]) -> None:
    """A plain notice: `template`, `to` (addresses or `role:<role>`), other values for the template."""
    values = {k: v for k, v in params.items() if k not in ("template", "to")}
    definition = current_app.extensions["definitions"].get(case.process_id)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for email, name, language in recipients(params["to"]):
        queue_email(
            template=params["template"],
            to_email=email,
            to_name=name,
            language=language,
            values={**values, "name": name, "case_id": case.id,
                    "process_name": definition.name if definition else case.process_id,
                    "case_url": f"{base}/cases/{case.id}"},
            case_id=case.id,
        )


#: Operations every process may use, by name.
OPERATIONS = {"notify": notify}
