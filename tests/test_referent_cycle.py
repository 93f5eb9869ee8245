"""Referent-country cycles end to end, through the API, with the clock moved and e-mail read
back from a real SMTP server: opened, reminded, overdue and escalated, a roadmap drafted by two
co-referents and submitted by one, sent back, accepted, commented by the Steering Committee,
the period's end, the report, and thematic meetings with their anonymous evaluation."""
import base64
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from service.extensions import db
from service.models import ActionLink, Case
from service.procedures.referent_cycle.models import MeetingEvaluation
from service.scheduler import Scheduler
from tests.helpers import T0, Mailbox, bearer, csrf_token, follow, sign_in

# Domain 3 (protection and asylum): Chad and Switzerland are its referents (reference data).
# 17:00 in Brussels is 15:00 UTC in summer, 16:00 UTC in winter.
OPEN = {"domain": 3, "period_start": "2026-03-01", "period_end": "2026-12-31",
        "roadmap_due": "2026-04-30T17:00", "report_due": "2027-01-31T17:00", "timezone": "Europe/Brussels"}
ROADMAP_DUE = datetime(2026, 4, 30, 15, 0, tzinfo=timezone.utc)
PERIOD_END = datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc)  # midnight in Brussels
ROADMAP = {
    "themes": ["Unaccompanied minors on migration routes", "Family separation and missing migrants"],
    "activities": [
        {"title": "Thematic meeting on missing migrants", "kind": "thematic_meeting", "start_date": "2026-09-20",
         "end_date": "2026-09-21", "place": "Geneva", "co_chairs": ["CH", "GM"], "objectives": [5],
         "actions": [16, 17], "gcm_objectives": [8]},
        {"title": "Study visit on local integration", "kind": "study_visit", "start_date": "2026-06-10",
         "place": "N'Djamena", "co_chairs": ["TD"], "actions": [18]},
    ],
    "needs": "Interpretation into Arabic for the study visit.",
}
REPORT = {
    "activities": [
        {"planned": 1, "title": "Thematic meeting on missing migrants", "kind": "thematic_meeting",
         "start_date": "2026-09-20", "end_date": "2026-09-21", "place": "Geneva", "co_chairs": ["CH", "GM"],
         "participants": 90, "countries": 34, "results": "32 recommendations; a network of focal points."},
        {"title": "Webinar on age assessment", "kind": "other", "start_date": "2026-11-05", "participants": 40,
         "countries": 18, "results": "Good practices shared."},
    ],
    "lessons_learned": "Hybrid formats widen participation.",
    "recommendations": "Follow up in the Gambia in 2027.",
    "objectives": [5], "actions": [16, 17],
}


class Desk(Mailbox):
    """The Secretariat, two co-referents, the Presidency and the committee around one cycle."""

    def __init__(self, app, smtp, clock, tokens):
        super().__init__(smtp)
        self.app, self.clock, self.tokens = app, clock, tokens
        self.client = app.test_client()
        self.scheduler = Scheduler(app, owner="test")

    def call(self, method, path, who, json=None, **body):
        response = self.client.open(path, method=method, headers=bearer(self.tokens[who]),
                                    json=json if json is not None else (body or None))
        return response.status_code, response.get_json()

    def deliver(self):
        self.scheduler.run_once()
        self.scheduler.run_once()

    def at(self, moment):
        """Move the clock to `moment` (just after it: timers fire strictly after their instant)."""
        self.clock.freeze(moment + timedelta(seconds=1))
        self.deliver()

    def cycle(self, cycle_id, who="officer"):
        return self.call("GET", f"/api/referent-cycles/{cycle_id}", who)[1]

    def save(self, cycle_id, kind, who, content, version):
        query = f"?version={version}" if version is not None else ""
        return self.call("PUT", f"/api/referent-cycles/{cycle_id}/{kind}{query}", who, json=content)


@pytest.fixture
def desk(make_app, make_account, smtp_server, frozen_clock):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    tokens = {
        "officer": make_account("officer@example.org", "secretariat")[1],
        "chad": make_account("focal.td@example.org", "referent", partner="TD", language="fr")[1],
        "swiss": make_account("focal.ch@example.org", "partner", partner="CH")[1],
        "portugal": make_account("focal.pt@example.org", "referent", partner="PT")[1],
        "presidency": make_account("chair.ng@example.org", "presidency", partner="NG")[1],
        "member": make_account("ng@example.org", "committee-member", partner="NG")[1],
    }
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    make_account("chair.pt@example.org", "presidency", partner="PT")  # a past Presidency: not told
    return Desk(app, smtp_server, frozen_clock, tokens)


