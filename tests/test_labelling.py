"""Labelling requests end to end, through the API, with e-mail read back from a real SMTP server."""
import csv
import io
import re
from datetime import timedelta

import pytest

from service.scheduler import Scheduler
from tests.helpers import REQUEST, T0, Mailbox, bearer, csrf_token, follow, sign_in



class Desk(Mailbox):
    """The partner, the Secretariat and the committee around one request."""

    def __init__(self, app, smtp, clock, tokens):
        super().__init__(smtp)
        self.app, self.clock = app, clock
        self.client = app.test_client()
        self.scheduler = Scheduler(app, owner="test")
        self.partner, self.officer, self.other_partner = tokens["partner"], tokens["officer"], tokens["other"]

    def call(self, method, path, token, **json):
        response = self.client.open(path, method=method, headers=bearer(token), json=json if json else None)
        return response.status_code, response.get_json()

    def deliver(self):
        self.scheduler.run_once()
        self.scheduler.run_once()

    def act(self, to, label, **form):
        """Follow the member's link from the latest silent procedure notice."""
        path = [p for subject in ("Silent procedure", "tacite") for p in self.links(to, label, subject)][-1]
        return follow(self.client, path, **form)


@pytest.fixture
def desk(make_app, make_account, smtp_server, frozen_clock):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    tokens = {"officer": make_account("officer@example.org", "secretariat")[1],
              "partner": make_account("focal.sn@example.org", "partner", partner="SN", language="fr")[1],
              "other": make_account("focal.fr@example.org", "partner", partner="FR")[1]}
    make_account("ng@example.org", "committee-member", partner="NG")
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    return Desk(app, smtp_server, frozen_clock, tokens)


def test_the_whole_path_to_the_register_and_the_results_report(desk):
    code, draft = desk.call("POST", "/api/labelling-requests", desk.partner, title="Diaspora fund", type="bilateral_project")
    assert code == 201 and draft["status"] == "draft"
    request_id = draft["id"]
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/submit", desk.partner)
    assert code == 422 and {"summary", "actions", "contact_email"} <= set(body["errors"])
    code, body = desk.call("PATCH", f"/api/labelling-requests/{request_id}", desk.partner, **REQUEST)
    assert code == 200 and body["title"] == REQUEST["title"]
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/submit", desk.partner)
    assert code == 200 and body["status"] == "submitted"
    desk.deliver()
    assert len(desk.mails("officer@example.org", "New labelling request")) == 1

    # The Secretariat asks for changes; the partner is told, in French, and amends.
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer,
                           decision="request_changes", comment="Please give the budget breakdown.")
    assert code == 200 and body["status"] == "changes_requested"
    desk.deliver()
    told = desk.mails("focal.sn@example.org", "Modifications demandées")
    assert len(told) == 1 and "budget breakdown" in told[0].get_body(("plain",)).get_content()
    assert len(desk.mails("awa.diop@example.org", "Changes requested")) == 1
    code, _ = desk.call("PATCH", f"/api/labelling-requests/{request_id}", desk.partner, funding_source="Bilateral (breakdown annexed)")
    assert code == 200
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/submit", desk.partner)
    assert code == 200 and body["status"] == "submitted"
    code, body = desk.call("PATCH", f"/api/labelling-requests/{request_id}", desk.partner, title="Changed after submission")
    assert code == 409

    # Accepted: a silent procedure starts with the officer's deadline.
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer,
                           decision="accept", deadline="2026-03-20T17:00", timezone="Europe/Brussels")
    assert code == 200, body
    assert body["status"] == "in_silent_procedure" and body["silent_procedure_id"]
    desk.deliver()
    notice = desk.mails("ng@example.org", "Silent procedure")
    assert len(notice) == 1 and "Diaspora entrepreneurship fund" in notice[0]["Subject"]
    desk.clock.freeze(T0 + timedelta(days=19))
    desk.deliver()
    code, body = desk.call("GET", f"/api/labelling-requests/{request_id}", desk.partner)
    assert body["status"] == "labelled"
    desk.deliver()
    assert len(desk.mails("focal.sn@example.org", "labellisée")) == 1
    register = desk.client.get("/api/labelled-initiatives").get_json()
    assert [r["title"] for r in register] == [REQUEST["title"]]
    assert register[0]["actions"] == [{"domain": 1, "objective": 1, "action": 3, "title": {
        "en": "Entrepreneurship and productive investment by young people of the diaspora and by women",
        "fr": "Entrepreneuriat et investissement productif des jeunes de la diaspora et des femmes"}}]
    assert desk.client.get("/api/labelled-initiatives?domain=2").get_json() == []
    assert len(desk.client.get("/api/labelled-initiatives?partner=FR&year=2026&type=bilateral_project").get_json()) == 1
    exported = list(csv.DictReader(io.StringIO(desk.client.get("/api/labelled-initiatives.csv").get_data(as_text=True))))
    assert [(row["title"], row["lead_partner"], row["partners"], row["actions"]) for row in exported] == [
        (REQUEST["title"], "SN", "FR", "3")]

    # After the end date the partner is asked for a results report, then reminded.
    code, _ = desk.call("POST", f"/api/labelling-requests/{request_id}/results", desk.partner,
                        activities="Training", results="12 businesses")
    assert code == 409  # not asked for yet
    desk.clock.freeze(T0.replace(month=10, day=1, hour=0) + timedelta(seconds=1))
    desk.deliver()
    assert len(desk.mails("focal.sn@example.org", "Merci de rendre compte")) == 1
    desk.clock.advance(timedelta(days=31))
    desk.deliver()
    assert len(desk.mails("focal.sn@example.org", "Rappel : le compte rendu")) == 1
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/results", desk.partner,
                           activities="Training sessions in Dakar", results="12 businesses created")
    assert code == 200 and body["results"]["results"] == "12 businesses created"
    assert desk.client.get("/api/labelled-initiatives").get_json()[0]["results"]["activities"] == "Training sessions in Dakar"


