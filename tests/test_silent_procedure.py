"""Silent procedures end to end: real SMTP on loopback, links followed (GET, then the form's
POST), the clock moved, on SQLite and PostgreSQL."""
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest

from service.scheduler import Scheduler
from tests.helpers import LAUNCH, T0, Mailbox, bearer, csrf_token, follow, recipient, sign_in, text_part

# 17:00 in Brussels on 10 March (LAUNCH's deadline) is 16:00 UTC.
DEADLINE = datetime(2026, 3, 10, 16, 0, tzinfo=timezone.utc)


class Procedure(Mailbox):
    """A launched procedure with its committee, its mailbox and its clock."""

    def __init__(self, app, smtp, clock, accounts):
        super().__init__(smtp)
        self.app, self.clock = app, clock
        self.client = app.test_client()
        self.scheduler = Scheduler(app, owner="test")
        self.officer = accounts["officer"]
        self.id = None

    def launch(self, **changes):
        response = self.client.post("/api/silent-procedures", json={**LAUNCH, **changes}, headers=bearer(self.officer))
        assert response.status_code == 201, response.get_json()
        self.id = response.get_json()["id"]
        self.deliver()
        return response.get_json()

    def deliver(self):
        return self.scheduler.run_once()

    def state(self):
        return self.client.get(f"/api/silent-procedures/{self.id}", headers=bearer(self.officer)).get_json()

    def act(self, path, **form):
        return follow(self.client, path, **form)

    def pass_deadline(self, deadline=DEADLINE):
        self.clock.freeze(deadline + timedelta(seconds=1))
        self.deliver()
        self.deliver()


@pytest.fixture
def accounts(make_account):
    made = {"officer": make_account("officer@example.org", "secretariat")[1]}
    for email, partner, language in (("be@example.org", "BE", "fr"), ("ng@example.org", "NG", "en"),
                                     ("sn1@example.org", "SN", "fr"), ("sn2@example.org", "SN", "en"),
                                     ("iom@example.org", "IOM", "en")):
        make_account(email, "committee-member", partner=partner, language=language)
    return made


@pytest.fixture
def procedure(make_app, smtp_server, frozen_clock, accounts):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    return Procedure(app, smtp_server, frozen_clock, accounts)


MEMBERS = ["be@example.org", "ng@example.org", "sn1@example.org", "sn2@example.org"]