def _open(desk, **change):
    code, body = desk.call("POST", "/api/referent-cycles", "officer", json={**OPEN, **change})
    assert code == 201, body
    return body


def test_a_whole_cycle_with_the_clock_moved(desk):
    cycle = _open(desk)
    cycle_id = cycle["id"]
    assert cycle["partners"] == ["TD", "CH"] and cycle["status"] == "roadmap_due"
    assert cycle["roadmap_due"] == ROADMAP_DUE.isoformat()
    desk.deliver()
    assert len(desk.mails("focal.ch@example.org", "the roadmap is awaited")) == 1
    assert len(desk.mails("focal.td@example.org", "la feuille de route est attendue")) == 1
    assert desk.mails("focal.pt@example.org") == []  # not a referent of this domain

    # Reminded 14 and 3 days before the due date; escalated when it passes; then weekly.
    desk.at(ROADMAP_DUE - timedelta(days=14))
    assert len(desk.mails("focal.ch@example.org", "Reminder: the roadmap is due soon")) == 1
    desk.at(ROADMAP_DUE - timedelta(days=3))
    assert len(desk.mails("focal.ch@example.org", "Reminder: the roadmap is due soon")) == 2
    assert desk.mails("officer@example.org", "Overdue") == []
    desk.at(ROADMAP_DUE)
    assert len(desk.mails("focal.ch@example.org", "Overdue: the roadmap")) == 1
    assert len(desk.mails("officer@example.org", "Overdue: the roadmap")) == 1
    assert len(desk.mails("chair.ng@example.org", "Overdue: the roadmap")) == 1
    assert desk.mails("chair.pt@example.org") == []
    desk.at(ROADMAP_DUE + timedelta(days=7))
    assert len(desk.mails("focal.td@example.org", "Toujours attendue")) == 1
    assert len(desk.mails("officer@example.org", "Overdue")) == 1  # the Secretariat is told once

    # Two co-referents share the draft; a save over the other's answers is refused, both kept.
    roadmap = desk.call("GET", f"/api/referent-cycles/{cycle_id}/roadmap", "swiss")[1]
    first = {**ROADMAP, "activities": ROADMAP["activities"][:1]}
    code, saved = desk.save(cycle_id, "roadmap", "swiss", first, roadmap["version"])
    assert code == 200, saved
    code, body = desk.save(cycle_id, "roadmap", "chad", {"themes": ["Mineurs non accompagnés"]}, roadmap["version"])
    assert code == 409
    assert body["current"]["content"]["themes"] == ROADMAP["themes"]
    assert body["current"]["updated_by"] == "focal.ch@example.org"
    code, saved = desk.save(cycle_id, "roadmap", "chad", ROADMAP, body["current"]["version"])
    assert code == 200
    assert saved["content"]["activities"][0]["actions"] == [16, 17]
    assert saved["content"]["activities"][1] == {**ROADMAP["activities"][1], "objectives": []}

    # The Chadian focal point submits; the Secretariat asks for a revision.
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/roadmap/submit", "chad")
    assert code == 200 and body["status"] == "submitted" and body["submitted_by"] == "focal.td@example.org"
    assert desk.cycle(cycle_id)["status"] == "roadmap_submitted"
    desk.deliver()
    assert len(desk.mails("officer@example.org", "A roadmap awaits your review")) == 1
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/roadmap/review", "officer", decision="revise")
    assert code == 422 and "comment" in body["errors"]["json"]
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/roadmap/review", "officer",
                           decision="revise", comment="Add the dates of the study visit's follow-up.")
    assert code == 200 and body["status"] == "revision_requested"
    desk.deliver()
    revision = desk.mails("focal.ch@example.org", "Revision asked: the roadmap")
    assert len(revision) == 1 and "study visit's follow-up" in revision[0].get_body(("plain",)).get_content()
    # Still overdue: the weekly reminders go on from the next one ahead.
    desk.at(ROADMAP_DUE + timedelta(days=14))
    assert len(desk.mails("focal.ch@example.org", "Still awaited: the roadmap")) == 2

    version = desk.call("GET", f"/api/referent-cycles/{cycle_id}/roadmap", "swiss")[1]["version"]
    revised = {**ROADMAP, "needs": ROADMAP["needs"] + " Follow-up visit in November."}
    assert desk.save(cycle_id, "roadmap", "swiss", revised, version)[0] == 200
    assert desk.call("POST", f"/api/referent-cycles/{cycle_id}/roadmap/submit", "swiss")[0] == 200
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/roadmap/review", "officer", decision="accept")
    assert code == 200 and body["status"] == "accepted"
    assert desk.cycle(cycle_id)["status"] == "roadmap_accepted"
    desk.deliver()
    assert len(desk.mails("focal.td@example.org", "La feuille de route est acceptée")) == 1
    # The Steering Committee's members comment; it never blocks the roadmap.
    invitation = desk.mails("ng@example.org", "Roadmap of domain 3 for your comments")
    assert len(invitation) == 1 and "Study visit on local integration" in invitation[0].get_body(("plain",)).get_content()
    comment_link = desk.link("ng@example.org", "Comment on the roadmap")
    done = follow(desk.client, comment_link, comment="Please involve UNHCR in the Geneva meeting.")
    assert done.status_code == 200 and "Comment received" in done.get_data(as_text=True)
    again = desk.client.get(comment_link).get_data(as_text=True)
    assert "already been used" in again and 'name="comment"' not in again
    code, listed = desk.call("GET", f"/api/referent-cycles/{cycle_id}/comments", "chad")
    assert [c["text"] for c in listed] == ["Please involve UNHCR in the Geneva meeting."]
    desk.deliver()
    told = desk.mails("focal.ch@example.org", "A Steering Committee comment on the roadmap")
    assert len(told) == 1 and "involve UNHCR" in told[0].get_body(("plain",)).get_content()
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/comments", "member", comment="Also IOM.")
    assert code == 201
    # A comment after the comment period is refused plainly, from the page opened in time too.
    belgian = desk.link("be@example.org", "Commenter la feuille de route")
    opened_in_time = desk.client.get(belgian).get_data(as_text=True)
    desk.at(datetime.fromisoformat(desk.call("GET", f"/api/referent-cycles/{cycle_id}/roadmap",
                                             "officer")[1]["comments_until"]))
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/comments", "member", comment="Too late?")
    assert code == 422 and "comment period ended" in body["message"]
    late = desk.client.post(belgian, data={"csrf_token": csrf_token(opened_in_time), "comment": "Trop tard ?"})
    assert late.status_code == 409 and "La période de commentaires a pris fin" in late.get_data(as_text=True)
    assert "La période de commentaires a pris fin" in desk.client.get(belgian).get_data(as_text=True)
    assert len(desk.call("GET", f"/api/referent-cycles/{cycle_id}/comments", "officer")[1]) == 2

    # The report can be drafted during the period, submitted only after it.
    report = desk.call("GET", f"/api/referent-cycles/{cycle_id}/report", "chad")[1]
    code, saved = desk.save(cycle_id, "report", "chad", REPORT, report["version"])
    assert code == 200, saved
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/report/submit", "chad")
    assert code == 422 and "once the period has ended" in body["message"]
    desk.at(PERIOD_END)
    assert desk.cycle(cycle_id)["status"] == "report_due"
    assert len(desk.mails("focal.ch@example.org", "The period has ended: the report is awaited")) == 1
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/report/submit", "swiss")
    assert code == 200 and body["status"] == "submitted"
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/report/review", "officer", decision="revise",
                           comment="Count the countries of the webinar again.")
    assert code == 200 and desk.cycle(cycle_id)["status"] == "report_revision"
    version = desk.call("GET", f"/api/referent-cycles/{cycle_id}/report", "chad")[1]["version"]
    corrected = {**REPORT, "activities": [REPORT["activities"][0], {**REPORT["activities"][1], "countries": 19}]}
    assert desk.save(cycle_id, "report", "chad", corrected, version)[0] == 200
    assert desk.call("POST", f"/api/referent-cycles/{cycle_id}/report/submit", "chad")[0] == 200
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/report/review", "officer", decision="accept")
    assert code == 200 and body["status"] == "accepted"
    final = desk.cycle(cycle_id)
    assert final["status"] == "completed"
    with desk.app.app_context():
        assert db.session.get(Case, final["case_id"]).status == "completed"

    # What accepted roadmaps and reports serve is counted for the Action Plan's coverage.
    coverage = desk.call("GET", "/api/referent-coverage", "officer")[1]
    assert coverage["objectives"] == {"addressed": 2, "total": 10}  # 5, and 6 through action 18
    assert coverage["actions"] == {"addressed": 3, "total": 29}
    assert {"action": 18, "by": [{"type": "roadmap", "cycle_id": cycle_id}]} in coverage["actions_served"]


