"""The Action Plan's coverage: objectives and actions against the labelled initiatives, referent
activities and thematic meetings that address them, for a period or a Presidency; the records
behind each; the CSV; the API."""
import csv
import io
import re

import pytest

from service.extensions import db
from service.scheduler import Scheduler
from tests.helpers import bearer, label_initiatives, sign_in

MEETING = {"title": "Family separation and missing migrants", "co_chairs": ["CH", "GM"],
           "start_date": "2026-03-10", "end_date": "2026-03-11", "place": "Geneva", "participants": 90,
           "countries": 34, "conclusions": "A network of focal points on missing migrants.", "objectives": [5],
           "actions": [16, 17]}


@pytest.fixture
def office(make_app, make_account, frozen_clock):
    app = make_app()
    tokens = {"officer": make_account("clerk@example.org", "secretariat", password="a long passphrase")[1],
              "partner": make_account("focal.sn@example.org", "partner", partner="SN",
                                      password="a long passphrase")[1]}
    for email, partner in (("ng@example.org", "NG"), ("be@example.org", "BE")):
        make_account(email, "committee-member", partner=partner)
    client = app.test_client()
    scheduler = Scheduler(app, owner="test")
    labelled = label_initiatives(client, tokens["partner"], tokens["officer"], frozen_clock, scheduler,
                                 {"actions": [3]}, {"title": "Return and reintegration desk", "actions": [3, 20]})
    # A request still in review addresses nothing yet.
    draft = client.post("/api/labelling-requests", json={"title": "Not yet labelled", "actions": [29]},
                        headers=bearer(tokens["partner"]))
    assert draft.status_code == 201
    meeting = client.post("/api/thematic-meetings", json=MEETING, headers=bearer(tokens["officer"]))
    assert meeting.status_code == 201, meeting.get_json()
    sign_in(client, "clerk@example.org")
    return client, tokens, labelled, meeting.get_json()["id"]


def _summary(page: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'<p class="summary">(.*?)</p>', page, flags=re.S).group(1))


