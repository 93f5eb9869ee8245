"""Presidency handovers end to end through the API, the clock moved: scheduled from the term's
end, opened by itself, the summary counted from the records, the programme endorsed by silent
procedure, the checklist worked, the Presidency passed at the SOM; on SQLite and PostgreSQL."""
import html
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from notifications.models import OutboxMessage
from service import create_app, reference_data
from service.extensions import db
from service.models import Contact, Presidency
from service.scheduler import Scheduler
from tests.helpers import LAUNCH, bearer, csrf_token, follow, sign_in

# The Nigerian term ends on 31 December 2026 (presidencies.yaml), midnight in Lagos: the
# handover opens four months before, at midnight in Lagos on 31 August (23:00 UTC the day before).
OPENS = datetime(2026, 8, 30, 23, 0, tzinfo=timezone.utc)
# The SOM in Brussels on 28 January 2027: the Presidency passes at midnight, Brussels time.
SOM = {"som_date": "2027-01-28", "som_place": "Brussels", "som_timezone": "Europe/Brussels"}
SOM_AT = datetime(2027, 1, 27, 23, 0, tzinfo=timezone.utc)
BELGIAN = {"incoming_title_en": "the Belgian Presidency", "incoming_title_fr": "la Présidence belge"}
PROGRAMME = {
    "vision": "A Dialogue of partnerships for regular pathways.",
    "priorities": ["Labour mobility and talent partnerships", "Protection along the routes"],
    "activities": [
        {"kind": "thematic_meeting", "title": "Talent partnerships", "co_chairs": ["BE", "SN"],
         "start_date": "2027-04-20", "end_date": "2027-04-21", "place": "Dakar", "actions": [6, 7]},
        {"kind": "steering_committee", "title": "Steering Committee", "start_date": "2027-06-10", "place": "Brussels"},
    ],
    "next_som_date": "2028-01-25", "next_som_place": "Dakar",
}
REQUEST = {
    "title": "Diaspora entrepreneurship fund", "type": "bilateral_project", "lead_partner": "SN",
    "partners": ["FR"], "implementing_organisations": ["Agence sénégalaise de promotion"],
    "start_date": "2026-04-01", "end_date": "2026-09-30", "location": "Dakar", "budget_eur": "250000.00",
    "funding_source": "Bilateral cooperation", "summary": "Seed funding for diaspora-led businesses.",
    "expected_results": "40 businesses created.", "actions": [3, 6, 20], "gcm_objectives": [19],
    "contact_name": "Awa Diop", "contact_email": "awa.diop@example.org",
}


@pytest.fixture
def timeline(database_uri):
    """The presidency timeline is reference data the tests share: before each test, and after
    one that moved it (once the other tables were emptied), it is loaded again from
    presidencies.yaml, whatever another module's test left."""
    _reload_timeline(database_uri)
    yield
    _reload_timeline(database_uri)


def _reload_timeline(database_uri):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        db.session.execute(sa.update(Presidency).values(set_by_handover_id=None))
        db.session.execute(sa.delete(Presidency))
        reference_data.load()
        db.session.commit()
        db.engine.dispose()


@pytest.fixture
def app(timeline, make_app):
    return make_app()


class Desk:
    """The Secretariat, the Presidencies and the committee around one handover."""

    def __init__(self, app, clock, tokens):
        self.app, self.clock, self.tokens = app, clock, tokens
        self.client = app.test_client()
        self.scheduler = Scheduler(app, owner="test")

    def call(self, method, path, who, **json):
        response = self.client.open(path, method=method, headers=bearer(self.tokens[who]), json=json if json else None)
        return response.status_code, response.get_json()

    def run(self):
        self.scheduler.run_once()
        self.scheduler.run_once()

    def at(self, instant):
        self.clock.freeze(instant)
        self.run()

    def mails(self, to, subject=""):
        with self.app.app_context():
            return [(m.subject, m.text_body) for m in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.to_email == to).order_by(OutboxMessage.id)) if subject in m.subject]

    def roles(self, email):
        with self.app.app_context():
            return db.session.scalar(select(Contact).where(Contact.email == email)).roles

    def setup(self):
        result = self.app.test_cli_runner().invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture
def desk(app, make_account, frozen_clock):
    tokens = {"officer": make_account("officer@example.org", "secretariat")[1],
              "ng": make_account("presidency.ng@example.org", "presidency", partner="NG")[1],
              "be": make_account("focal.be@example.org", "partner", partner="BE", language="fr")[1],
              "sn": make_account("focal.sn@example.org", "partner", partner="SN", language="fr")[1]}
    make_account("ng@example.org", "committee-member", partner="NG")
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    return Desk(app, frozen_clock, tokens)


def _records_of_the_term(desk):
    """A labelled initiative (actions 3, 6, 20) after a silent procedure adopted, a request
    only received (action 29), and a silent procedure withdrawn."""
    code, labelled = desk.call("POST", "/api/labelling-requests", "sn", **REQUEST)
    assert code == 201, labelled
    assert desk.call("POST", f"/api/labelling-requests/{labelled['id']}/submit", "sn")[0] == 200
    assert desk.call("POST", f"/api/labelling-requests/{labelled['id']}/review", "officer", decision="accept")[0] == 200
    code, received = desk.call("POST", "/api/labelling-requests", "sn", **{**REQUEST, "title": "Return fund", "actions": [29]})
    assert desk.call("POST", f"/api/labelling-requests/{received['id']}/submit", "sn")[0] == 200
    code, withdrawn = desk.call("POST", "/api/silent-procedures", "officer", **LAUNCH)
    assert code == 201
    assert desk.call("POST", f"/api/silent-procedures/{withdrawn['id']}/withdraw", "officer",
                     reason="Superseded by the new programme.")[0] == 200
    desk.at(desk.clock.now() + timedelta(days=15))
    assert desk.call("GET", f"/api/labelling-requests/{labelled['id']}", "sn")[1]["status"] == "labelled"
    return labelled["id"], received["id"], withdrawn["id"]