def test_a_thematic_meeting_is_recorded_and_evaluated_anonymously(desk):
    cycle_id = _open(desk)["id"]
    desk.clock.freeze(datetime(2026, 9, 22, 9, tzinfo=timezone.utc))
    code, meeting = desk.call("POST", "/api/thematic-meetings", "officer", json={
        "title": "Family separation and missing migrants", "cycle_id": cycle_id, "co_chairs": ["CH", "GM"],
        "start_date": "2026-09-20", "end_date": "2026-09-21", "place": "Geneva", "participants": 90,
        "countries": 34, "conclusions": "A network of focal points on missing migrants.", "objectives": [5],
        "actions": [16, 17], "documents": [{"filename": "conclusions.pdf", "content_type": "application/pdf",
                                             "content": base64.b64encode(b"%PDF-1.4 conclusions").decode()}]})
    assert code == 201, meeting
    document = desk.client.get(f"/api/thematic-meetings/{meeting['id']}/documents/{meeting['documents'][0]['id']}",
                               headers=bearer(desk.tokens["chad"]))
    assert document.status_code == 200 and document.data == b"%PDF-1.4 conclusions"
    assert meeting["co_chairs"] == ["CH", "GM"] and meeting["actions"] == [16, 17]
    people = [{"email": f"p{i}@example.org", "name": f"Participant {i}", "language": "en"} for i in range(3)]
    code, body = desk.call("POST", f"/api/thematic-meetings/{meeting['id']}/evaluation", "officer",
                           json={"participants": people + [people[0]]})
    assert code == 200 and body == {"asked": 3}
    code, body = desk.call("POST", f"/api/thematic-meetings/{meeting['id']}/evaluation", "officer",
                           json={"participants": people[:1]})
    assert body == {"asked": 0}  # nobody is asked twice
    desk.deliver()
    for i, (met, useful) in enumerate((("yes", 5), ("no", 2))):
        link = desk.link(f"p{i}@example.org", "Answer the questionnaire")
        refused = follow(desk.client, link, met_expectations="maybe")
        assert refused.status_code == 422 and "met your expectations" in refused.get_data(as_text=True)
        done = follow(desk.client, link, met_expectations=met, usefulness=str(useful),
                      recommendations="More time for exchanges." if i == 0 else "")
        assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)
    replay = desk.client.get(desk.link("p0@example.org", "Answer the questionnaire")).get_data(as_text=True)
    assert "already been used" in replay and 'name="usefulness"' not in replay
    summary = desk.call("GET", f"/api/thematic-meetings/{meeting['id']}", "chad")[1]["evaluation"]
    assert summary == {"participants": 90, "countries": 34, "asked": 3, "answers": 2, "met_expectations": 1,
                       "partly": 0, "usefulness_average": 3.5, "recommendations": ["More time for exchanges."]}
    with desk.app.app_context():
        columns = set(MeetingEvaluation.__table__.columns.keys())
        assert not columns & {"link_id", "contact_id", "received_at", "email"}  # nothing names who answered
    coverage = desk.call("GET", "/api/referent-coverage", "officer")[1]
    assert coverage["actions"]["addressed"] == 2
    assert {"type": "thematic_meeting", "meeting_id": meeting["id"]} in coverage["actions_served"][0]["by"]
    listed = desk.call("GET", "/api/thematic-meetings?partner=GM", "officer")[1]
    assert [m["id"] for m in listed] == [meeting["id"]]
    assert desk.call("GET", "/api/thematic-meetings?year=2025", "officer")[1] == []
    # After the questionnaire closes, a link is refused plainly (also from a page opened in time).
    last = desk.link("p2@example.org", "Answer the questionnaire")
    opened_in_time = desk.client.get(last).get_data(as_text=True)
    desk.at(datetime(2026, 10, 23, 9, tzinfo=timezone.utc))
    assert "questionnaire is closed" in desk.client.get(last).get_data(as_text=True)
    closed = desk.client.post(last, data={"csrf_token": csrf_token(opened_in_time), "met_expectations": "yes",
                                          "usefulness": "4"})
    assert closed.status_code == 409 and "questionnaire is closed" in closed.get_data(as_text=True)
    assert desk.call("GET", f"/api/thematic-meetings/{meeting['id']}", "officer")[1]["evaluation"]["answers"] == 2