def test_adopted_by_silence_everyone_told_in_their_language(procedure):
    launched = procedure.launch()
    assert launched["status"] == "open" and launched["deadline"] == DEADLINE.isoformat()
    # One notice per contact; observers informed without a link that breaks silence.
    for email in MEMBERS + ["iom@example.org"]:
        assert len(procedure.mails(to=email)) == 1
    french = procedure.mails(to="be@example.org")[0]
    english = procedure.mails(to="ng@example.org")[0]
    assert "Procédure d'approbation tacite" in french["Subject"] and "10 mars 2026, 17:00 (Europe/Brussels)" in french["Subject"]
    assert "Silent procedure" in english["Subject"]
    body = text_part(english)
    # The deadline in its own time zone and in the reader's (Nigeria's).
    assert "10 March 2026, 17:00 (Europe/Brussels) — 10 March 2026, 17:00 (Africa/Lagos)" in body
    assert LAUNCH["text"] in body
    for label in ("Object", "Request an amendment", "Comment", "No objection"):
        assert label in body
    kinds = {part.get_content_type() for part in english.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= kinds
    calendar = next(p for p in english.walk() if p.get_content_type() == "text/calendar").get_content()
    assert "DTSTART:20260310T160000Z" in calendar
    observer = text_part(procedure.mails(to="iom@example.org")[0])
    assert "Object" not in observer and "Comment" in observer

    procedure.clock.freeze(DEADLINE)  # at the deadline itself: still open
    procedure.deliver()
    assert procedure.state()["status"] == "open"
    procedure.pass_deadline()
    assert procedure.state()["status"] == "adopted"
    for email in MEMBERS + ["iom@example.org", "officer@example.org"]:
        assert len(procedure.mails(to=email, subject="Adopt") + procedure.mails(to=email, subject="Approuvé")) == 1


@pytest.mark.parametrize("label,field,kind", [("Object", "reason", "objection"),
                                              ("Request an amendment", "amendment", "amendment")])
def test_an_objection_or_amendment_breaks_silence_at_once(procedure, label, field, kind):
    procedure.launch()
    path = procedure.link("ng@example.org", label)
    # Opening the link (as a mail scanner would) changes nothing.
    assert procedure.client.get(path).status_code == 200
    assert procedure.state()["responses"] == []
    empty = procedure.act(path, **{field: "  "})
    assert empty.status_code == 422 and "may not be empty" in empty.get_data(as_text=True)
    assert procedure.state()["status"] == "open"

    procedure.clock.advance(timedelta(hours=5))
    done = procedure.act(path, **{field: "Paragraph 3 must be revised."})
    assert done.status_code == 200 and "Response received" in done.get_data(as_text=True)
    state = procedure.state()
    assert state["status"] == "silence_broken"
    assert state["responses"] == [{"member": "NG", "contact": "ng@example.org", "kind": kind,
                                   "text": "Paragraph 3 must be revised.", "counted": True, "not_counted_reason": None,
                                   "received_at": (T0 + timedelta(hours=5)).isoformat()}]
    procedure.deliver()
    ack = procedure.mails(to="ng@example.org", subject="Response received")
    assert len(ack) == 1 and "2 March 2026, 14:00:00 (UTC)" in text_part(ack[0])
    for email in MEMBERS:
        told = procedure.mails(to=email, subject="Silence broken") + procedure.mails(to=email, subject="Silence rompu")
        assert len(told) == 1
    assert "NG" in text_part(procedure.mails(to="be@example.org", subject="Silence rompu")[0])
    # The link has acted: its page says so, and posting it again writes and sends nothing.
    assert "already been used" in procedure.client.get(path + "?lang=en").get_data(as_text=True)
    token = csrf_token(procedure.client.get("/sign-in").get_data(as_text=True))
    sent = len(procedure.smtp.messages)
    again = procedure.client.post(path, data={"csrf_token": token, field: "Again"})
    assert again.status_code == 200 and "Nothing was sent again" in again.get_data(as_text=True)
    assert [r["text"] for r in procedure.state()["responses"]] == ["Paragraph 3 must be revised."]
    procedure.deliver()
    assert len(procedure.smtp.messages) == sent
    # Another member's unused link says the procedure has ended, and records one late response.
    other = procedure.link("be@example.org", "objection")
    assert "Cette procédure est close" in procedure.client.get(other + "?lang=fr").get_data(as_text=True)
    late = procedure.client.post(other, data={"csrf_token": token, "reason": "Trop tard"})
    assert late.status_code == 409
    assert [r["counted"] for r in procedure.state()["responses"]] == [True, False]
    procedure.pass_deadline()
    assert procedure.state()["status"] == "silence_broken"
    assert procedure.mails(subject="Adopted") == []


def test_any_contact_of_a_member_acts_for_it(procedure):
    procedure.launch()
    # Each page speaks its contact's language (sn1 writes French, sn2 English).
    assert "Formuler une objection" in procedure.client.get(procedure.link("sn1@example.org", "objection")).get_data(as_text=True)
    procedure.act(procedure.link("sn2@example.org", "Object"), reason="Not acceptable for Senegal.")
    state = procedure.state()
    assert state["status"] == "silence_broken" and state["responses"][0]["member"] == "SN"


def test_a_comment_does_not_break_silence(procedure):
    procedure.launch()
    done = procedure.act(procedure.link("be@example.org", "Commenter"), comment="Nous soutenons le texte.")
    assert done.status_code == 200
    assert procedure.state()["status"] == "open"
    procedure.deliver()
    assert len(procedure.mails(to="be@example.org", subject="Réponse reçue")) == 1
    procedure.pass_deadline()
    state = procedure.state()
    assert state["status"] == "adopted"
    assert [(r["kind"], r["counted"]) for r in state["responses"]] == [("comment", True)]


def test_reminders_go_only_to_members_that_have_not_responded(procedure):
    procedure.launch()
    procedure.act(procedure.link("ng@example.org", "No objection"))
    procedure.act(procedure.link("iom@example.org", "Comment"), comment="Noted.")
    procedure.clock.freeze(DEADLINE - timedelta(hours=72) + timedelta(seconds=1))
    procedure.deliver()
    procedure.deliver()
    reminded = sorted(recipient(m) for m in procedure.mails(subject="Rappel") + procedure.mails(subject="Reminder"))
    assert reminded == ["be@example.org", "sn1@example.org", "sn2@example.org"]
    # SN answers through one contact: the second reminder skips both SN contacts.
    procedure.act(procedure.link("sn1@example.org", "Pas d'objection"))
    procedure.clock.freeze(DEADLINE - timedelta(hours=24) + timedelta(seconds=1))
    procedure.deliver()
    procedure.deliver()
    reminded = [m["To"] for m in procedure.mails(subject="Rappel") + procedure.mails(subject="Reminder")]
    assert sum("be@example.org" in to for to in reminded) == 2
    assert sum("sn1@example.org" in to for to in reminded) == 1
    assert not any("ng@example.org" in to or "iom@example.org" in to for to in reminded)


def test_extend_tells_everyone_replans_reminders_and_keeps_links_valid(procedure):
    procedure.launch()
    comment_link = procedure.link("ng@example.org", "Comment")
    refused = procedure.client.post(f"/api/silent-procedures/{procedure.id}/extend",
                                    json={"deadline": "2026-03-09T10:00", "timezone": "Europe/Brussels",
                                          "reason": "Members asked for more time."},
                                    headers=bearer(procedure.officer))
    assert refused.status_code == 422  # earlier than the current deadline
    extended = procedure.client.post(f"/api/silent-procedures/{procedure.id}/extend",
                                     json={"deadline": "2026-03-13T12:00", "timezone": "Africa/Lagos",
                                           "reason": "Members asked for more time."},
                                     headers=bearer(procedure.officer))
    assert extended.status_code == 200, extended.get_json()
    new_deadline = datetime(2026, 3, 13, 11, 0, tzinfo=timezone.utc)
    assert extended.get_json()["deadline"] == new_deadline.isoformat()
    procedure.deliver()
    for email in MEMBERS:
        told = procedure.mails(to=email, subject="Deadline extended") + procedure.mails(to=email, subject="Échéance prorogée")
        assert len(told) == 1 and "Members asked for more time." in text_part(told[0])
    procedure.pass_deadline(DEADLINE)  # the old deadline: nothing happens
    assert procedure.state()["status"] == "open"
    assert procedure.act(comment_link, comment="Still time.").status_code == 200
    procedure.clock.freeze(new_deadline - timedelta(hours=24) + timedelta(seconds=1))
    procedure.deliver()
    procedure.deliver()
    assert len(procedure.mails(to="be@example.org", subject="Rappel")) >= 1
    procedure.pass_deadline(new_deadline)
    assert procedure.state()["status"] == "adopted"
    record = procedure.client.get(f"/api/silent-procedures/{procedure.id}/record", headers=bearer(procedure.officer)).get_json()
    assert record["extensions"][0]["to"] == new_deadline.isoformat()
    assert record["extensions"][0]["reason"] == "Members asked for more time."


def test_withdraw(procedure):
    procedure.launch()
    path = procedure.link("be@example.org", "objection")
    unexplained = procedure.client.post(f"/api/silent-procedures/{procedure.id}/withdraw", headers=bearer(procedure.officer))
    assert unexplained.status_code == 422
    assert unexplained.get_json()["errors"]["json"]["reason"] == ["Give the reason for the withdrawal."]
    withdrawn = procedure.client.post(f"/api/silent-procedures/{procedure.id}/withdraw", headers=bearer(procedure.officer),
                                      json={"reason": "The text is superseded by the new action plan."})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert withdrawn.get_json()["withdrawal_reason"] == "The text is superseded by the new action plan."
    procedure.deliver()
    for email in MEMBERS:
        told = procedure.mails(to=email, subject="Withdrawn") + procedure.mails(to=email, subject="retirée")
        assert len(told) == 1 and "The text is superseded by the new action plan." in text_part(told[0])
    page = procedure.client.get(path + "?lang=fr").get_data(as_text=True)
    assert "Cette procédure est close" in page and 'name="reason"' not in page
    assert "le Secrétariat a retiré cette procédure" in page and "The text is superseded by the new action plan." in page
    again = procedure.client.post(f"/api/silent-procedures/{procedure.id}/withdraw", headers=bearer(procedure.officer),
                                  json={"reason": "Twice."})
    assert again.status_code == 409


def test_a_late_response_is_refused_recorded_and_told(procedure):
    procedure.launch()
    path = procedure.link("ng@example.org", "Object")
    token = csrf_token(procedure.client.get(path).get_data(as_text=True))
    procedure.clock.freeze(DEADLINE + timedelta(minutes=1))  # the scheduler has not run yet
    late = procedure.client.post(path, data={"csrf_token": token, "reason": "Too late?"})
    assert late.status_code == 409 and "after the deadline" in late.get_data(as_text=True)
    procedure.deliver()
    procedure.deliver()
    state = procedure.state()
    assert state["status"] == "adopted"
    assert state["responses"][0]["counted"] is False and state["responses"][0]["not_counted_reason"] == "after_deadline"
    assert len(procedure.mails(to="ng@example.org", subject="not counted")) == 1


def test_objection_and_deadline_at_the_same_instant(procedure):
    procedure.launch()
    path = procedure.link("ng@example.org", "Object")
    token = csrf_token(procedure.client.get(path).get_data(as_text=True))
    procedure.clock.freeze(DEADLINE)
    # Received at the deadline is not received before it.
    assert procedure.client.post(path, data={"csrf_token": token, "reason": "Now"}).status_code == 409
    procedure.clock.freeze(DEADLINE + timedelta(microseconds=1))
    procedure.deliver()
    assert procedure.state()["status"] == "adopted"


def test_an_objection_a_moment_before_the_deadline_counts(procedure):
    procedure.launch()
    procedure.clock.freeze(DEADLINE - timedelta(microseconds=1))
    assert procedure.act(procedure.link("ng@example.org", "Object"), reason="Just in time").status_code == 200
    procedure.pass_deadline()
    assert procedure.state()["status"] == "silence_broken"


def test_smtp_down_across_the_deadline_nothing_lost_nothing_twice(procedure):
    procedure.launch()
    procedure.smtp.stop()
    procedure.pass_deadline()
    assert procedure.state()["status"] == "adopted"
    record = procedure.client.get(f"/api/silent-procedures/{procedure.id}/record", headers=bearer(procedure.officer)).get_json()
    pending = [m for m in record["emails"] if m["status"] == "pending"]
    assert pending and pending[0]["last_error"]
    procedure.smtp.start()
    for _ in range(8):
        procedure.clock.advance(timedelta(hours=1))
        procedure.deliver()
    record = procedure.client.get(f"/api/silent-procedures/{procedure.id}/record", headers=bearer(procedure.officer)).get_json()
    assert all(m["status"] == "sent" for m in record["emails"])
    ids = [m["Message-ID"] for m in procedure.smtp.messages]
    assert len(ids) == len(set(ids)) == len(record["emails"])
    for email in MEMBERS:
        assert len(procedure.mails(to=email)) == 2  # the notice and the outcome, once each


@pytest.mark.parametrize("change,field", [
    ({"deadline": "2026-03-01T10:00"}, "deadline"),
    ({"deadline": "2026-03-04T10:00"}, "deadline"),  # sooner than 72 hours
    ({"committees": []}, "committees"),
    ({"committees": ["nope"]}, "committees"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"text": "   "}, "text"),
    ({"deadline": "2026-03-10T17:00+01:00"}, "deadline"),
    ({"deadline": "2026-03-29T02:30"}, "deadline"),  # does not exist in Brussels (clocks go forward)
])
def test_launch_refuses_bad_input_with_field_messages(procedure, change, field):
    response = procedure.client.post("/api/silent-procedures", json={**LAUNCH, **change}, headers=bearer(procedure.officer))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_only_the_secretariat_launches(procedure, make_account):
    _, member = make_account("member@example.org", "committee-member", partner="FR")
    assert procedure.client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(member)).status_code == 403
    procedure.launch()
    assert procedure.client.get(f"/api/silent-procedures/{procedure.id}", headers=bearer(member)).status_code == 404