def test_a_handover_from_its_opening_date_to_the_som(desk):
    labelled, received, withdrawn = _records_of_the_term(desk)

    # Setup schedules the term's handover from the recorded end of the term.
    assert "opens by itself on 2026-08-30 23:00 UTC" in desk.setup()
    code, page = desk.call("GET", "/api/handovers", "officer")
    assert code == 200 and page["total"] == 1
    handover = page["items"][0]
    assert (handover["status"], handover["outgoing"]["code"], handover["opens_at"]) == ("scheduled", "NG", OPENS.isoformat())
    path = f"/api/handovers/{handover['id']}"

    # Nothing happens before the opening date; just after, it opens by itself.
    desk.at(OPENS)
    assert desk.call("GET", path, "officer")[1]["status"] == "scheduled"
    desk.at(OPENS + timedelta(seconds=1))
    handover = desk.call("GET", path, "officer")[1]
    assert (handover["status"], handover["opened_by"]) == ("open", "service")
    assert handover["open_tasks"] == ["finalise_summary", "name_incoming"]
    assert len(desk.mails("officer@example.org", "Handover of the Presidency opened")) == 1
    assert len(desk.mails("presidency.ng@example.org", "Handover of the Presidency opened")) == 1

    # The summary is pre-filled from the records of the term, each figure with its records.
    summary = desk.call("GET", f"{path}/summary", "ng")[1]
    sections = {s["key"]: s for s in summary["figures"]["sections"]}
    assert sections["silent_procedures"]["count"] == 2
    assert sections["silent_procedures"]["by_outcome"] == {"adopted": 1, "withdrawn": 1}
    assert withdrawn in [r["id"] for r in sections["silent_procedures"]["records"]]
    assert [r["id"] for r in sections["labelling_requests"]["records"]] == [labelled, received]
    assert [r["id"] for r in sections["labelled_initiatives"]["records"]] == [labelled]
    coverage = summary["figures"]["coverage"]
    assert (coverage["objectives"]["count"], coverage["objectives"]["total"]) == (3, 10)
    assert (coverage["actions"]["count"], coverage["actions"]["total"]) == (3, 29)
    assert coverage["actions"]["numbers"] == [3, 6, 20] and coverage["objectives"]["numbers"] == [1, 3, 7]
    assert coverage["actions"]["records"]["20"] == [{"kind": "labelled_initiative", "id": labelled,
                                                    "label": REQUEST["title"]}]

    # The Secretariat names the incoming Presidency and the SOM; bad input is refused clearly.
    code, body = desk.call("PATCH", path, "officer", incoming="NG")
    assert code == 422 and "another partner than the outgoing one (Nigeria)" in body["errors"]["incoming"][0]
    code, body = desk.call("PATCH", path, "officer", incoming="BE", som_date="2026-08-01")
    assert code == 422 and body["errors"]["som_date"] == ["The SOM's date is in the past."]
    code, body = desk.call("PATCH", path, "officer", incoming="BE", **SOM, **BELGIAN)
    assert code == 200, body
    assert (body["incoming"]["code"], body["som_at"]) == ("BE", SOM_AT.isoformat())
    assert body["open_tasks"] == ["finalise_summary", "submit_programme"]
    invited = desk.mails("focal.be@example.org")
    assert len(invited) == 1 and "Votre programme" in invited[0][0]
    assert "Le mandat de la Présidence belge commence à la réunion des hauts fonctionnaires du 28 janvier 2027" \
        in invited[0][1]
    troika = desk.client.get("/api/presidency").get_json()["troika"]
    assert [p and p["code"] for p in (troika["previous"], troika["current"], troika["next"])] == ["PT", "NG", "BE"]

    # The incoming Presidency's programme: a draft, refused incomplete, then submitted.
    code, body = desk.call("PUT", f"{path}/programme", "be", vision=PROGRAMME["vision"])
    assert code == 200 and body["status"] == "draft"
    code, body = desk.call("POST", f"{path}/programme/submit", "be")
    assert code == 422 and {"priorities", "next_som_date"} <= set(body["errors"])
    assert desk.call("PUT", f"{path}/programme", "sn", **PROGRAMME)[0] == 404  # not the incoming Presidency
    assert desk.call("PUT", f"{path}/programme", "be", **PROGRAMME)[0] == 200
    code, body = desk.call("POST", f"{path}/programme/submit", "be")
    assert code == 200 and body["status"] == "submitted", body
    assert len(desk.mails("officer@example.org", "Programme of the incoming Presidency submitted")) == 1

    # Endorsed by the Steering Committee by silent procedure, its deadline before the SOM.
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="silent_procedure",
                           deadline="2027-02-01T17:00", timezone="Europe/Brussels")
    assert code == 422 and "must fall before the SOM" in body["errors"]["deadline"][0]
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="silent_procedure",
                           deadline="2026-09-20T17:00", timezone="Europe/Brussels")
    assert code == 200 and body["status"] == "in_silent_procedure", body
    desk.run()
    (subject, text), = desk.mails("be@example.org", "Programme de la Présidence belge")
    assert "Au nom de la Présidence nigériane, le Secrétariat soumet" in text and "Talent partnerships" in text
    desk.at(datetime(2026, 9, 20, 15, 0, 1, tzinfo=timezone.utc))
    programme = desk.call("GET", f"{path}/programme", "be")[1]
    assert (programme["status"], programme["endorsed_by"]) == ("endorsed", "silent_procedure")
    assert len(desk.mails("focal.be@example.org", "Programme de la Présidence entrante approuvé")) == 1

    # The checklist: due dates from the SOM, reminders of the undone tasks, ticked with who and when.
    checklist = desk.call("GET", f"{path}/checklist", "officer")[1]
    assert [(i["key"], i["due_date"]) for i in checklist] == [
        ("briefing", "2026-12-29"), ("contacts_list", "2027-01-14"), ("website", "2027-02-04"), ("archives", "2027-02-27")]
    code, checklist = desk.call("POST", f"{path}/checklist", "officer", title="Hand over the SOM's minutes",
                                due_date="2027-02-10")
    assert code == 201 and len(checklist) == 5
    briefing = checklist[0]["id"]
    desk.at(datetime(2026, 12, 29, 8, 0, 1, tzinfo=timezone.utc))  # 09:00 in Brussels
    reminders = desk.mails("officer@example.org", "Handover checklist: tasks due")
    assert len(reminders) == 1 and "Brief the incoming Presidency" in reminders[0][1]
    code, checklist = desk.call("POST", f"{path}/checklist/{briefing}/tick", "officer", note="Done in Brussels.")
    assert code == 200 and (checklist[0]["done_by"], checklist[0]["done_at"]) == (
        "officer@example.org", "2026-12-29T08:00:01+00:00")
    assert desk.call("POST", f"{path}/checklist/{briefing}/tick", "officer")[0] == 409
    desk.at(datetime(2027, 1, 5, 8, 0, 1, tzinfo=timezone.utc))  # a week later: nothing undone is due
    assert len(desk.mails("officer@example.org", "Handover checklist: tasks due")) == 1

    # The summary completed by the outgoing Presidency, then made final.
    code, summary = desk.call("PATCH", f"{path}/summary", "ng", highlights="A year of regular pathways.", activities=[
        {"kind": "thematic_meeting", "title": "Humane border management", "date": "2026-06-10", "place": "Abuja",
         "actions": [20, 21, 22]}])
    assert code == 200, summary
    coverage = summary["figures"]["coverage"]
    assert (coverage["actions"]["count"], coverage["objectives"]["count"]) == (5, 3)
    assert desk.call("PATCH", f"{path}/summary", "be", highlights="Not ours")[0] == 403
    code, summary = desk.call("POST", f"{path}/summary/final", "ng")
    assert code == 200 and summary["final"] and summary["final_by"] == "presidency.ng@example.org"
    assert desk.call("PATCH", f"{path}/summary", "ng", highlights="Too late")[0] == 409

    # A silent procedure launched before the SOM keeps the name it was launched under.
    code, running = desk.call("POST", "/api/silent-procedures", "officer",
                              **{**LAUNCH, "deadline": "2027-02-05T17:00"})
    assert code == 201 and running["on_behalf_of"] == "NG"

    # At the SOM's date the Presidency passes.
    desk.at(SOM_AT)
    assert desk.call("GET", path, "officer")[1]["status"] == "open"
    desk.at(SOM_AT + timedelta(seconds=1))
    handover = desk.call("GET", path, "officer")[1]
    assert handover["status"] == "passed"
    assert "presidency" in desk.roles("focal.be@example.org")
    assert "presidency" not in desk.roles("presidency.ng@example.org")
    # The contact base shows who changed the roles: the handover, as the Secretariat reads it.
    [be] = desk.call("GET", "/api/contacts?search=focal.be", "officer")[1]
    [change] = [h for h in desk.call("GET", f"/api/contacts/{be['id']}/history", "officer")[1]
                if h["action"] == "handover"]
    assert change["actor"] == "system" and change["after"]["roles"] == ["partner", "presidency"]
    (subject, text), = desk.mails("focal.be@example.org", "Présidence du Dialogue")
    assert subject == "[Processus de Rabat] Présidence du Dialogue : la Présidence nigériane passe le relais à la Présidence belge"
    assert "votre compte a désormais le rôle de la Présidence" in text
    (subject, text), = desk.mails("ng@example.org", "Presidency of the Dialogue")
    assert "passed from the Nigerian Presidency to the Belgian Presidency" in text
    assert len(desk.mails("officer@example.org", "Presidency of the Dialogue")) == 1
    state = desk.client.get("/api/presidency").get_json()
    assert state["current"]["code"] == "BE" and state["term_end"] == "2028-01-25"
    assert [state["troika"][k] and state["troika"][k]["code"] for k in ("previous", "current", "next")] == ["NG", "BE", None]
    timeline = desk.client.get("/api/reference/presidencies").get_json()
    assert [(p["partner"], p["start"], p["end"], p["set_by_handover"]) for p in timeline[-2:]] == [
        ("NG", "2025-01-29", "2027-01-28", handover["id"]), ("BE", "2027-01-28", None, handover["id"])]

    # Notices speak in the incoming Presidency's name; the running procedure keeps its own.
    code, launched = desk.call("POST", "/api/silent-procedures", "officer", **{**LAUNCH, "deadline": "2027-02-08T17:00"})
    assert code == 201 and launched["on_behalf_of"] == "BE"
    desk.run()
    notices = [t for s, t in desk.mails("be@example.org", "Procédure d'approbation tacite")]
    assert "Au nom de la Présidence belge, le Secrétariat soumet" in notices[-1]
    desk.at(datetime(2027, 2, 5, 16, 0, 1, tzinfo=timezone.utc))
    (subject, text), = desk.mails("ng@example.org", "Adopted ad referendum: " + LAUNCH["subject"])
    assert "Launched on behalf of the Nigerian Presidency" in text

    # The last tasks ticked: the handover is complete.
    for item in desk.call("GET", f"{path}/checklist", "officer")[1]:
        if not item["done"]:
            assert desk.call("POST", f"{path}/checklist/{item['id']}/tick", "officer")[0] == 200
    handover = desk.call("GET", path, "officer")[1]
    assert (handover["status"], handover["open_tasks"]) == ("completed", [])

    # Setup again keeps the Presidency the handover set, and says where the file differs.
    output = desk.setup()
    assert "NG from 2025-01-29: ended 2027-01-28 (set by handover no." in output
    assert "BE from 2027-01-28: recorded (set by handover no." in output
    assert desk.client.get("/api/presidency").get_json()["current"]["code"] == "BE"
    # ...and the next term's handover is scheduled from the next SOM the programme gave.
    page = desk.call("GET", "/api/handovers?status=scheduled", "officer")[1]
    assert [(h["outgoing"]["code"], h["som_date"]) for h in page["items"]] == [("BE", "2028-01-25")]