def test_a_roadmap_that_never_comes_is_recorded_missing_and_the_report_is_still_asked(desk):
    cycle_id = _open(desk, period_end="2026-06-30", roadmap_due="2026-04-30T17:00",
                     report_due="2026-07-31T17:00")["id"]
    # The scheduler was down until two weeks after the due date: the escalation still goes,
    # once, and of the reminders that fell due meanwhile only the latest.
    desk.at(ROADMAP_DUE + timedelta(days=15))
    assert desk.mails("focal.ch@example.org", "Reminder") == []
    assert len(desk.mails("officer@example.org", "Overdue: the roadmap")) == 1
    assert len(desk.mails("focal.ch@example.org", "Still awaited: the roadmap")) == 1
    for week in range(3, 9):
        desk.at(ROADMAP_DUE + timedelta(days=7 * week))
    weekly = desk.mails("focal.ch@example.org", "Still awaited: the roadmap")
    assert len(weekly) == 7  # weekly until 25 June; the period ends on 1 July (Brussels)
    assert desk.cycle(cycle_id)["status"] == "roadmap_due"
    desk.at(datetime(2026, 6, 30, 22, tzinfo=timezone.utc))
    cycle = desk.cycle(cycle_id)
    assert cycle["status"] == "report_due" and cycle["roadmap"]["status"] == "missing"
    assert len(desk.mails("officer@example.org", "No roadmap came")) == 1
    with desk.app.app_context():
        state_size = len(db.session.scalar(select(Case.state).where(Case.id == cycle["case_id"])))
    assert state_size < 200_000


