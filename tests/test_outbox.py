"""The outbox: e-mails written with the step, delivered over real SMTP, never twice, never lost."""
from datetime import timedelta

from sqlalchemy import select

from notifications.models import OutboxMessage
from service.extensions import db
from service.scheduler import Scheduler
from tests.helpers import LAUNCH, bearer, sign_in


def run_two_step_to_notice(app, make_account, approved=True):
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal@example.org", "partner", partner="SN", language="fr")
    client = app.test_client()
    case = client.post("/api/cases", json={"process": "two_step_review",
                                           "data": {"requester_email": "focal@example.org"}},
                       headers=bearer(officer)).get_json()
    task = case["ready_tasks"][0]["id"]
    task = client.post(f"/api/tasks/{task}/complete", json={"data": {"text": "x"}},
                       headers=bearer(partner)).get_json()["ready_tasks"][0]["id"]
    client.post(f"/api/tasks/{task}/complete", json={"data": {"approved": approved}}, headers=bearer(officer))
    return case["id"]


def outbox(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_mail_goes_to_the_configured_smtp_server(make_app, make_account, smtp_server):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    run_two_step_to_notice(app, make_account)
    assert Scheduler(app, owner="A").run_once() == (0, 1)
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    row = outbox(app)[0]
    assert received["Message-ID"] == row.message_id
    assert received["To"] == "focal <focal@example.org>"
    assert "[Processus de Rabat]" in received["Subject"]
    parts = {part.get_content_type(): part.get_content() for part in received.walk() if not part.is_multipart()}
    assert "Bonjour focal" in parts["text/plain"]
    assert "<strong>" in parts["text/html"]
    assert (row.status, row.transport) == ("sent", "smtp")


def test_smtp_down_then_back_nothing_lost_nothing_twice(make_app, make_account, smtp_server, frozen_clock):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_RETRY_BASE=30)
    smtp_server.stop()
    run_two_step_to_notice(app, make_account)
    scheduler = Scheduler(app, owner="A")
    assert scheduler.run_once() == (0, 0)
    row = outbox(app)[0]
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert row.next_attempt_at == frozen_clock.now() + timedelta(seconds=30)

    # Still down at the next attempt: the wait doubles.
    frozen_clock.advance(timedelta(seconds=31))
    assert scheduler.run_once() == (0, 0)
    row = outbox(app)[0]
    assert row.attempts == 2 and row.next_attempt_at == frozen_clock.now() + timedelta(seconds=60)

    smtp_server.start()
    assert scheduler.run_once() == (0, 0)  # not due yet: no hammering
    frozen_clock.advance(timedelta(seconds=61))
    assert scheduler.run_once() == (0, 1)
    frozen_clock.advance(timedelta(hours=1))
    assert scheduler.run_once() == (0, 0)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Message-ID"] == outbox(app)[0].message_id


def test_capture_keeps_mail_on_the_development_page(app, make_account, smtp_server):
    run_two_step_to_notice(app, make_account, approved=False)
    assert Scheduler(app, owner="A").run_once() == (0, 1)
    assert smtp_server.messages == []  # captured, not sent
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    make_account("member@example.org", "committee-member", partner="NG", password="a long passphrase")
    assert app.test_client().get("/dev/mail").status_code == 302  # to the sign-in page
    member = app.test_client()
    sign_in(member, "member@example.org")
    assert member.get("/dev/mail").status_code == 403  # live action links: the Secretariat only
    clerk = app.test_client()
    sign_in(clerk, "clerk@example.org")
    page = clerk.get("/dev/mail")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "focal@example.org" in text and "not approved" in text
    assert "https://rabat.example.org/cases/" in text


def test_no_development_mail_page_when_mail_is_really_sent(make_app):
    app = make_app(MAIL_DELIVERY="smtp")
    assert app.test_client().get("/dev/mail").status_code == 404


def test_links_never_come_from_the_request_host(app, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal@example.org", "partner", partner="SN")
    client = app.test_client()
    headers = {**bearer(officer), "Host": "evil.example.com"}
    case = client.post("/api/cases", json={"process": "two_step_review",
                                           "data": {"requester_email": "x@example.org"}}, headers=headers).get_json()
    task = case["ready_tasks"][0]["id"]
    task = client.post(f"/api/tasks/{task}/complete", json={"data": {"text": "x"}},
                       headers={**bearer(partner), "Host": "evil.example.com"}).get_json()["ready_tasks"][0]["id"]
    client.post(f"/api/tasks/{task}/complete", json={"data": {"approved": True}}, headers=headers)
    body = outbox(app)[0].text_body
    assert "evil.example.com" not in body and "https://rabat.example.org/cases/" in body


def test_failures_are_shown_to_the_secretariat(make_app, make_account, smtp_server):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    smtp_server.stop()
    run_two_step_to_notice(app, make_account)
    Scheduler(app, owner="A").run_once()
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    client = app.test_client()
    assert client.get("/outbox").status_code == 302
    sign_in(client, "clerk@example.org")
    page = client.get("/outbox?lang=en").get_data(as_text=True)
    assert "could not be delivered" in page and "focal@example.org" in page and "ConnectionRefusedError" in page


def test_the_development_page_shows_the_html_part_sandboxed_and_the_calendar_attachment(app, make_account):
    _, officer = make_account("officer@example.org", "secretariat", password="a long passphrase")
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    client = app.test_client()
    assert client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(officer)).status_code == 201
    sign_in(client, "officer@example.org")
    page = client.get("/dev/mail?lang=fr").get_data(as_text=True)
    assert '<iframe sandbox srcdoc="&lt;!doctype html&gt;' in page  # the HTML part, escaped, never run here
    assert "Partie texte" in page and "BEGIN:VCALENDAR" in page
