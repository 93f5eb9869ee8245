"""Operator commands: `setup`, `users create`, `scheduler`."""
from __future__ import annotations

import secrets
import signal
import sys
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from workflows import clock

from .accounts import create_account, issue_token, save_contact, set_password
from .errors import ServiceError
from .extensions import db
from .models import ROLES, Committee, Partner, Referent
from .procedures import PROCEDURES
from . import reference, reference_data

users = AppGroup("users", help="Manage accounts (contacts who sign in).")
reference_group = AppGroup("reference", help="The reference data: export, differences from the files.")

# Partners whose demo contacts write in French.
_FRENCH_SPEAKING = {
    "BE", "BF", "BJ", "CD", "CF", "CG", "CH", "CI", "CM", "DZ", "FR", "GA", "GN", "LU", "MA", "ML",
    "MR", "NE", "SN", "TD", "TG", "TN", "ECOWAS",
}


def _demo_contacts() -> list[str]:
    """Example contacts (example.org) for committee members, referents and the presidency."""
    created = []

    def add(code: str, role: str) -> None:
        email = f"{role}.{code.lower()}@example.org"
        partner = db.session.get(Partner, code)
        save_contact(email, roles=[role], partner_code=code, name=f"{partner.name_en} ({role})",
                     language="fr" if code in _FRENCH_SPEAKING else "en", demo=True)
        created.append(email)

    for committee in db.session.scalars(select(Committee)):
        for member in committee.members:
            add(member.partner_code, "committee-member")
    for referent in db.session.scalars(select(Referent)):
        add(referent.partner_code, "referent")
    current = reference.current_presidency()
    if current is not None:
        add(current.partner_code, "presidency")
    return created


@click.command("setup")
@with_appcontext
@click.option("--demo", is_flag=True, help="Also create example contacts and a demo Secretariat account.")
def setup_command(demo: bool) -> None:
    """Apply migrations and load (or update) the reference data. Safe to run again."""
    from flask_migrate import upgrade  # here: Alembic is heavy and only commands need it

    upgrade(directory=current_app.extensions["migrate"].directory)
    counts = reference_data.load()
    db.session.commit()
    click.echo("Reference data: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    differences = reference_data.differences()
    if differences:
        click.echo("Reference data edited in the service, kept; the files differ:")
        for line in differences:
            click.echo(f"  {line}")
    if not counts["presidencies"]:
        differences = reference_data.presidency_differences()
        click.echo("Presidencies: the recorded timeline is kept" + (
            "; presidencies.yaml differs:" if differences else ", as in presidencies.yaml."))
        for line in differences:
            click.echo(f"  {line}")
    for procedure in PROCEDURES:
        if procedure.setup is not None:
            click.echo(procedure.setup())
    if demo:
        created = _demo_contacts()
        officer = save_contact("secretariat@example.org", roles=["secretariat"], name="Demo Secretariat officer",
                               language="en", demo=True)
        password = secrets.token_urlsafe(12)
        set_password(officer, password)
        focal_point = save_contact("focal.sn@example.org", roles=["partner"], partner_code="SN",
                                   name="Demo focal point, Senegal", language="fr", demo=True)
        partner_password = secrets.token_urlsafe(12)
        set_password(focal_point, partner_password)
        referent = save_contact("referent.td@example.org", roles=["referent"], partner_code="TD",
                                name="Demo referent focal point, Chad", language="fr", demo=True)
        referent_password = secrets.token_urlsafe(12)
        set_password(referent, referent_password)
        token = issue_token(officer)
        db.session.commit()
        click.echo(f"Demo contacts: {len(set(created))} at example.org.")  # a member of two committees once
        click.echo(f"Demo partner focal point (Senegal): focal.sn@example.org, password {partner_password}")
        click.echo(f"Demo referent focal point (Chad, domain 3): referent.td@example.org, password {referent_password}")
        click.echo(f"Demo Secretariat account: secretariat@example.org, password {password}")
        click.echo(f"Demo Secretariat API token: {token}")


@reference_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
def export_reference(folder: str) -> None:
    """Write the current reference data to FOLDER in the format of config/reference/."""
    for path in reference_data.export(Path(folder)):
        click.echo(str(path))


@reference_group.command("differences")
def reference_differences() -> None:
    """Where config/reference/ and the database disagree (nothing is changed)."""
    lines = reference_data.differences()
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("The database holds what the files say.")


@users.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeatable.")
@click.option("--partner", "partner_code", default=None, help="Partner code (ISO 3166-1 alpha-2, EU, ECOWAS, ...).")
@click.option("--name", default=None)
@click.option("--language", type=click.Choice(["fr", "en"]), default=None)
@click.option("--password", "ask_password", is_flag=True, help="Set a password, read from a prompt.")
@click.option("--password-stdin", is_flag=True, help="Set a password, read from standard input.")
def create_user(email, roles, partner_code, name, language, ask_password, password_stdin) -> None:
    """Create or update an account; prints a new API token on the last line."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif ask_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        contact, token = create_account(email, roles=roles, partner_code=partner_code, name=name,
                                        language=language, password=password)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Account {contact.email}: roles {', '.join(sorted(contact.roles))}"
               + (f", partner {contact.partner_code}" if contact.partner_code else ""))
    click.echo(token)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler alone (production): fires timers and sends e-mail until stopped."""
    from .scheduler import Scheduler

    app = current_app._get_current_object()
    scheduler = Scheduler(app)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    scheduler.start()
    click.echo(f"Scheduler {scheduler.owner} running; Ctrl+C to stop.")
    stop.wait()
    scheduler.shutdown()
    click.echo("Scheduler stopped.")


training = AppGroup("clock", help="The training clock (FLASK_CLOCK=movable only).")


@training.command("advance")
@click.argument("duration")
def advance_clock(duration: str) -> None:
    """Move the clock forward by an ISO 8601 DURATION (P14D, P2W, PT12H); what falls due fires in order."""
    from forms.training import ClockForm
    from marshmallow import ValidationError

    from . import training_clock

    try:
        data = ClockForm().load({"duration": duration})
        moved = training_clock.advance(data["delta"], "command line")
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages.get("duration", []))) from None
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"The service's time is now {clock.now().isoformat()}; {moved} case(s) moved on.")


@training.command("show")
def show_clock() -> None:
    """Print the service's time."""
    from . import training_clock

    training_clock.load()
    click.echo(clock.now().isoformat())


def register(app: Flask) -> None:
    app.cli.add_command(training)
    app.cli.add_command(setup_command)
    app.cli.add_command(users)
    app.cli.add_command(reference_group)
    app.cli.add_command(scheduler_command)
