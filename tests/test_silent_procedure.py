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
                                    json={"deadline": "2026-03-09T10:00", "timezone": "Europe/Brussels"},
                                    headers=bearer(procedure.officer))
    assert refused.status_code == 422  # earlier than the current deadline
    extended = procedure.client.post(f"/api/silent-procedures/{procedure.id}/extend",
                                     json={"deadline": "2026-03-13T12:00", "timezone": "Africa/Lagos"},
                                     headers=bearer(procedure.officer))
    assert extended.status_code == 200, extended.get_json()
    new_deadline = datetime(2026, 3, 13, 11, 0, tzinfo=timezone.utc)
    assert extended.get_json()["deadline"] == new_deadline.isoformat()
    procedure.deliver()
    for email in MEMBERS:
        assert len(procedure.mails(to=email, subject="Deadline extended") + procedure.mails(to=email, subject="Échéance prorogée")) == 1
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


def test_withdraw(procedure):
    procedure.launch()
    path = procedure.link("be@example.org", "objection")
    withdrawn = procedure.client.post(f"/api/silent-procedures/{procedure.id}/withdraw", headers=bearer(procedure.officer))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    procedure.deliver()
    for email in MEMBERS:
        assert len(procedure.mails(to=email, subject="Withdrawn") + procedure.mails(to=email, subject="retirée")) == 1
    page = procedure.client.get(path + "?lang=fr").get_data(as_text=True)
    assert "Cette procédure est close" in page and 'name="reason"' not in page
    again = procedure.client.post(f"/api/silent-procedures/{procedure.id}/withdraw", headers=bearer(procedure.officer))
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