@pytest.mark.parametrize("change,field,message", [
    ({"roadmap_due": "2026-02-20T17:00", "period_start": "2026-03-05"}, "roadmap_due", "in the past"),
    ({"roadmap_due": "2026-03-04T17:00", "period_start": "2026-03-05"}, "roadmap_due", "before the period starts"),
    ({"roadmap_due": "2027-01-15T17:00"}, "roadmap_due", "before the period ends"),
    ({"report_due": "2026-12-15T17:00"}, "report_due", "before the period ends"),
    ({"period_end": "2026-02-01"}, "period_end", "ends before it starts"),
    ({"partners": ["TD", "IOM"]}, "partners", "observers cannot be referents"),
    ({"partners": ["TD", "XX"]}, "partners", "Unknown partner: XX"),
    ({"domain": 9}, "domain", "no domain 9"),
    ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone"),
    ({"roadmap_due": "30/04/2026"}, "roadmap_due", "local date and time"),
])
def test_opening_refuses_bad_input_with_a_clear_message(desk, change, field, message):
    code, body = desk.call("POST", "/api/referent-cycles", "officer", json={**OPEN, **change})
    assert code == 422, body
    errors = body["errors"].get("json", body["errors"])
    assert field in errors and message in " ".join(errors[field]), errors
    assert desk.call("GET", "/api/referent-cycles", "officer")[1] == []


def test_one_cycle_per_domain_and_period(desk):
    _open(desk)
    code, body = desk.call("POST", "/api/referent-cycles", "officer",
                           json={**OPEN, "period_start": "2026-06-01", "period_end": "2027-05-31",
                                 "roadmap_due": "2026-06-30T17:00", "report_due": "2027-06-30T17:00"})
    assert code == 422 and "overlapping period" in body["errors"]["period_start"][0]
    other = _open(desk, domain=2)
    assert other["partners"] == ["CV", "PT"]
    listed = desk.client.get("/api/referent-cycles?domain=2", headers=bearer(desk.tokens["officer"]))
    assert [c["id"] for c in listed.get_json()] == [other["id"]]
    assert '"total": 1' in listed.headers["X-Pagination"]


def test_actions_outside_the_plan_and_bad_answers_get_field_messages_and_lose_nothing(desk):
    cycle_id = _open(desk)["id"]
    roadmap = desk.call("GET", f"/api/referent-cycles/{cycle_id}/roadmap", "chad")[1]
    assert desk.save(cycle_id, "roadmap", "chad", ROADMAP, roadmap["version"])[0] == 200
    saved = desk.call("GET", f"/api/referent-cycles/{cycle_id}/roadmap", "chad")[1]
    bad = {**ROADMAP, "activities": [{**ROADMAP["activities"][0], "actions": [16, 30]}]}
    code, body = desk.save(cycle_id, "roadmap", "chad", bad, saved["version"])
    assert code == 422 and "Not in the cycle's Action Plan (cadiz): 30." in body["errors"]["activities"]["0"]["actions"]
    for wrong, field in (({"co_chairs": ["ZZ"]}, "co_chairs"), ({"end_date": "2026-01-01"}, "end_date"),
                         ({"kind": "party"}, "kind"), ({"gcm_objectives": [24]}, "gcm_objectives")):
        activity = {**ROADMAP["activities"][0], **wrong}
        code, body = desk.save(cycle_id, "roadmap", "chad", {**ROADMAP, "activities": [activity]}, saved["version"])
        assert code == 422 and field in body["errors"]["json"]["activities"]["0"], body
    assert desk.call("GET", f"/api/referent-cycles/{cycle_id}/roadmap", "chad")[1]["content"] == saved["content"]
    code, body = desk.save(cycle_id, "roadmap", "chad", {"themes": ["Only a theme"]}, None)
    assert code == 422 and "version" in body["errors"]
    # An incomplete roadmap cannot be submitted: every missing answer is named.
    assert desk.save(cycle_id, "roadmap", "chad", {"activities": [{"title": "Untitled kind"}]},
                     saved["version"])[0] == 200
    code, body = desk.call("POST", f"/api/referent-cycles/{cycle_id}/roadmap/submit", "chad")
    assert code == 422 and {"themes"} <= set(body["errors"])
    assert {"kind", "start_date", "actions"} <= set(body["errors"]["activities"]["0"])