def _submitted(desk):
    _, draft = desk.call("POST", "/api/labelling-requests", desk.partner, **REQUEST)
    desk.call("POST", f"/api/labelling-requests/{draft['id']}/submit", desk.partner)
    return draft["id"]


def test_silence_broken_then_the_secretariat_records_the_outcome(desk):
    request_id = _submitted(desk)
    desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer, decision="accept")
    desk.deliver()
    assert desk.act("ng@example.org", "Object", reason="Not eligible: no regional dimension.").status_code == 200
    desk.deliver()
    code, body = desk.call("GET", f"/api/labelling-requests/{request_id}", desk.partner)
    assert body["status"] == "in_silent_procedure"
    # A relaunch with a revised text, then labelled at the second deadline.
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/after-silence", desk.officer,
                           outcome="relaunch", text="Revised: a regional component is added.")
    assert code == 200, body
    desk.deliver()
    assert len(desk.mails("ng@example.org", "Silent procedure")) == 2
    desk.clock.advance(timedelta(days=15))
    desk.deliver()
    assert desk.call("GET", f"/api/labelling-requests/{request_id}", desk.partner)[1]["status"] == "labelled"


def test_silence_broken_and_not_labelled(desk):
    request_id = _submitted(desk)
    desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer, decision="accept")
    desk.deliver()
    desk.act("be@example.org", "Formuler une objection", reason="Pas éligible.")
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/after-silence", desk.officer, outcome="not_labelled")
    assert code == 422 and "note" in body["errors"]["json"]
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/after-silence", desk.officer,
                           outcome="not_labelled", note="The Steering Committee meeting of 5 March did not retain it.")
    assert code == 200 and body["status"] == "not_labelled"
    desk.deliver()
    assert len(desk.mails("focal.sn@example.org", "n'est pas labellisée")) == 1
    assert desk.client.get("/api/labelled-initiatives").get_json() == []


def test_decline_with_a_reason(desk):
    request_id = _submitted(desk)
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer, decision="decline")
    assert code == 422 and "comment" in body["errors"]["json"]
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer,
                           decision="decline", comment="Not linked to the Action Plan.")
    assert code == 200 and body["status"] == "declined"
    desk.deliver()
    assert "Not linked" in desk.mails("awa.diop@example.org", "declined")[0].get_body(("plain",)).get_content()