def test_bad_input_gets_a_clear_message_and_a_term_has_one_handover(desk):
    opening = {"incoming": "BE", **SOM}
    code, body = desk.call("POST", "/api/handovers", "officer", **{**opening, "incoming": "NG"})
    assert code == 422 and body["errors"]["incoming"] == [
        "The incoming Presidency must be another partner than the outgoing one (Nigeria)."]
    code, body = desk.call("POST", "/api/handovers", "officer", **{**opening, "som_date": "2026-03-01"})
    assert code == 422 and body["errors"]["json"]["som_date"] == ["The SOM's date is in the past."]
    # The Steering Committee needs at least a silent procedure's shortest time (72 hours).
    code, body = desk.call("POST", "/api/handovers", "officer", **{**opening, "som_date": "2026-03-04"})
    assert code == 422 and body["errors"]["json"]["som_date"] == [
        "The SOM is too soon for the Steering Committee to endorse the programme (a silent procedure lasts at "
        "least 72 hours): choose 2026-03-06 or later."]
    code, body = desk.call("POST", "/api/handovers", "officer", **{**opening, "incoming": "XX", "som_timezone": "Mars/Olympus"})
    assert code == 422 and "Unknown partner: XX." in body["errors"]["json"]["incoming"]
    assert desk.call("POST", "/api/handovers", "be", **opening)[0] == 403
    assert desk.call("GET", "/api/handovers", "officer")[1]["total"] == 0

    code, body = desk.call("POST", "/api/handovers", "officer", **opening, **BELGIAN)
    assert code == 201 and (body["status"], body["opened_by"]) == ("open", "officer@example.org"), body
    code, again = desk.call("POST", "/api/handovers", "officer", **{**opening, "incoming": "SN"})
    assert code == 409 and again["message"] == (
        f"The handover of this term is already open (no. {body['id']}): change it rather than open another.")
    # Nor can the term's end be recorded again once its handover is open.
    code, refused = desk.call("PUT", "/api/presidency/term-end", "officer", term_end="2027-06-30")
    assert code == 409 and "change the SOM's date on it" in refused["message"]
    # The incoming Presidency's focal points see their handover; another partner sees none.
    assert desk.call("GET", "/api/handovers", "be")[1]["total"] == 1
    assert desk.call("GET", "/api/handovers", "sn")[1]["total"] == 0
    assert desk.call("GET", f"/api/handovers/{body['id']}", "sn")[0] == 404
    assert desk.call("GET", "/api/handovers?per_page=500", "officer")[0] == 422