def test_the_coverage_counts_what_addresses_each_objective_and_action(office):
    client, tokens, labelled, meeting_id = office
    report = client.get("/api/coverage", headers=bearer(tokens["officer"])).get_json()
    # Action 3 (objective 1) and 20 by the initiatives; objective 5, actions 16 and 17 by the meeting.
    actions = {a["number"]: a["by"] for d in report["domains"] for o in d["objectives"] for a in o["actions"]}
    assert actions[3] == {"labelled_initiative": 2} and actions[20] == {"labelled_initiative": 1}
    assert actions[16] == {"thematic_meeting": 1} and actions[29] == {}
    assert report["actions"] == {"addressed": 4, "total": 29}
    objectives = {o["number"]: o for d in report["domains"] for o in d["objectives"]}
    assert objectives[1]["by"] == {"labelled_initiative": 2} and objectives[5]["addressed"]
    addressed = report["objectives"]["addressed"]
    assert report["summary"] == f"{addressed} of 10 objectives and 4 of 29 actions addressed"

    page = client.get("/coverage?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert _summary(text).startswith(f"<strong>{addressed} of 10 objectives and 4 of 29 actions addressed</strong>")
    assert "Action 29" in text and "not addressed" in text

    # The period: nothing ran in 2028; a Presidency's term is a period too.
    later = client.get("/coverage?lang=en&from=2028-01-01&to=2028-12-31").get_data(as_text=True)
    assert "0 of 10 objectives and 0 of 29 actions addressed" in _summary(later)
    autumn = client.get("/api/coverage?from=2026-09-01&to=2026-12-31", headers=bearer(tokens["officer"])).get_json()
    assert autumn["actions"]["addressed"] == 2  # the initiatives run until 30 September; the meeting was in March
    march = client.get("/api/coverage?from=2026-03-01&to=2026-03-31", headers=bearer(tokens["officer"])).get_json()
    assert march["actions"]["addressed"] == 2  # the initiatives start in April
    terms = re.findall(r'<option value="(\d+)"', text.split('id="presidency"', 1)[1].split("</select>", 1)[0])
    by_term = client.get(f"/coverage?lang=en&presidency={terms[0]}").get_data(as_text=True)
    assert "during the term of" in _summary(by_term)
    by_term = client.get(f"/api/coverage?presidency={terms[0]}", headers=bearer(tokens["officer"])).get_json()
    assert by_term["presidency"] == int(terms[0])


def test_drill_down_to_the_records_and_the_csv(office):
    client, tokens, labelled, meeting_id = office
    text = client.get("/coverage?lang=en").get_data(as_text=True)
    link = re.search(r'href="(/coverage/records\?[^"]*action=3[^"]*)"', text).group(1).replace("&amp;", "&")
    records = client.get(link + "&lang=en").get_data(as_text=True)
    assert f'href="/labelling/{labelled[0]}"' in records and f'href="/labelling/{labelled[1]}"' in records
    assert "Return and reintegration desk" in records and "Not yet labelled" not in records
    objective = client.get("/coverage/records?objective=5&lang=en").get_data(as_text=True)
    assert f'href="/thematic-meetings/{meeting_id}"' in objective and "Family separation" in objective

    api = client.get("/api/coverage/records?action=3", headers=bearer(tokens["officer"]))
    assert sorted(r["id"] for r in api.get_json()) == sorted(labelled) and "Link" not in api.headers

    exported = client.get("/coverage.csv?from=2026-01-01&to=2026-12-31")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    action_3 = next(r for r in rows if r["action"] == "3")
    assert (action_3["addressed"], action_3["labelled_initiative"], action_3["thematic_meeting"]) == ("yes", "2", "0")
    assert next(r for r in rows if r["action"] == "29")["addressed"] == "no"
    assert len([r for r in rows if r["action"] == ""]) == 10 and len([r for r in rows if r["action"]]) == 29


def test_the_records_come_in_pages(office):
    client, tokens, labelled, meeting_id = office
    from service import coverage

    app = client.application
    with app.test_request_context():
        plan = coverage.plan_of(None)
        period = coverage.period_of(plan, {})
        first, more = coverage.records(plan, period, action=3, per_page=1)
        second, more_after = coverage.records(plan, period, action=3, page=2, per_page=1)
    assert more and not more_after and {first[0].id, second[0].id} == set(labelled)


def test_only_the_secretariat_and_the_presidency_read_it_and_bad_input_is_told(office):
    client, tokens, labelled, meeting_id = office
    assert client.get("/api/coverage", headers=bearer(tokens["partner"])).status_code == 403
    partner = client.application.test_client()
    sign_in(partner, "focal.sn@example.org")
    assert partner.get("/coverage").status_code == 403
    refused = client.get("/coverage?lang=en&from=31/12/2026")
    assert refused.status_code == 422
    assert 'id="from-error">Not a date: write it as 2026-01-31.' in refused.get_data(as_text=True)
    backwards = client.get("/api/coverage?from=2026-12-31&to=2026-01-01", headers=bearer(tokens["officer"]))
    assert backwards.status_code == 422 and "ends before it starts" in str(backwards.get_json())
    both = client.get("/api/coverage/records", headers=bearer(tokens["officer"]))
    assert both.status_code == 422
    for path in ("/coverage?presidency=99999999999", "/coverage/records?action=0", "/coverage?plan=%00",
                 "/coverage?presidency=424242"):
        assert client.get(path).status_code in (404, 422), path


def test_a_request_s_actions_are_rows_written_with_it(office):
    client, tokens, labelled, meeting_id = office
    partner = bearer(tokens["partner"])
    assert [r["id"] for r in client.get("/api/labelled-initiatives?action=20").get_json()] == [labelled[1]]
    assert [r["id"] for r in client.get("/api/labelled-initiatives?objective=1").get_json()] == sorted(labelled)[::-1]
    draft = client.post("/api/labelling-requests", json={"title": "Changing its mind", "actions": [1, 2]},
                        headers=partner).get_json()
    client.patch(f"/api/labelling-requests/{draft['id']}", json={"actions": [2]}, headers=partner)
    from service.procedures.labelling import actions

    with client.application.app_context():
        assert [{k: a[k] for k in ("domain", "objective", "action")} for a in actions.of([draft["id"]])[draft["id"]]] \
            == [{"domain": 1, "objective": 1, "action": 2}]
        db.session.remove()


def test_the_migration_turns_each_request_s_action_list_into_rows(tmp_path):
    """Requests filed before the rows existed count too: the migration copies their lists."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from service import MIGRATIONS, create_app
    from service import reference_data

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'before.sqlite'}", "TESTING": True,
                      "SECRET_KEY": "test"})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0014")  # the revision before the rows
        reference_data.load()
        db.session.execute(sa.text(
            "INSERT INTO labelling_requests (partner_code, status, partners, implementing_organisations, actions,"
            " gcm_objectives, created_at, updated_at, version) VALUES ('SN', 'draft', '[]', '[]', '[3, 20, 999]',"
            " '[]', '2026-03-02 09:00:00', '2026-03-02 09:00:00', 1)"))
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        from service.procedures.labelling import actions

        request_id = db.session.execute(sa.text("SELECT id FROM labelling_requests")).scalar()
        assert [a["action"] for a in actions.of([request_id])[request_id]] == [3, 20]  # 999 is in no plan
        db.session.remove()
        db.engine.dispose()