def test_changes_not_made_in_time_the_request_lapses(desk):
    request_id = _submitted(desk)
    desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer, decision="request_changes",
              comment="Add the partners.")
    desk.clock.advance(timedelta(days=14, seconds=1))
    desk.deliver()
    assert len(desk.mails("focal.sn@example.org", "Rappel")) == 1
    desk.clock.advance(timedelta(days=47))
    desk.deliver()
    code, body = desk.call("GET", f"/api/labelling-requests/{request_id}", desk.partner)
    assert body["status"] == "lapsed"
    assert desk.call("POST", f"/api/labelling-requests/{request_id}/submit", desk.partner)[0] == 409


def test_a_partner_cannot_read_or_change_another_partners_request(desk):
    request_id = _submitted(desk)
    assert desk.call("GET", f"/api/labelling-requests/{request_id}", desk.other_partner)[0] == 404
    assert desk.call("PATCH", f"/api/labelling-requests/{request_id}", desk.other_partner, title="Hijack")[0] == 404
    assert desk.call("POST", f"/api/labelling-requests/{request_id}/submit", desk.other_partner)[0] == 404
    assert desk.call("GET", "/api/labelling-requests", desk.other_partner)[1] == []
    assert desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.partner, decision="accept")[0] == 403
    # Nor through the generic task API.
    tasks = desk.call("GET", "/api/tasks", desk.other_partner)[1]
    assert tasks == []


@pytest.mark.parametrize("change,field", [
    ({"end_date": "2026-01-01"}, "end_date"),
    ({"lead_partner": "XX"}, "lead_partner"),
    ({"partners": ["FR", "ZZ"]}, "partners"),
    ({"actions": []}, "actions"),
    ({"actions": [30]}, "actions"),
    ({"title": "x" * 301}, "title"),
    ({"contact_email": "not-an-address"}, "contact_email"),
    ({"budget_eur": "-5"}, "budget_eur"),
    ({"budget_eur": "a lot"}, "budget_eur"),
    ({"gcm_objectives": [24]}, "gcm_objectives"),
    ({"type": "party"}, "type"),
    ({"start_date": "31/12/2026"}, "start_date"),
    ({"__class__": "x"}, "__class__"),
])
def test_bad_input_gets_field_messages_never_a_500(desk, change, field):
    code, body = desk.call("POST", "/api/labelling-requests", desk.partner, **{**REQUEST, **change})
    assert code == 422, body
    assert field in body["errors"]["json"]


def test_two_saves_of_one_draft_the_second_is_refused(desk):
    _, draft = desk.call("POST", "/api/labelling-requests", desk.partner, **REQUEST)
    path = f"/api/labelling-requests/{draft['id']}?version={draft['version']}"
    assert desk.client.patch(path, json={"title": "First"}, headers=bearer(desk.partner)).status_code == 200
    second = desk.client.patch(path, json={"title": "Second"}, headers=bearer(desk.partner))
    assert second.status_code == 409
    assert desk.call("GET", f"/api/labelling-requests/{draft['id']}", desk.partner)[1]["title"] == "First"