def test_the_secretariat_opens_a_scheduled_handover_early_and_the_programme_is_endorsed_by_a_decision(desk):
    code, state = desk.call("PUT", "/api/presidency/term-end", "officer", term_end="2027-01-20")
    assert code == 200 and state["term_end"] == "2027-01-20"
    page = desk.call("GET", "/api/handovers", "officer")[1]
    (scheduled,) = page["items"]
    assert (scheduled["status"], scheduled["opens_at"]) == ("scheduled", "2026-09-19T23:00:00+00:00")
    # Recorded again, the term's end moves the opening (four months before; no 31 September).
    assert desk.call("PUT", "/api/presidency/term-end", "officer", term_end="2027-01-31")[0] == 200
    (scheduled,) = desk.call("GET", "/api/handovers", "officer")[1]["items"]
    assert (scheduled["som_date"], scheduled["opens_at"]) == ("2027-01-31", "2026-09-29T23:00:00+00:00")
    code, body = desk.call("PUT", "/api/presidency/term-end", "officer", term_end="2026-03-01")
    assert code == 422 and body["errors"]["json"]["term_end"] == ["The end of the term must be in the future."]
    code, body = desk.call("POST", "/api/handovers", "officer", incoming="BE", **SOM, **BELGIAN)
    assert code == 201 and body["id"] == scheduled["id"] and body["status"] == "open"
    assert body["open_tasks"] == ["finalise_summary", "submit_programme"]
    path = f"/api/handovers/{body['id']}"
    # Its opening date comes and goes: it does not open twice.
    desk.at(datetime(2026, 9, 30, tzinfo=timezone.utc))
    assert len(desk.mails("officer@example.org", "Handover of the Presidency opened")) == 1

    assert desk.call("PUT", f"{path}/programme", "be", **PROGRAMME)[0] == 200
    assert desk.call("POST", f"{path}/programme/submit", "be")[0] == 200
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="revise")
    assert code == 422 and "note" in body["errors"]["json"]
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="revise",
                           note="Add the Steering Committee meetings.")
    assert code == 200 and body["status"] == "revision_requested"
    (subject, text), = desk.mails("focal.be@example.org", "Révision de votre programme")
    assert "Add the Steering Committee meetings." in text
    assert desk.call("POST", f"{path}/programme/submit", "be")[0] == 200
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="decision",
                           decision_date="2026-10-05", note="Steering Committee meeting of 5 October")
    assert code == 422 and "future" in body["errors"]["json"]["decision_date"][0]
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="decision",
                           decision_date="2026-09-28", note="Steering Committee meeting of 28 September, Brussels.")
    assert code == 200 and (body["status"], body["endorsed_by"], body["decision_date"]) == (
        "endorsed", "decision", "2026-09-28")
    # The programme can no longer change, nor can the incoming Presidency.
    assert desk.call("PUT", f"{path}/programme", "be", vision="Another")[0] == 409
    assert desk.call("PATCH", path, "officer", incoming="SN")[0] == 409