def test_forged_or_altered_links_get_a_clear_4xx(procedure):
    procedure.launch()
    path = procedure.link("ng@example.org", "Object")
    # A valid CSRF token (from any page of the session) so that the POST reaches the link check.
    token = csrf_token(procedure.client.get(path).get_data(as_text=True))
    for bad in (path[:-3] + "abc", "/act/not-a-token", path + "x"):
        response = procedure.client.get(bad)
        assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
        posted = procedure.client.post(bad, data={"csrf_token": token, "reason": "x"})
        assert posted.status_code == 404 and "not valid" in posted.get_data(as_text=True)
    # Without the CSRF token, even a valid link acts on nothing.
    assert procedure.client.post(path, data={"reason": "x"}).status_code == 400
    assert procedure.state()["status"] == "open" and procedure.state()["responses"] == []


def test_relaunch_after_silence_was_broken(procedure):
    procedure.launch()
    procedure.act(procedure.link("ng@example.org", "Object"), reason="Revise paragraph 3.")
    relaunched = procedure.client.post(f"/api/silent-procedures/{procedure.id}/relaunch",
                                       json={"text": "Revised text.", "deadline": "2026-03-12T17:00",
                                             "timezone": "Europe/Brussels"}, headers=bearer(procedure.officer))
    assert relaunched.status_code == 201, relaunched.get_json()
    body = relaunched.get_json()
    assert body["relaunch_of"] == procedure.id and body["text_version"] == 2 and body["status"] == "open"
    assert procedure.state()["relaunched_as"] == body["id"]
    # Every member's contact gets the new notice, with new links; the old links act no more.
    procedure.deliver()
    for email in MEMBERS:
        assert len([m for m in procedure.mails(to=email) if "Revised text." in text_part(m)]) == 1
    old_link = procedure.link("be@example.org", "Formuler une objection")
    new_link = procedure.links("be@example.org", "Formuler une objection")[-1]
    assert new_link != old_link
    token = csrf_token(procedure.client.get(new_link).get_data(as_text=True))
    assert procedure.client.post(old_link, data={"csrf_token": token, "reason": "On the old text"}).status_code == 409
    done = procedure.act(new_link, reason="On the new text")
    assert done.status_code == 200, done.get_data(as_text=True)
    relaunched_state = procedure.client.get(f"/api/silent-procedures/{body['id']}", headers=bearer(procedure.officer))
    assert relaunched_state.get_json()["status"] == "silence_broken"
    assert procedure.state()["status"] == "silence_broken"
    assert [r["text"] for r in relaunched_state.get_json()["responses"]] == ["On the new text"]
    # A procedure is relaunched once.
    twice = procedure.client.post(f"/api/silent-procedures/{procedure.id}/relaunch",
                                  json={"text": "Again.", "deadline": "2026-03-12T17:00", "timezone": "Europe/Brussels"},
                                  headers=bearer(procedure.officer))
    assert twice.status_code == 409