def test_the_path_through_the_web_pages(desk, make_account):
    make_account("web.sn@example.org", "partner", partner="SN", password="a long passphrase")
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    partner, officer = desk.app.test_client(), desk.app.test_client()
    sign_in(partner, "web.sn@example.org")
    sign_in(officer, "clerk@example.org")
    token = csrf_token(partner.get("/labelling/new?lang=en").get_data(as_text=True))
    fields = {k: v for k, v in REQUEST.items() if not isinstance(v, list)}
    form = {**fields, "partners": ["FR"], "actions": ["3"], "gcm_objectives": ["19"],
            "implementing_organisations": "Agence sénégalaise de promotion", "csrf_token": token}
    draft = partner.post("/labelling/new", data={**form, "summary": "", "action": "save"})
    assert draft.status_code == 302  # a draft may be incomplete
    path = draft.headers["Location"]
    refused = partner.post(path, data={**form, "summary": "", "action": "submit", "version": "1"})
    assert refused.status_code == 422 and "The summary is required." in refused.get_data(as_text=True)
    submitted = partner.post(path, data={**form, "action": "submit", "version": "1"})
    assert submitted.status_code == 302
    request_id = int(path.rsplit("/", 1)[1])
    assert desk.call("GET", f"/api/labelling-requests/{request_id}", desk.officer)[1]["status"] == "submitted"

    # Another partner's focal point cannot see it.
    other = desk.app.test_client()
    make_account("web.fr@example.org", "partner", partner="FR", password="a long passphrase")
    sign_in(other, "web.fr@example.org")
    assert other.get(path).status_code == 404

    page = officer.get(path + "?lang=en").get_data(as_text=True)
    assert "Record the decision" in page
    no_comment = officer.post(path + "/review", data={"decision": "decline", "csrf_token": csrf_token(page)})
    assert no_comment.status_code == 422 and "why the request is declined" in no_comment.get_data(as_text=True)
    changes = officer.post(path + "/review", data={"decision": "request_changes", "csrf_token": csrf_token(page),
                                                   "comment": "Name the implementing partner in France."})
    assert changes.status_code == 302
    amend_page = partner.get(path + "?lang=en").get_data(as_text=True)
    assert "Name the implementing partner in France." in amend_page and 'name="title"' in amend_page
    version = re.search(r'name="version" value="(\d+)"', amend_page).group(1)
    resubmitted = partner.post(path, data={**form, "implementing_organisations": "ASP\nOFII", "action": "submit",
                                           "version": version})
    assert resubmitted.status_code == 302
    assert desk.call("GET", f"/api/labelling-requests/{request_id}", desk.officer)[1]["implementing_organisations"] == ["ASP", "OFII"]
    page = officer.get(path + "?lang=en").get_data(as_text=True)
    accepted = officer.post(path + "/review", data={"decision": "accept", "csrf_token": csrf_token(page),
                                                    "deadline": "2026-03-20T17:00", "timezone": "Europe/Brussels"})
    assert accepted.status_code == 302
    desk.deliver()
    desk.clock.freeze(T0 + timedelta(days=19))
    desk.deliver()
    register = desk.app.test_client().get("/register?lang=en&domain=1").get_data(as_text=True)
    assert REQUEST["title"] in register
    assert REQUEST["title"] not in desk.app.test_client().get("/register?domain=3").get_data(as_text=True)


def test_a_draft_saves_from_the_page_with_only_a_title(desk, make_account):
    make_account("web.sn@example.org", "partner", partner="SN", password="a long passphrase")
    partner = desk.app.test_client()
    sign_in(partner, "web.sn@example.org")
    token = csrf_token(partner.get("/labelling/new?lang=en").get_data(as_text=True))
    saved = partner.post("/labelling/new", data={"title": "Diaspora fund", "action": "save", "csrf_token": token})
    assert saved.status_code == 302
    request_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    code, body = desk.call("GET", f"/api/labelling-requests/{request_id}", desk.partner)
    assert body["title"] == "Diaspora fund" and body["status"] == "draft" and body["actions"] == []
    # Submitting it asks for what is missing, next to each field; the draft stays as it was.
    refused = partner.post(saved.headers["Location"], data={"title": "Diaspora fund", "action": "submit",
                                                            "version": "1", "csrf_token": token})
    assert refused.status_code == 422 and "Choose at least one action of the Action Plan." in refused.get_data(as_text=True)
    assert desk.call("GET", f"/api/labelling-requests/{request_id}", desk.partner)[1]["status"] == "draft"