def test_only_the_cycles_referents_change_it_and_only_the_secretariat_reviews(desk):
    cycle_id = _open(desk)["id"]
    assert desk.call("GET", f"/api/referent-cycles/{cycle_id}", "portugal")[0] == 404
    assert desk.save(cycle_id, "roadmap", "portugal", ROADMAP, 1)[0] == 404
    assert desk.call("GET", "/api/referent-cycles", "portugal")[1] == []
    assert desk.save(cycle_id, "roadmap", "member", ROADMAP, 1)[0] == 404
    assert desk.call("GET", f"/api/referent-cycles/{cycle_id}", "presidency")[0] == 200
    assert desk.save(cycle_id, "roadmap", "presidency", ROADMAP, 1)[0] == 403
    assert [c["id"] for c in desk.call("GET", "/api/referent-cycles", "chad")[1]] == [cycle_id]
    assert desk.save(cycle_id, "roadmap", "chad", ROADMAP, 1)[0] == 200
    assert desk.call("POST", f"/api/referent-cycles/{cycle_id}/roadmap/submit", "chad")[0] == 200
    assert desk.call("POST", f"/api/referent-cycles/{cycle_id}/roadmap/review", "chad", decision="accept")[0] == 403
    assert desk.call("POST", "/api/referent-cycles", "chad", json=OPEN)[0] == 403
    assert desk.call("POST", f"/api/referent-cycles/{cycle_id}/comments", "chad", comment="Self-praise")[0] == 403
    # A submitted roadmap is no longer a draft.
    assert desk.save(cycle_id, "roadmap", "swiss", ROADMAP, 3)[0] == 409