def test_two_schedulers_open_the_handover_once(timeline, make_app, make_account, frozen_clock):
    first, second = make_app(), make_app()
    make_account("officer@example.org", "secretariat")
    result = first.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    frozen_clock.freeze(OPENS + timedelta(minutes=5))
    barrier = threading.Barrier(2)

    def run(app, name):
        scheduler = Scheduler(app, owner=name)
        barrier.wait()
        scheduler.run_once()

    threads = [threading.Thread(target=run, args=(app, name)) for app, name in ((first, "one"), (second, "two"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with first.app_context():
        opened = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.to_email == "officer@example.org")).all()
        assert [m.subject for m in opened] == ["[Rabat Process] Handover of the Presidency opened"]
        from service.procedures.presidency_handover.models import ChecklistItem, Handover, ResultsSummary

        assert [h.status for h in db.session.scalars(select(Handover))] == ["open"]
        assert len(db.session.scalars(select(ChecklistItem)).all()) == 4
        assert len(db.session.scalars(select(ResultsSummary)).all()) == 1


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_pages_in_french_from_opening_to_the_endorsed_programme(app, make_account):
    make_account("greffe@example.org", "secretariat", language="fr", password="a long passphrase")
    make_account("focal.be@example.org", "partner", partner="BE", language="fr", password="a long passphrase")
    officer, incoming = app.test_client(), app.test_client()
    sign_in(officer, "greffe@example.org")
    sign_in(incoming, "focal.be@example.org")

    page = officer.get("/handovers/new").get_data(as_text=True)
    assert "Ouvrir la passation de la Présidence" in page and "Sortante : Nigéria." in page
    form = {"csrf_token": csrf_token(page), "incoming": "NG", "som_date": "2026-03-01", "som_place": "Bruxelles",
            "som_timezone": "Europe/Brussels", **BELGIAN}
    refused = officer.post("/handovers/new", data=form)
    text = _text(refused)
    assert refused.status_code == 422 and "La date de la réunion des hauts fonctionnaires est passée." in text
    assert 'value="Bruxelles"' in text  # nothing typed is lost
    refused = officer.post("/handovers/new", data={**form, "som_date": "2027-01-28"})
    assert refused.status_code == 422
    assert "La Présidence entrante doit être un autre partenaire que la sortante (Nigéria)." in _text(refused)
    opened = officer.post("/handovers/new", data={**form, "som_date": "2027-01-28", "incoming": "BE"})
    assert opened.status_code == 302
    detail = opened.headers["Location"]
    page = _text(officer.get(detail))
    assert "Passation de la Présidence : Nigéria à Belgique" in page
    assert "0 des 10 objectifs et 0 des 29 actions du Plan d'action de Cadix abordés" in page
    assert "Procédures d'approbation tacite menées : 0" in page

    # The incoming Presidency's focal point writes the programme; a row with a mistake is shown.
    page = incoming.get(detail + "/programme").get_data(as_text=True)
    assert "Programme de Belgique" in page
    form = {"csrf_token": csrf_token(page), "vision": PROGRAMME["vision"], "priorities": "Mobilité\nProtection",
            "rows": "2", "activity-0-kind": "thematic_meeting", "activity-0-title": "", "activity-0-co_chairs": "be sn",
            "activity-0-start_date": "2027-04-20", "activity-0-place": "Dakar", "activity-0-actions": "6 7",
            "activity-1-kind": "other", "next_som_date": "2028-01-25", "next_som_place": "Dakar", "action": "submit"}
    refused = incoming.post(detail + "/programme", data=form)
    text = _text(refused)
    assert refused.status_code == 422 and "Ligne 1, Titre : Le titre de l'activité est obligatoire." in text
    assert "Protection" in text
    submitted = incoming.post(detail + "/programme", data={**form, "activity-0-title": "Partenariats de talents"})
    assert submitted.status_code == 302
    page = _text(officer.get(detail))
    assert "soumis" in page and "Partenariats de talents" in page and "BE, SN" in page

    # The Secretariat records the Steering Committee's decision, ticks a task, completes the summary.
    refused = officer.post(detail + "/endorsement", data={"csrf_token": csrf_token(page), "how": "decision"})
    assert refused.status_code == 422 and "Donnez la date de la décision." in _text(refused)
    endorsed = officer.post(detail + "/endorsement", data={
        "csrf_token": csrf_token(page), "how": "decision", "decision_date": "2026-03-02",
        "note": "Comité de pilotage du 2 mars, Bruxelles."})
    assert endorsed.status_code == 302
    page = _text(officer.get(detail))
    assert "approuvé" in page and "Comité de pilotage du 2 mars, Bruxelles." in page
    first = re.search(r'/checklist/(\d+)/tick', page).group(1)
    assert officer.post(f"{detail}/checklist/{first}/tick", data={"csrf_token": csrf_token(page),
                                                                  "note": "Fait."}).status_code == 302
    page = _text(officer.get(detail))
    assert "Cochée par greffe@example.org" in page and "Fait." in page
    saved = officer.post(detail + "/summary", data={
        "csrf_token": csrf_token(page), "highlights": "Une année de voies régulières.", "rows": "1",
        "activity-0-kind": "thematic_meeting", "activity-0-title": "Gestion humanisée des frontières",
        "activity-0-date": "2026-02-10", "activity-0-place": "Abuja", "activity-0-actions": "20 21 22", "action": "save"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    page = _text(officer.get(detail))
    assert "1 des 10 objectifs et 3 des 29 actions du Plan d'action de Cadix abordés" in page
    assert "Gestion humanisée des frontières" in page
    english = _text(officer.get(detail + "?lang=en"))
    assert "Handover of the Presidency: Nigeria to Belgium" in english
    assert "1 of 10 objectives and 3 of 29 actions of the Cadiz Action Plan addressed, in 1 of 5 domains." in english
    officer.get(detail + "?lang=fr")
    theirs = incoming.get(detail).get_data(as_text=True)
    assert "Enregistrer le bilan" not in theirs  # the incoming Presidency reads the summary, does not write it
    assert incoming.post(detail + "/summary", data={"csrf_token": csrf_token(theirs), "highlights": "x"}).status_code == 403


def test_the_som_moves_and_a_programme_endorsed_after_the_som_gives_the_next_term_its_end(desk):
    code, body = desk.call("POST", "/api/handovers", "officer", incoming="BE", som_date="2026-03-10",
                           som_place="Brussels", som_timezone="Europe/Brussels")
    assert code == 201, body
    path = f"/api/handovers/{body['id']}"
    before = {i["key"]: i["due_date"] for i in desk.call("GET", f"{path}/checklist", "officer")[1]}
    code, body = desk.call("PATCH", path, "officer", som_date="2026-03-12")
    assert code == 200 and body["som_at"] == "2026-03-11T23:00:00+00:00"
    after = {i["key"]: i["due_date"] for i in desk.call("GET", f"{path}/checklist", "officer")[1]}
    assert (before["website"], after["website"]) == ("2026-03-17", "2026-03-19")

    desk.at(datetime(2026, 3, 9, 23, 0, 1, tzinfo=timezone.utc))  # the first date: nothing passes
    assert desk.call("GET", path, "officer")[1]["status"] == "open"
    desk.at(datetime(2026, 3, 11, 23, 0, 1, tzinfo=timezone.utc))
    assert desk.call("GET", path, "officer")[1]["status"] == "passed"
    assert "presidency" in desk.roles("focal.be@example.org")
    state = desk.client.get("/api/presidency").get_json()
    assert (state["current"]["code"], state["term_end"]) == ("BE", None)
    assert desk.call("GET", "/api/handovers?status=scheduled", "officer")[1]["total"] == 0

    # The programme, endorsed after the SOM, names the next SOM: the next handover is scheduled.
    assert desk.call("PUT", f"{path}/programme", "be", **PROGRAMME)[0] == 200
    assert desk.call("POST", f"{path}/programme/submit", "be")[0] == 200
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="decision",
                           decision_date="2026-03-12", note="Steering Committee at the SOM, Brussels.")
    assert code == 200 and body["status"] == "endorsed", body
    assert desk.client.get("/api/presidency").get_json()["term_end"] == "2028-01-25"
    (scheduled,) = desk.call("GET", "/api/handovers?status=scheduled", "officer")[1]["items"]
    assert (scheduled["outgoing"]["code"], scheduled["som_date"]) == ("BE", "2028-01-25")


def test_silence_broken_on_the_programme_the_secretariat_decides_what_follows(desk):
    code, body = desk.call("POST", "/api/handovers", "officer", incoming="BE", **SOM, **BELGIAN)
    path = f"/api/handovers/{body['id']}"
    assert desk.call("PUT", f"{path}/programme", "be", **PROGRAMME)[0] == 200
    assert desk.call("POST", f"{path}/programme/submit", "be")[0] == 200
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="silent_procedure")
    assert code == 200 and body["status"] == "in_silent_procedure", body
    desk.run()
    with desk.app.app_context():
        notice = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "ng@example.org",
                                                               OutboxMessage.subject.contains("Programme of")))
        link = re.search(r"https://rabat.example.org(/act/\S+)", next(
            line for line in notice.text_body.splitlines() if "Object" in line)).group(1)
    assert follow(desk.client, link, reason="The calendar misses domain 5.").status_code == 200
    desk.run()
    programme = desk.call("GET", f"{path}/programme", "officer")[1]
    assert programme["status"] == "submitted"
    assert desk.call("GET", path, "officer")[1]["open_tasks"] == ["endorse_programme", "finalise_summary"]
    (subject, text), = desk.mails("officer@example.org", "not endorsed")
    assert "silence broken or withdrawn" in text
    code, body = desk.call("POST", f"{path}/programme/endorsement", "officer", how="revise",
                           note="Add a meeting on return and reintegration (domain 5).")
    assert code == 200 and body["status"] == "revision_requested"
    assert desk.call("GET", path, "officer")[1]["open_tasks"] == ["finalise_summary", "submit_programme"]
