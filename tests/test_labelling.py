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
    assert body["status"] == "silence_broken"
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


def test_changes_not_made_in_time_the_request_lapses(desk, make_account):
    make_account("clerk.fr@example.org", "secretariat", language="fr")
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
    # The Secretariat is told too, each officer in their own language, with the comment it had made.
    told = desk.mails("officer@example.org", "A labelling request has lapsed")
    assert len(told) == 1 and "Add the partners." in told[0].get_body(("plain",)).get_content()
    assert len(desk.mails("clerk.fr@example.org", "Une demande de labellisation est caduque")) == 1
    assert not desk.mails("focal.sn@example.org", "A labelling request has lapsed")


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


def _web(desk, make_account, email, role, partner=None):
    make_account(email, role, partner=partner, password="a long passphrase")
    client = desk.app.test_client()
    sign_in(client, email)
    return client


def test_a_deadline_too_near_shows_the_review_form_again_with_the_message_beside_it(desk, make_account):
    request_id = _submitted(desk)
    officer = _web(desk, make_account, "clerk@example.org", "secretariat")
    page = officer.get(f"/labelling/{request_id}?lang=en").get_data(as_text=True)
    refused = officer.post(f"/labelling/{request_id}/review", data={
        "decision": "accept", "comment": "Eligible; regional scope confirmed.", "deadline": "2026-03-02T12:00",
        "timezone": "Europe/Brussels", "csrf_token": csrf_token(page)})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r'<span class="error" id="deadline-error">The deadline must be at least [0-9]+ hours from now.', body)
    assert 'href="#deadline"' in body  # the summary at the top links to the field
    assert 'value="2026-03-02T12:00"' in body and "Eligible; regional scope confirmed.</textarea>" in body
    assert re.search(r'id="decision-accept" name="decision" value="accept"\s+checked', body)
    assert desk.call("GET", f"/api/labelling-requests/{request_id}", desk.officer)[1]["status"] == "submitted"
    french = officer.post(f"/labelling/{request_id}/review?lang=fr", data={
        "decision": "accept", "deadline": "2026-03-02T12:00", "timezone": "Europe/Brussels",
        "csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert "Veuillez corriger" in french and "heures" in french


def test_the_request_page_shows_every_field_by_name(desk, make_account):
    request_id = _submitted(desk)
    officer = _web(desk, make_account, "clerk@example.org", "secretariat")
    page = officer.get(f"/labelling/{request_id}?lang=en").get_data(as_text=True)
    lead = re.search(r"<dt>Lead partner</dt><dd>(.*?)</dd>", page).group(1)
    associated = re.search(r"<dt>Associated partners</dt><dd>(.*?)</dd>", page, re.S).group(1)
    assert lead == "Senegal" and "France" in associated and "Senegal" not in associated
    for shown in ("Agence sénégalaise de promotion", "Bilateral cooperation", "40 businesses created.",
                  "Seed funding for diaspora-led businesses.", "Awa Diop", "Dakar", "1 April 2026",
                  "Action 3 — Entrepreneurship and productive investment by young people of the diaspora",
                  "Objective 19 — Create conditions for migrants and diasporas to fully contribute",
                  "<title>Labelling request"):
        assert shown in page, shown
    french = officer.get(f"/labelling/{request_id}?lang=fr").get_data(as_text=True)
    assert "Sénégal" in french and "Action 3 — Entrepreneuriat et investissement productif" in french


def test_silence_broken_the_decision_form_shows_who_objected_and_why(desk, make_account):
    request_id = _submitted(desk)
    desk.call("POST", f"/api/labelling-requests/{request_id}/review", desk.officer, decision="accept")
    desk.deliver()
    # The text the committee decides on names the partners, actions and objectives.
    notice = desk.mails("ng@example.org", "Silent procedure")[0].get_body(("plain",)).get_content()
    assert "Lead partner: Senegal; associated partners: France" in notice
    assert "Action 3 \u2014 Entrepreneurship and productive investment" in notice and "19. Create conditions" in notice
    assert "Partenaire chef de file : Sénégal" in notice  # the French text comes first
    assert desk.act("ng@example.org", "Object", reason="Not eligible: no regional dimension.").status_code == 200
    desk.deliver()
    officer = _web(desk, make_account, "clerk@example.org", "secretariat")
    page = officer.get(f"/labelling/{request_id}?lang=en").get_data(as_text=True)
    assert "<strong>silence broken: decision needed</strong>" in page
    assert "<strong>Nigeria</strong> (ng) — objection" in page and "Not eligible: no regional dimension." in page
    assert "Record the outcome" in page
    french = officer.get(f"/labelling/{request_id}?lang=fr").get_data(as_text=True)
    assert "silence rompu : décision à prendre" in french and "<strong>Nigéria</strong>" in french
    # The partner reads the status too; the desk says it is the Secretariat's move.
    partner = _web(desk, make_account, "web.sn@example.org", "partner", partner="SN")
    assert "silence broken: decision needed" in partner.get(f"/labelling/{request_id}?lang=en").get_data(as_text=True)
    assert "Not eligible" not in partner.get(f"/labelling/{request_id}?lang=en").get_data(as_text=True)
    desk_page = officer.get("/desk?lang=en").get_data(as_text=True)
    assert "silence broken: decision needed" in desk_page


def test_partners_objectives_and_actions_are_grouped_checkboxes(desk, make_account):
    partner = _web(desk, make_account, "web.sn@example.org", "partner", partner="SN")
    page = partner.get("/labelling/new?lang=en").get_data(as_text=True)
    assert "<select" in page and 'multiple' not in page
    for legend in ("African countries", "European countries", "Organisations", "Domain 1 — "):
        assert f"<legend>{legend}" in page, legend
    assert 'type="checkbox" id="partners-FR" name="partners" value="FR"' in page
    assert 'type="checkbox" id="gcm_objectives-19" name="gcm_objectives" value="19"' in page
    africa = page.index("<legend>African countries")
    assert africa < page.index('id="partners-NG"') < page.index("<legend>European countries") < page.index('id="partners-FR"')


def test_the_register_pages_filter_in_sql_page_and_show_each_initiative(desk, monkeypatch):
    from service.procedures.labelling import listing
    from tests.helpers import labelled_initiative

    app = desk.app
    older = labelled_initiative(app, "Return and reintegration in Mali", labelled_days_ago=3, lead_partner="ML",
                                partners=["BE", "EU"], actions=[3], type="regional_project",
                                start_date="2025-02-01", end_date="2025-12-31")
    middle = labelled_initiative(app, "Diaspora investment forum", labelled_days_ago=2, type="meeting_event", lead_partner="MA",
                                 start_date="2026-06-10", end_date=None, partners=[], actions=[14])
    newest = labelled_initiative(app, "Seed funding for women entrepreneurs", labelled_days_ago=1)
    client = app.test_client()

    def titles(query):
        page = client.get("/register?lang=en&" + query).get_data(as_text=True)
        return re.findall(r'<a href="/register/\d+">(.*?)</a>', page)

    assert titles("") == ["Seed funding for women entrepreneurs", "Diaspora investment forum",
                          "Return and reintegration in Mali"]
    assert titles("partner=EU") == ["Return and reintegration in Mali"]  # an associated partner
    assert titles("partner=SN") == ["Seed funding for women entrepreneurs"]  # the lead partner
    assert titles("action=14") == ["Diaspora investment forum"]
    assert titles("domain=1") == ["Seed funding for women entrepreneurs", "Return and reintegration in Mali"]
    assert titles("year=2025") == ["Return and reintegration in Mali"]
    assert titles("type=meeting_event&year=2026") == ["Diaspora investment forum"]
    assert titles("year=99999") == [] and titles("page=999999999999") == []
    page = client.get("/register?lang=en&partner=EU").get_data(as_text=True)
    assert "Mali" in page and "Belgium, European Union" in page and "Action 3 — Entrepreneurship" in page
    # The language switch keeps the filters.
    assert 'href="/register?partner=EU&amp;lang=fr"' in page

    # Pages of two, in a stable order, with next and previous.
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    first = client.get("/register?lang=en&year=").get_data(as_text=True)
    assert re.findall(r'<a href="/register/\d+">(.*?)</a>', first) == ["Seed funding for women entrepreneurs",
                                                                       "Diaspora investment forum"]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/register?lang=en&page=2").get_data(as_text=True)
    assert re.findall(r'<a href="/register/\d+">(.*?)</a>', second) == ["Return and reintegration in Mali"]
    assert 'rel="prev"' in second and 'rel="next"' not in second and "<title>Register of labelled initiatives — Page 2" in second

    # A page per initiative, names not codes, no contact details; only labelled ones.
    entry = client.get(f"/register/{older}?lang=fr").get_data(as_text=True)
    assert "<title>Return and reintegration in Mali — Registre" in entry
    assert "Mali" in entry and "Belgique" in entry and "Union européenne" in entry and "awa.diop@example.org" not in entry
    assert "Action 3 — Entrepreneuriat" in entry
    draft = desk.call("POST", "/api/labelling-requests", desk.partner, title="Not yet")[1]["id"]
    assert client.get(f"/register/{draft}").status_code == 404
    assert client.get("/register/99999999999").status_code == 404
    assert newest and middle


def test_the_list_of_requests_is_paged_and_filtered_by_status(desk, make_account, monkeypatch):
    from service.procedures.labelling import listing

    ids = [desk.call("POST", "/api/labelling-requests", desk.partner, title=f"Draft {n}")[1]["id"] for n in range(3)]
    desk.call("POST", "/api/labelling-requests", desk.other_partner, title="Another partner's")
    submitted = _submitted(desk)
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    partner = _web(desk, make_account, "web.sn@example.org", "partner", partner="SN")
    first = partner.get("/labelling?lang=en").get_data(as_text=True)
    rows = re.findall(r'<a href="/labelling/(\d+)">', first)
    assert rows == [str(submitted), str(ids[2])] and 'rel="next"' in first
    assert "<td>Senegal</td>" in first
    second = partner.get("/labelling?lang=en&page=2").get_data(as_text=True)
    assert re.findall(r'<a href="/labelling/(\d+)">', second) == [str(ids[1]), str(ids[0])]
    third = partner.get("/labelling?lang=en&page=3").get_data(as_text=True)
    assert re.findall(r'<a href="/labelling/(\d+)">', third) == [] and "Another partner" not in first + second + third
    only = partner.get("/labelling?lang=en&status=submitted").get_data(as_text=True)
    assert re.findall(r'<a href="/labelling/(\d+)">', only) == [str(submitted)]
    assert partner.get("/labelling?status=nonsense").status_code == 200
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