def test_the_pages_open_a_cycle_and_review_it(desk, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    make_account("web.ch@example.org", "referent", partner="CH", password="a long passphrase")
    officer, referent = desk.app.test_client(), desk.app.test_client()
    sign_in(officer, "clerk@example.org")
    sign_in(referent, "web.ch@example.org")
    page = officer.get("/referent-cycles/new?domain=3&lang=en").get_data(as_text=True)
    assert 'value="TD" checked' in page and 'value="CH" checked' in page
    form = {**{k: v for k, v in OPEN.items()}, "partners": ["TD", "CH"], "csrf_token": csrf_token(page)}
    refused = officer.post("/referent-cycles/new", data={**form, "report_due": "2026-12-01T17:00"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "The report cannot be due before the period ends." in text
    assert 'value="2026-04-30T17:00"' in text  # nothing typed is lost
    opened = officer.post("/referent-cycles/new", data=form)
    assert opened.status_code == 302
    path = opened.headers["Location"]
    cycle_id = int(path.rsplit("/", 1)[1])

    form_page = referent.get(path + "/roadmap?lang=en").get_data(as_text=True)
    version = form_page.split('name="version" value="')[1].split('"')[0]
    posted = {"csrf_token": csrf_token(form_page), "version": version, "activity_count": "1",
              "themes": "Unaccompanied minors\nMissing migrants", "activity-0-title": "Geneva meeting",
              "activity-0-kind": "thematic_meeting", "activity-0-start_date": "2026-09-20",
              "activity-0-place": "Geneva", "activity-0-actions": ["16"], "action": "submit"}
    missing = referent.post(path + "/roadmap", data={**posted, "activity-0-start_date": ""})
    assert missing.status_code == 422 and "Give the planned start date." in missing.get_data(as_text=True)
    assert "Geneva meeting" in missing.get_data(as_text=True)
    submitted = referent.post(path + "/roadmap", data=posted)
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]
    assert desk.cycle(cycle_id)["status"] == "roadmap_submitted"

    detail = officer.get(path + "?lang=en").get_data(as_text=True)
    assert "Geneva meeting" in detail and "Record the review" in detail
    no_comment = officer.post(path + "/roadmap/review", data={"decision": "revise", "csrf_token": csrf_token(detail)})
    assert no_comment.status_code == 422 and "Say what the referents should revise." in no_comment.get_data(as_text=True)
    accepted = officer.post(path + "/roadmap/review", data={"decision": "accept", "csrf_token": csrf_token(detail)})
    assert accepted.status_code == 302
    assert desk.cycle(cycle_id)["status"] == "roadmap_accepted"
    listing = referent.get("/referent-cycles?lang=en").get_data(as_text=True)
    assert "roadmap accepted, period under way" in listing
    report_page = referent.get(path + "/report?lang=en").get_data(as_text=True)
    assert '<option value="1" >1. Geneva meeting</option>' in report_page.replace("\n", "")


def test_a_save_over_a_co_referents_answers_shows_both_texts(desk, make_account):
    make_account("web.td@example.org", "referent", partner="TD", password="a long passphrase")
    cycle_id = _open(desk)["id"]
    chad = desk.app.test_client()
    sign_in(chad, "web.td@example.org")
    page = chad.get(f"/referent-cycles/{cycle_id}/roadmap?lang=en").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    assert desk.save(cycle_id, "roadmap", "swiss", {"themes": ["Swiss theme"]}, int(version))[0] == 200
    clash = chad.post(f"/referent-cycles/{cycle_id}/roadmap", data={
        "csrf_token": csrf_token(page), "version": version, "activity_count": "1", "themes": "Chadian theme",
        "action": "save"})
    text = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "Swiss theme" in text and "Chadian theme" in text
    assert desk.call("GET", f"/api/referent-cycles/{cycle_id}/roadmap", "officer")[1]["content"]["themes"] == ["Swiss theme"]
    newer = text.split('name="version" value="')[1].split('"')[0]
    merged = chad.post(f"/referent-cycles/{cycle_id}/roadmap", data={
        "csrf_token": csrf_token(text), "version": newer, "activity_count": "1",
        "themes": "Swiss theme\nChadian theme", "action": "save"})
    assert merged.status_code == 302
    assert desk.call("GET", f"/api/referent-cycles/{cycle_id}/roadmap", "officer")[1]["content"]["themes"] == [
        "Swiss theme", "Chadian theme"]


def test_generic_processes_cannot_speak_of_a_cycle(desk):
    cycle_id = _open(desk)["id"]
    with desk.app.app_context():
        links = db.session.scalars(select(ActionLink)).all()
    assert links == []  # nothing is e-mailed with a link before the roadmap is accepted
    code, body = desk.call("POST", "/api/cases", "officer", json={"process": "referent_cycle",
                                                                   "data": {"cycle_id": cycle_id}})
    assert code == 409 and "POST /api/referent-cycles" in body["message"]


def test_the_meeting_pages_record_a_meeting_and_send_the_questionnaire(desk, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase", language="fr")
    officer = desk.app.test_client()
    sign_in(officer, "clerk@example.org")
    page = officer.get("/thematic-meetings/new?lang=fr").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "title": "Retour volontaire et réintégration", "place": "Yaoundé",
            "start_date": "2026-02-25", "end_date": "2026-02-26", "participants": "beaucoup", "countries": "12",
            "conclusions": "20 recommandations.", "co_chairs": ["CM", "BE"]}
    refused = officer.post("/thematic-meetings/new", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Indiquez un nombre entier, 0 ou plus." in text
    assert "Choisissez les objectifs ou actions du Plan d&#39;action qu&#39;elle a servis." in text
    assert 'value="Retour volontaire et réintégration"' in text
    recorded = officer.post("/thematic-meetings/new", data={**form, "participants": "60", "actions": ["29"]})
    assert recorded.status_code == 302
    path = recorded.headers["Location"]
    page = officer.get(path).get_data(as_text=True)
    assert "60 participants de 12 pays." in page and "Le questionnaire n'a pas été envoyé." in page
    bad = officer.post(path + "/evaluation", data={"csrf_token": csrf_token(page),
                                                    "participants": "a@example.org, A, fr\nnot-an-address"})
    assert bad.status_code == 422 and "2: Adresse électronique non valide." in bad.get_data(as_text=True)
    sent = officer.post(path + "/evaluation", data={"csrf_token": csrf_token(page),
                                                     "participants": "a@example.org, A, fr\nb@example.org"})
    assert sent.status_code == 302
    assert "Le questionnaire a été envoyé à 2 participants." in officer.get(sent.headers["Location"]).get_data(as_text=True)
    desk.deliver()
    assert len(desk.mails("a@example.org", "Votre avis sur la réunion")) == 1
    assert len(desk.mails("b@example.org", "Your opinion of the meeting")) == 1
    listing = officer.get("/thematic-meetings?partner=CM").get_data(as_text=True)
    assert "Retour volontaire et réintégration" in listing
    assert "Retour volontaire" not in officer.get("/thematic-meetings?partner=TD").get_data(as_text=True)


def test_the_longest_waits_the_schedules_allow_still_end_the_case(app, frozen_clock):
    """Two years without a roadmap or a report: every weekly reminder the schedules allow is
    walked (each is a turn of the process's loop) and the case still ends, under the engine's
    depth limit."""
    from service.procedures.referent_cycle import reminders
    from workflows import engine

    with app.app_context():
        end = T0 + timedelta(days=730)
        roadmap = reminders.schedule(T0 + timedelta(days=20), T0, end)
        report = reminders.schedule(end + timedelta(days=20), end, end + timedelta(days=750))
        assert len(roadmap) == len(report) == 2 + 1 + reminders.MAX_OVERDUE_REMINDERS + 1
        definition = app.extensions["definitions"].get("referent_cycle")
        services = engine.Services(["referent_cycle_update"])
        workflow = engine.start(definition.spec, definition.subprocess_specs, {
            "cycle_id": 1, "lead_partner": "TD", "period_end": end.isoformat(),
            "roadmap_schedule": roadmap, "roadmap_index": 0, "roadmap_next": roadmap[0]["at"],
            "report_schedule": report, "report_index": 0, "report_next": report[0]["at"]}, services)
        for entry in roadmap + report:
            frozen_clock.freeze(datetime.fromisoformat(entry["at"]) + timedelta(seconds=1))
            engine.fire_due_timers(workflow)
        notices = [e["params"]["notice"] for e in services.effects]
        assert notices.count("overdue") == 2 * reminders.MAX_OVERDUE_REMINDERS
        assert notices[-1] == "report_missing" and workflow.is_completed()


def test_odd_requests_never_get_a_500(desk, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    cycle_id = _open(desk)["id"]
    officer = desk.app.test_client()
    sign_in(officer, "clerk@example.org")
    for path in ("/referent-cycles?year=99999&page=99999999999999999999", "/referent-cycles?domain=abc&page=-3",
                 "/referent-cycles/new?domain=99999999999", "/thematic-meetings?year=0&partner=XX",
                 f"/referent-cycles/{2**40}", "/thematic-meetings/99999999999"):
        assert officer.get(path).status_code in (200, 404), path
    assert officer.get("/thematic-meetings?year=0&partner=%00").status_code == 422  # NUL refused with a message
    page = officer.get("/referent-cycles/new").get_data(as_text=True)
    odd = officer.post("/referent-cycles/new", data={"csrf_token": csrf_token(page), "domain": "abc",
                                                     "period_start": "x", "partners": ["TD"]})
    assert odd.status_code == 422
    for path in ("/api/referent-cycles?year=99999", "/api/thematic-meetings?cycle=99999999999",
                 f"/api/referent-cycles/{cycle_id}/roadmap?version=abc"):
        assert desk.client.get(path, headers=bearer(desk.tokens["officer"])).status_code in (200, 422), path
    code, body = desk.call("PUT", f"/api/referent-cycles/{cycle_id}/roadmap?version=1", "chad",
                           json={"activities": "many", "themes": [None], "needs": {"a": 1}})
    assert code == 422 and {"activities", "themes", "needs"} <= set(body["errors"]["json"])
    code, body = desk.call("PUT", f"/api/referent-cycles/{cycle_id}/roadmap?version=1", "chad",
                           json={"themes": ["Mi\x00neurs"], "activities": [{"title": "A\x00"}]})
    assert code == 422 and "NUL" in body["errors"]["json"]["themes"]["0"][0]
    assert desk.client.get("/api/referent-cycles?partner=T%00D", headers=bearer(desk.tokens["officer"])).status_code == 422
    code, body = desk.call("POST", "/api/thematic-meetings", "officer", json={
        "title": "T", "co_chairs": ["CM"], "start_date": "2026-02-01", "place": "P", "participants": 10 ** 12,
        "countries": -1, "conclusions": "C", "actions": [10 ** 12], "cycle_id": 2 ** 40})
    assert code == 422 and {"participants", "countries"} <= set(body["errors"]["json"])