def test_the_secretariat_is_told_at_once_that_partners_file_requests(desk, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase", language="fr")
    officer = desk.app.test_client()
    sign_in(officer, "clerk@example.org")
    page = officer.get("/labelling/new?lang=en")
    assert page.status_code == 403 and "filed by the partners&#39; focal points" in page.get_data(as_text=True)
    french = officer.get("/labelling/new?lang=fr")
    assert french.status_code == 403 and "points focaux des partenaires" in french.get_data(as_text=True)


OLD_TITLE = "Entrepreneurship and productive investment by young people of the diaspora and by women"
NEW_TITLE = {"number": 3, "title_en": "Diaspora and women entrepreneurs: investment and enterprise",
             "title_fr": "Entrepreneuriat et investissement de la diaspora et des femmes", "to_confirm": False}


def test_an_action_retitled_shows_in_the_register_and_the_form_and_the_decision_keeps_its_words(
        reference_restored, desk, make_account):
    _, body = desk.call("POST", "/api/labelling-requests", desk.partner, **REQUEST)
    request_id = body["id"]
    assert desk.call("POST", f"/api/labelling-requests/{request_id}/submit", desk.partner)[0] == 200
    code, body = desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer,
                           decision="accept", deadline="2026-03-20T17:00", timezone="Europe/Brussels")
    procedure_id = body["silent_procedure_id"]
    desk.clock.freeze(T0 + timedelta(days=19))
    desk.deliver()
    assert desk.call("GET", f"/api/labelling-requests/{request_id}", desk.partner)[1]["status"] == "labelled"

    # The Secretariat corrects the title (a partner may not).
    assert desk.call("PUT", "/api/reference/action-plans/cadiz/actions/3", desk.partner, **NEW_TITLE)[0] == 403
    code, body = desk.call("PUT", "/api/reference/action-plans/cadiz/actions/3", desk.officer, **NEW_TITLE)
    assert code == 200 and body["title"]["en"] == NEW_TITLE["title_en"]
    register = desk.client.get("/api/labelled-initiatives").get_json()
    assert register[0]["actions"][0]["title"] == {"en": NEW_TITLE["title_en"], "fr": NEW_TITLE["title_fr"]}
    page = desk.app.test_client().get("/register?lang=fr").get_data(as_text=True)
    assert NEW_TITLE["title_fr"] in page and "jeunes de la diaspora" not in page
    make_account("writer.sn@example.org", "partner", partner="SN", password="a long passphrase")
    writer = desk.app.test_client()
    sign_in(writer, "writer.sn@example.org")
    form = writer.get("/labelling/new?lang=en").get_data(as_text=True)
    assert NEW_TITLE["title_en"] in form and OLD_TITLE not in form
    # The text the committee approved keeps the title it quoted.
    record = desk.client.get(f"/api/silent-procedures/{procedure_id}/record", headers=bearer(desk.officer)).get_json()
    assert OLD_TITLE in record["text"] and NEW_TITLE["title_en"] not in record["text"]
    changes = desk.call("GET", "/api/reference/changes?kind=action", desk.officer)[1]
    assert [(c["key"], c["by"], c["before"]["title_en"], c["after"]["title_en"]) for c in changes] == [
        ("cadiz/action/3", "officer@example.org", OLD_TITLE, NEW_TITLE["title_en"])]

    # The initiative names action 3 by its number: renumbering or removing it is refused, nothing changes.
    code, body = desk.call("PUT", "/api/reference/action-plans/cadiz/actions/3", desk.officer, **{**NEW_TITLE, "number": 30})
    assert code == 422 and f"labelling request no. {request_id}" in body["errors"]["number"][0]
    code, body = desk.call("DELETE", "/api/reference/action-plans/cadiz/actions/3", desk.officer)
    assert code == 422 and f"labelling request no. {request_id}" in body["message"]
    code, body = desk.call("PUT", "/api/reference/action-plans/cadiz/actions/3", desk.officer, **{**NEW_TITLE, "number": 4})
    assert code == 422 and "already exists" in body["errors"]["number"][0]
    plan = desk.client.get("/api/reference/action-plans/cadiz").get_json()
    numbers = [a["number"] for d in plan["domains"] for o in d["objectives"] for a in o["actions"]]
    assert numbers == list(range(1, 30))
    assert len(desk.call("GET", "/api/reference/changes", desk.officer)[1]) == 1