def test_the_record_as_page_json_and_csv(procedure, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    procedure.launch()
    procedure.act(procedure.link("be@example.org", "Commenter"), comment="Soutien.")
    procedure.pass_deadline()
    client = procedure.client
    sign_in(client, "clerk@example.org")
    page = client.get(f"/silent-procedures/{procedure.id}/record?lang=en").get_data(as_text=True)
    assert "adopted" in page and "Soutien." in page and "sn2@example.org" in page
    record = client.get(f"/silent-procedures/{procedure.id}/record.json").get_json()
    assert record["status"] == "adopted" and len(record["members_addressed"]) == 5
    assert any(m["to"] == "be@example.org" and m["status"] == "sent" for m in record["emails"])
    rows = list(csv.DictReader(io.StringIO(client.get(f"/silent-procedures/{procedure.id}/record.csv").get_data(as_text=True))))
    events = [row["event"] for row in rows]
    assert events[0] == "launched" and events[-1] == "outcome" and rows[-1]["counted_or_status"] == "adopted"
    assert events.count("addressed") == 5
    comment = next(row for row in rows if row["event"] == "comment")
    assert comment["who"] == "be@example.org (BE)" and comment["detail"] == "Soutien." and comment["counted_or_status"] == "counted"


def test_the_secretariat_launches_from_the_web_page(procedure, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    client = procedure.client
    assert client.get("/silent-procedures/new").status_code == 302  # sign in first
    sign_in(client, "clerk@example.org")
    page = client.get("/silent-procedures/new?lang=fr").get_data(as_text=True)
    token = csrf_token(page)
    bad = client.post("/silent-procedures/new", data={**LAUNCH, "text": "", "csrf_token": token})
    assert bad.status_code == 422 and "Le texte ne peut être vide" in bad.get_data(as_text=True)
    assert 'value="Conclusions of the thematic meeting' in bad.get_data(as_text=True)  # nothing typed is lost
    import io

    good = client.post("/silent-procedures/new", content_type="multipart/form-data", data={
        **LAUNCH, "csrf_token": token, "documents": (io.BytesIO(b"%PDF-1.4 annex"), "annex.pdf", "application/pdf")})
    assert good.status_code == 302
    procedure.deliver()
    assert len(procedure.mails(to="be@example.org")) == 1
    record = client.get(good.headers["Location"] + "/record.json").get_json()
    assert [d["filename"] for d in record["documents"]] == ["annex.pdf"]


@pytest.mark.parametrize("objection,outcome,next_task", [(False, "adopted", None),
                                                          (True, "silence_broken", "decide")])
def test_another_process_calls_the_silent_procedure(procedure, objection, outcome, next_task):
    from forms.silent_procedure import LaunchForm
    from service import cases
    from service.accounts import find_contact
    from service.extensions import db
    from service.models import CaseTask
    from service.procedures.silent_procedure import use_cases as silent_procedure
    from service.unit_of_work import use_case

    @use_case
    def decide_by_silence(officer):
        prepared = silent_procedure.prepare(LaunchForm().load(LAUNCH), officer)
        return prepared, cases.begin_case("decision_by_silence", silent_procedure.process_data(prepared), officer)

    with procedure.app.test_request_context():
        prepared, case = decide_by_silence(find_contact("officer@example.org"))
        procedure.id, case_id = prepared.id, case.id
    procedure.deliver()
    assert len(procedure.mails(to="be@example.org")) == 1
    if objection:
        procedure.act(procedure.link("ng@example.org", "Object"), reason="No.")
    procedure.pass_deadline()
    assert procedure.state()["status"] == outcome
    with procedure.app.app_context():
        tasks = [t.bpmn_id for t in db.session.query(CaseTask).filter_by(case_id=case_id)]
        assert tasks == ([next_task] if next_task else [])
        assert db.session.get(cases.Case, case_id).status == ("running" if next_task else "completed")


def test_documents_are_frozen_with_the_text_and_downloadable_from_the_links(procedure):
    import base64
    import hashlib

    pdf = b"%PDF-1.4 conclusions of the meeting"
    launched = procedure.launch(documents=[{"filename": "../conclusions.pdf", "content_type": "application/pdf",
                                            "content": base64.b64encode(pdf).decode()}])
    record = procedure.client.get(f"/api/silent-procedures/{procedure.id}/record", headers=bearer(procedure.officer)).get_json()
    assert record["documents"] == [{"filename": "conclusions.pdf", "content_type": "application/pdf", "size": len(pdf),
                                    "sha256": hashlib.sha256(pdf).hexdigest()}]
    without = procedure.client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(procedure.officer)).get_json()
    assert without["text_hash"] != launched["text_hash"]  # the documents are part of the version
    body = text_part(procedure.mails(to="ng@example.org")[0])
    url = re.search(r"https://rabat\.example\.org/act/\S+/documents/\d+", body).group(0)
    download = procedure.client.get(url.replace("https://rabat.example.org", ""))
    assert download.status_code == 200 and download.data == pdf
    assert "attachment" in download.headers["Content-Disposition"]
    bad = procedure.client.post("/api/silent-procedures", headers=bearer(procedure.officer), json={
        **LAUNCH, "documents": [{"filename": "x.exe", "content_type": "application/x-msdownload", "content": "AAAA"}]})
    assert bad.status_code == 422 and "documents" in bad.get_json()["errors"]["json"]
    bad = procedure.client.post("/api/silent-procedures", headers=bearer(procedure.officer), json={
        **LAUNCH, "documents": [{"filename": "x.pdf", "content_type": "application/pdf", "content": "not base64!"}]})
    assert bad.status_code == 422


# The Secretariat's pages ----------------------------------------------------------------------

@pytest.fixture
def clerk(procedure, make_account):
    """A signed-in Secretariat officer's browser session (test client), in English."""
    make_account("clerk@example.org", "secretariat", password="a long passphrase", language="en")
    client = procedure.app.test_client()
    sign_in(client, "clerk@example.org")
    return client


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _cell(page, member):
    """The text of a member's row on the procedure page, tags stripped."""
    row = re.search(r"<tr>\s*<th scope=\"row\">[^<]*\(" + member + r"\)[^(].*?</tr>", page, re.S)
    assert row, member
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))


def test_the_procedure_page_shows_every_member_and_their_response(procedure, clerk):
    procedure.launch(documents=[{"filename": "annex.pdf", "content_type": "application/pdf",
                                 "content": "JVBERi0xLjQgYW5uZXg="}])
    procedure.act(procedure.link("be@example.org", "Commenter"), comment="Nous soutenons le texte.")
    procedure.act(procedure.link("sn2@example.org", "No objection"))
    page = _page(clerk, f"/silent-procedures/{procedure.id}?lang=en")
    assert f"<title>Silent procedure no. {procedure.id} — Conclusions of the thematic meeting" in page
    assert "The Steering Committee endorses the conclusions annexed hereto." in page
    assert "Endorse the conclusions." in page
    # The deadline in its own zone and in the viewer's (the Secretariat's account has none: UTC), and time left.
    assert "10 March 2026, 17:00 (Europe/Brussels) — 10 March 2026, 16:00 (UTC)" in page
    assert "in 8 days" in page
    assert "2 of 3 members that may break silence have responded" in page
    be, ng, sn, iom = (_cell(page, code) for code in ("BE", "NG", "SN", "IOM"))
    assert "comment or explanation of position" in be and "Nous soutenons le texte." in be and "be@example.org" in be
    assert "No response yet." in ng
    assert "no objection" in sn and "sn2@example.org" in sn and "sn1@example.org" in sn
    assert "observer" in iom and "No response yet." in iom
    document = re.search(r'href="(/silent-procedures/\d+/documents/\d+)">annex.pdf', page).group(1)
    assert clerk.get(document).data == b"%PDF-1.4 annex"


def test_the_procedure_page_reads_the_same_queries_whatever_the_number_of_members(procedure, clerk, make_account):
    from sqlalchemy import event

    from service.extensions import db

    def statements(path):
        seen = []
        with procedure.app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            _page(clerk, path)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return [" ".join(q.split())[:150] for q in seen]

    procedure.launch()
    few = procedure.id
    procedure.act(procedure.links("ng@example.org", "Comment")[-1], comment="On record.")
    for index, code in enumerate(("FR", "ES", "MA", "ML", "GH", "CI")):
        make_account(f"member{index}@example.org", "committee-member", partner=code, language="en")
    procedure.launch()
    for email in ("be@example.org", "member0@example.org", "member3@example.org"):
        procedure.act(procedure.links(email, "Comment")[-1], comment="On record.")
    many, some = statements(f"/silent-procedures/{procedure.id}"), statements(f"/silent-procedures/{few}")
    assert len(many) == len(some), "\n".join(many) + "\n-----\n" + "\n".join(some)


def test_withdraw_from_the_page_asks_a_reason_then_a_confirmation(procedure, clerk):
    from service.extensions import db
    from service.models import AuditEntry

    procedure.launch()
    page = _page(clerk, f"/silent-procedures/{procedure.id}?lang=fr")
    token = csrf_token(page)
    unexplained = clerk.post(f"/silent-procedures/{procedure.id}/withdraw", data={"csrf_token": token, "reason": " "})
    assert unexplained.status_code == 422
    assert re.search(r'<span class="error" id="withdraw-reason-error">Le motif du retrait ne peut être vide.',
                     unexplained.get_data(as_text=True))
    assert clerk.post(f"/silent-procedures/{procedure.id}/withdraw",
                      data={"reason": "Superseded."}).status_code == 400  # no CSRF token, nothing done
    asked = clerk.post(f"/silent-procedures/{procedure.id}/withdraw",
                       data={"csrf_token": token, "reason": "Le plan d’action le remplace."})
    confirm = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<title>Confirmer le retrait" in confirm
    assert "Le plan d’action le remplace." in confirm and 'name="confirmed" value="yes"' in confirm
    assert procedure.state()["status"] == "open"  # asking changes nothing
    done = clerk.post(f"/silent-procedures/{procedure.id}/withdraw",
                      data={"csrf_token": csrf_token(confirm), "reason": "Le plan d’action le remplace.", "confirmed": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/silent-procedures/{procedure.id}")
    state = procedure.state()
    assert state["status"] == "withdrawn" and state["withdrawal_reason"] == "Le plan d’action le remplace."
    procedure.deliver()
    for email in MEMBERS + ["officer@example.org"]:
        told = procedure.mails(to=email, subject="Withdrawn") + procedure.mails(to=email, subject="retirée")
        assert len(told) == 1 and "Le plan d’action le remplace." in text_part(told[0]), email
    page = _page(clerk, f"/silent-procedures/{procedure.id}?lang=fr")
    assert "Motif du retrait" in page and "Le plan d’action le remplace." in page and 'name="reason"' not in page
    assert "Le plan d’action le remplace." in _page(clerk, f"/silent-procedures/{procedure.id}/record")
    assert clerk.get(f"/silent-procedures/{procedure.id}/record.json").get_json()["withdrawal_reason"] == \
        "Le plan d’action le remplace."
    rows = list(csv.DictReader(io.StringIO(_page(clerk, f"/silent-procedures/{procedure.id}/record.csv"))))
    assert rows[-1]["counted_or_status"] == "withdrawn" and rows[-1]["reason"] == "Le plan d’action le remplace."
    with procedure.app.app_context():
        audit = db.session.scalars(select_audit(AuditEntry, state)).all()
    assert any(entry.detail.get("payload", {}).get("reason") == "Le plan d’action le remplace." for entry in audit)


def select_audit(AuditEntry, state):
    from sqlalchemy import select

    from service.procedures.silent_procedure.models import SilentProcedure
    return select(AuditEntry).where(AuditEntry.case_id == select(SilentProcedure.case_id).where(
        SilentProcedure.id == state["id"]).scalar_subquery())


def test_extend_from_the_page_with_a_reason_and_a_confirmation(procedure, clerk):
    procedure.launch()
    token = csrf_token(_page(clerk, f"/silent-procedures/{procedure.id}"))
    earlier = clerk.post(f"/silent-procedures/{procedure.id}/extend", data={
        "csrf_token": token, "deadline": "2026-03-09T10:00", "timezone": "Europe/Brussels", "reason": "More time."})
    assert earlier.status_code == 422
    refused = earlier.get_data(as_text=True)
    assert 'id="extend-deadline-error">The new deadline must be later than the current one.' in refused
    assert "More time." in refused  # what was typed comes back
    form = {"csrf_token": token, "deadline": "2026-03-13T12:00", "timezone": "Africa/Lagos",
            "reason": "Several capitals asked for more time."}
    confirm = clerk.post(f"/silent-procedures/{procedure.id}/extend", data=form).get_data(as_text=True)
    assert "<title>Confirm the extension" in confirm
    assert "10 March 2026, 17:00 (Europe/Brussels)" in confirm and "13 March 2026, 12:00 (Africa/Lagos)" in confirm
    assert procedure.state()["deadline"] == DEADLINE.isoformat()
    assert clerk.post(f"/silent-procedures/{procedure.id}/extend", data={**form, "confirmed": "yes"}).status_code == 302
    assert procedure.state()["deadline"] == datetime(2026, 3, 13, 11, 0, tzinfo=timezone.utc).isoformat()
    procedure.deliver()
    told = procedure.mails(to="ng@example.org", subject="Deadline extended")
    assert len(told) == 1 and "Reason given by the Secretariat: Several capitals asked for more time." in text_part(told[0])
    assert "Several capitals asked for more time." in _page(clerk, f"/silent-procedures/{procedure.id}")
    rows = list(csv.DictReader(io.StringIO(_page(clerk, f"/silent-procedures/{procedure.id}/record.csv"))))
    extended = next(row for row in rows if row["event"] == "extended")
    assert extended["reason"] == "Several capitals asked for more time." and extended["who"] == "clerk@example.org"


def test_relaunch_from_the_page_after_silence_was_broken(procedure, clerk):
    procedure.launch()
    objection = procedure.link("be@example.org", "objection")
    assert 'id="relaunch-text"' not in _page(clerk, f"/silent-procedures/{procedure.id}")  # only after silence is broken
    procedure.act(objection, reason="Paragraphe 3 à revoir.")
    procedure.deliver()
    page = _page(clerk, f"/silent-procedures/{procedure.id}")
    assert "silence broken" in page and "Paragraphe 3 à revoir." in _cell(page, "BE")
    assert 'id="relaunch-text"' in page and 'name="reason"' not in page  # no extending or withdrawing now
    token = csrf_token(page)
    revised = {"csrf_token": token, "text": "The conclusions, paragraph 3 revised.",
               "proposed_decision": "Endorse the revised conclusions.", "deadline": "2026-03-03T10:00",
               "timezone": "Europe/Brussels"}
    too_soon = clerk.post(f"/silent-procedures/{procedure.id}/relaunch", data=revised)
    assert too_soon.status_code == 422
    assert 'id="relaunch-deadline-error">The deadline must be at least' in too_soon.get_data(as_text=True)
    assert "The conclusions, paragraph 3 revised." in too_soon.get_data(as_text=True)  # nothing typed is lost
    relaunched = clerk.post(f"/silent-procedures/{procedure.id}/relaunch", data={**revised, "deadline": "2026-03-20T17:00"})
    assert relaunched.status_code == 302
    new_path = relaunched.headers["Location"]
    new_page = _page(clerk, new_path)
    assert "The conclusions, paragraph 3 revised." in new_page and "Endorse the revised conclusions." in new_page
    assert f'href="/silent-procedures/{procedure.id}">Silent procedure no. {procedure.id}</a>' in new_page  # earlier version
    new_id = int(new_path.rsplit("/", 1)[1])
    assert f'href="/silent-procedures/{new_id}">Silent procedure no. {new_id}</a>' in _page(
        clerk, f"/silent-procedures/{procedure.id}")
    procedure.deliver()
    assert len(procedure.mails(to="ng@example.org", subject="Endorse") + procedure.mails(
        to="ng@example.org", subject="deadline 20 March")) == 1
    # The old link tells how its procedure ended, and where the revised text went.
    closed = procedure.client.get(objection + "?lang=en").get_data(as_text=True)
    assert re.search(r"Belgium broke silence \(objection\): the text is not adopted", closed)
    assert f"A revised text was sent out as silent procedure no. {new_id}" in closed
    twice = clerk.post(f"/silent-procedures/{procedure.id}/relaunch", data={**revised, "deadline": "2026-03-20T17:00"})
    assert twice.status_code == 409 and "already relaunched" in twice.get_data(as_text=True)


def test_a_closed_procedures_link_says_it_was_adopted(procedure):
    procedure.launch()
    path = procedure.link("ng@example.org", "Object")
    procedure.pass_deadline()
    page = procedure.client.get(path + "?lang=en").get_data(as_text=True)
    assert "This procedure has ended" in page and "How this procedure ended" in page
    assert "the deadline passed without objection: the text is adopted ad referendum." in page
    assert 'name="reason"' not in page


def test_the_list_is_filtered_sorted_and_paged(make_app, frozen_clock, accounts, make_account):
    app = make_app(PAGE_SIZE=2)
    client = app.test_client()
    officer = bearer(accounts["officer"])
    ids = []
    for day in (12, 10, 14, 11, 13):
        created = client.post("/api/silent-procedures", json={**LAUNCH, "subject": f"Procedure due on the {day}th",
                                                              "deadline": f"2026-03-{day}T17:00"}, headers=officer)
        ids.append(created.get_json()["id"])
    assert client.post(f"/api/silent-procedures/{ids[2]}/withdraw", json={"reason": "Superseded."},
                       headers=officer).status_code == 200
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    sign_in(client, "clerk@example.org")

    def subjects(page):
        return re.findall(r"Procedure due on the (\d+)th", page)

    first = _page(client, "/silent-procedures?lang=en")
    assert subjects(first) == ["13", "11"]  # most recently launched first
    assert 'rel="next"' in first and 'rel="prev"' not in first and "<title>Silent procedures</title>" in first
    assert "in 9 days" in first and "0 of 3" in first and "open" in first
    second = _page(client, re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&"))
    assert subjects(second) == ["14", "10"] and 'rel="prev"' in second and "withdrawn" in second
    by_deadline = _page(client, "/silent-procedures?sort=deadline&page=2")
    assert subjects(by_deadline) == ["12", "13"]
    assert subjects(_page(client, "/silent-procedures?sort=deadline&page=3")) == ["14"]
    withdrawn = _page(client, "/silent-procedures?status=withdrawn&lang=fr")
    assert subjects(withdrawn) == ["14"] and "retirée" in withdrawn and 'rel="next"' not in withdrawn
    assert subjects(_page(client, "/silent-procedures?status=nonsense&page=zero&sort=x")) == ["13", "11"]
    assert _page(client, "/silent-procedures?page=99&lang=en").count("No silent procedure") == 1


def test_a_labelling_requests_procedure_links_to_the_request(make_app, frozen_clock, make_account):
    from tests.helpers import REQUEST

    app = make_app()
    client = app.test_client()
    _, officer = make_account("officer@example.org", "secretariat", password="a long passphrase")
    _, partner = make_account("awa.diop@example.org", "partner", partner="SN")
    make_account("be@example.org", "committee-member", partner="BE")
    request_id = client.post("/api/labelling-requests", json=REQUEST, headers=bearer(partner)).get_json()["id"]
    assert client.post(f"/api/labelling-requests/{request_id}/submit", headers=bearer(partner)).status_code == 200
    accepted = client.post(f"/api/labelling-requests/{request_id}/review", json={"decision": "accept"},
                           headers=bearer(officer)).get_json()
    sign_in(client, "officer@example.org")
    page = _page(client, f"/silent-procedures/{accepted['silent_procedure_id']}?lang=en")
    assert re.search(rf'Decides on</dt><dd><a href="/labelling/{request_id}">Diaspora entrepreneurship fund</a>', page)
def test_a_joint_procedure_of_two_committees_addresses_each_member_once(procedure, make_account):
    # France sits on both Steering Committees, Germany on Khartoum's only, Belgium on Rabat's only.
    for email, partner in (("fr@example.org", "FR"), ("de@example.org", "DE")):
        make_account(email, "committee-member", partner=partner)
    procedure.launch(committees=["steering-committee", "khartoum-steering-committee"])
    assert [len(procedure.mails(to)) for to in ("fr@example.org", "de@example.org", "be@example.org")] == [1, 1, 1]
    record = procedure.client.get(f"/api/silent-procedures/{procedure.id}/record",
                                  headers=bearer(procedure.officer)).get_json()
    addressed = {m["contact"]: m for m in record["members_addressed"]}
    assert list(addressed).count("fr@example.org") == 1 and len(record["members_addressed"]) == 7
    assert addressed["fr@example.org"]["committees"] == ["khartoum-steering-committee", "steering-committee"]
    assert addressed["de@example.org"]["committees"] == ["khartoum-steering-committee"]
    assert addressed["be@example.org"]["committees"] == ["steering-committee"]
    assert addressed["iom@example.org"]["committees"] == [] and not addressed["iom@example.org"]["can_break_silence"]
    by_committee = record["addressed_by_committee"]
    assert by_committee["khartoum-steering-committee"] == ["DE", "FR"]
    assert by_committee["steering-committee"] == ["BE", "FR", "NG", "SN"]
    with procedure.app.app_context():
        from service.extensions import db
        from service.models import DeskLine

        line = db.session.scalar(db.select(DeskLine).where(DeskLine.subject_id == procedure.id))
        assert (line.addressed, line.not_answered) == (5, 5)  # BE, DE, FR, NG, SN: each member once
    # One objection from France, addressed under both committees, breaks the silence once.
    procedure.act(procedure.link("fr@example.org", "Object"), reason="Not yet.")
    assert procedure.state()["status"] == "silence_broken"
