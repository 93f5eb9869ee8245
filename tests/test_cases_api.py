"""A two-step BPMN case driven through the API, with role checks and form validation."""
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from sqlalchemy import select

from notifications.models import OutboxMessage
from service.extensions import db
from tests.helpers import PRODUCT_BPMN, TEST_BPMN, bearer, sign_in


def start_two_step(client, token, **data):
    data.setdefault("requester_email", "requester@example.org")
    return client.post("/api/cases", json={"process": "two_step_review", "data": data}, headers=bearer(token))


def test_two_step_case_runs_to_completion(app, client, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal@example.org", "partner", partner="SN", language="fr")

    listed = client.get("/api/processes", headers=bearer(officer)).get_json()
    assert {p["id"] for p in listed} >= {"two_step_review", "deadline_watch"}

    response = start_two_step(client, officer, requester_email="focal@example.org")
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["status"] == "running"
    assert [t["bpmn_id"] for t in case["ready_tasks"]] == ["submit"]
    # A step's answer leaves the timeline out; the case's own address tells it.
    assert "timeline" not in case
    timeline = client.get(f"/api/cases/{case['id']}", headers=bearer(officer)).get_json()["timeline"]
    assert [entry["action"] for entry in timeline] == ["case_started"]

    # The partner sees its task; the Secretariat's role filter shows nothing for it.
    tasks = client.get("/api/tasks", headers=bearer(partner)).get_json()
    assert [t["bpmn_id"] for t in tasks] == ["submit"]
    assert client.get("/api/tasks?role=secretariat", headers=bearer(partner)).get_json() == []
    submit_id = tasks[0]["id"]

    done = client.post(f"/api/tasks/{submit_id}/complete", json={"data": {"text": "Our request"}},
                       headers=bearer(partner))
    assert done.status_code == 200, done.get_json()
    review = done.get_json()["ready_tasks"]
    assert [t["bpmn_id"] for t in review] == ["review"]

    finished = client.post(f"/api/tasks/{review[0]['id']}/complete",
                           json={"data": {"approved": True, "comment": "Fine."}}, headers=bearer(officer))
    assert finished.status_code == 200
    body = finished.get_json()
    assert body["status"] == "completed"
    assert body["ready_tasks"] == []
    assert body["data"]["approved"] is True and body["data"]["text"] == "Our request"
    timeline = client.get(f"/api/cases/{body['id']}", headers=bearer(officer)).get_json()["timeline"]
    assert [e["action"] for e in timeline] == ["case_started", "task_completed", "task_completed"]
    assert timeline[1]["actor"] == "focal@example.org"

    # The BPMN's notice went to the outbox, in the requester's language, linking to the
    # configured public address.
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert len(messages) == 1
        assert messages[0].to_email == "focal@example.org"
        assert messages[0].language == "fr"
        assert "approved" in messages[0].subject
        assert f"https://rabat.example.org/cases/{body['id']}" in messages[0].text_body


def test_form_errors_are_field_messages(client, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal@example.org", "partner", partner="SN")
    case = start_two_step(client, officer).get_json()
    task_id = case["ready_tasks"][0]["id"]

    missing = client.post(f"/api/tasks/{task_id}/complete", json={"data": {}}, headers=bearer(partner))
    assert missing.status_code == 422
    assert "text" in missing.get_json()["errors"]

    too_long = client.post(f"/api/tasks/{task_id}/complete", json={"data": {"text": "x" * 201}},
                           headers=bearer(partner))
    assert too_long.status_code == 422
    assert "text" in too_long.get_json()["errors"]

    unknown = client.post(f"/api/tasks/{task_id}/complete", json={"data": {"text": "ok", "extra": 1}},
                          headers=bearer(partner))
    assert unknown.status_code == 422
    assert "extra" in unknown.get_json()["errors"]

    # Nothing was applied: the task is still open.
    again = client.get(f"/api/cases/{case['id']}", headers=bearer(officer)).get_json()
    assert [t["id"] for t in again["ready_tasks"]] == [task_id]


def test_roles_are_checked_on_every_read_and_write(client, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal@example.org", "partner", partner="SN")
    _, member = make_account("member@example.org", "committee-member", partner="BE")

    assert client.get("/api/tasks").status_code == 401
    assert client.get("/api/tasks", headers=bearer("rp_forged")).status_code == 401
    assert client.post("/api/cases", json={"process": "two_step_review"},
                       headers=bearer(partner)).status_code == 403

    case = start_two_step(client, officer).get_json()
    task_id = case["ready_tasks"][0]["id"]
    # The Secretariat does not fill the partner's form, and a committee member cannot either.
    assert client.post(f"/api/tasks/{task_id}/complete", json={"data": {"text": "x"}},
                       headers=bearer(officer)).status_code == 403
    assert client.post(f"/api/tasks/{task_id}/complete", json={"data": {"text": "x"}},
                       headers=bearer(member)).status_code == 403
    # A committee member with no part in the case cannot read it.
    assert client.get(f"/api/cases/{case['id']}", headers=bearer(member)).status_code == 404
    assert client.get(f"/api/cases/{case['id']}", headers=bearer(partner)).status_code == 200


def test_bad_requests_get_json_errors_never_500(client, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    unknown = client.post("/api/cases", json={"process": "nope"}, headers=bearer(officer))
    assert unknown.status_code == 404 and "nope" in unknown.get_json()["message"]
    no_body = client.post("/api/cases", data="{not json", headers={**bearer(officer), "Content-Type": "application/json"})
    assert no_body.status_code in (400, 422) and no_body.is_json
    not_a_dict = client.post("/api/cases", json={"process": "two_step_review", "data": [1, 2]}, headers=bearer(officer))
    assert not_a_dict.status_code == 422 and "data" in not_a_dict.get_json()["errors"]["json"]
    assert client.get("/api/nowhere").get_json()["code"] == 404
    assert client.post("/api/tasks/not-a-task/complete", json={"data": {}}, headers=bearer(officer)).status_code == 409
    assert client.get("/api/cases/999999", headers=bearer(officer)).status_code == 404


def _follow_pages(client, url, token):
    """Every item of a paged list, following `Link: rel=next`."""
    items, pages = [], 0
    while url:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        items += response.get_json()
        pages += 1
        link = response.headers.get("Link")
        url = link.split(">", 1)[0].lstrip("<") if link else None
    return items, pages


def test_tasks_and_cases_come_in_pages_filtered_for_each_reader(client, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    _, senegal = make_account("focal@example.org", "partner", partner="SN")
    _, member = make_account("member.fr@example.org", "committee-member", partner="FR")
    started = [start_two_step(client, officer, requester_email="focal@example.org").get_json()["id"] for _ in range(5)]
    tasks, pages = _follow_pages(client, "/api/tasks?limit=2", senegal)
    assert pages == 3 and sorted(t["case_id"] for t in tasks) == sorted(started)
    assert len({t["id"] for t in tasks}) == 5  # no task twice, none missed
    assert _follow_pages(client, "/api/tasks?limit=2", member)[0] == []  # tasks of another role
    listed, pages = _follow_pages(client, "/api/cases?limit=2&process=two_step_review", officer)
    assert [c["id"] for c in listed] == sorted(started, reverse=True) and pages == 3
    assert _follow_pages(client, "/api/cases", member)[0] == []  # nothing it started or acted in
    for bad in ("limit=0", "limit=100000", "status=paused", "case=2147483648"):
        assert client.get(f"/api/tasks?{bad}" if "case" in bad or "limit" in bad else f"/api/cases?{bad}",
                          headers=bearer(officer)).status_code == 422
    assert client.get("/api/cases?after=not-a-cursor", headers=bearer(officer)).status_code == 200


LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="endless_review" name="Endless review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="turn" name="Review once more" />
    <bpmn:exclusiveGateway id="again_q" default="f_end" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="turn" />
    <bpmn:sequenceFlow id="f2" sourceRef="turn" targetRef="again_q" />
    <bpmn:sequenceFlow id="f_again" sourceRef="again_q" targetRef="turn">
      <bpmn:conditionExpression>again</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_end" sourceRef="again_q" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_case_the_engine_stops_without_open_task_or_end_is_an_incident(make_app, make_account, tmp_path,
                                                                          monkeypatch):
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "endless_review.bpmn").write_text(LOOP)
    client = make_app(BPMN_DIRS=[str(PRODUCT_BPMN), str(TEST_BPMN), str(tmp_path / "loop")]).test_client()
    officer = make_account("officer@example.org", "secretariat")[1]
    # SpiffWorkflow walks its task tree 1,000 levels deep at most. A loop's finished turns are
    # pruned (the next test), so only a deep structure could reach it; a limit of 4 makes this
    # loop's second turn lie beyond it.
    monkeypatch.setattr(BpmnTaskIterator.__init__, "__defaults__", (None, 4, True, False, None))
    case = client.post("/api/cases", json={"process": "endless_review", "data": {}}, headers=bearer(officer)).get_json()
    turns = 0
    while case["ready_tasks"] and turns < 20:
        response = client.post(f"/api/tasks/{case['ready_tasks'][0]['id']}/complete",
                               json={"data": {"again": True}}, headers=bearer(officer))
        assert response.status_code == 200, response.get_json()
        case, turns = response.get_json(), turns + 1
    # The step that reached the limit says so: not "completed" (the engine believes it is),
    # and an incident in the timeline, of that very step.
    assert 1 <= turns < 20
    assert case["status"] == "stalled" and case["completed_at"] is None
    last = client.get(f"/api/cases/{case['id']}", headers=bearer(officer)).get_json()["timeline"][-2:]
    assert [entry["action"] for entry in last] == ["task_completed", "engine_stalled"]
    assert last[1]["detail"]["left_ready"] == ["again_q"]
    # The Secretariat finds it among the cases that need them.
    listed = client.get("/api/cases?status=stalled", headers=bearer(officer)).get_json()
    assert [c["id"] for c in listed] == [case["id"]]


def test_a_loop_of_600_turns_goes_on_with_a_small_state_and_its_whole_timeline(make_app, make_account, tmp_path):
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "endless_review.bpmn").write_text(LOOP)
    app = make_app(BPMN_DIRS=[str(PRODUCT_BPMN), str(TEST_BPMN), str(tmp_path / "loop")])
    client = app.test_client()
    officer = make_account("officer@example.org", "secretariat", password="a long passphrase")[1]
    case = client.post("/api/cases", json={"process": "endless_review", "data": {}}, headers=bearer(officer)).get_json()
    # Past SpiffWorkflow's depth limit of 1,000 levels (two per turn), which stopped such a
    # case at about its 500th turn before finished turns were pruned.
    for turn in range(600):
        response = client.post(f"/api/tasks/{case['ready_tasks'][0]['id']}/complete",
                               json={"data": {"again": turn < 599, "turn": turn}}, headers=bearer(officer))
        assert response.status_code == 200, (turn, response.get_json())
        case = response.get_json()
    assert case["status"] == "completed" and case["data"]["turn"] == 599
    read = client.get(f"/api/cases/{case['id']}", headers=bearer(officer)).get_json()
    assert [e["action"] for e in read["timeline"]].count("task_completed") == 600
    with app.app_context():
        from service import cases
        from service.models import Case
        from workflows import diagram

        stored = db.session.get(Case, case["id"])
        assert len(stored.state) < 20_000  # about 4 KiB; 380 KiB after 490 turns unpruned
        # The diagram still marks the loop's elements finished.
        states = diagram.element_states(cases.workflow_for_reading(stored))
    assert {states.get(element) for element in ("start", "turn", "again_q", "end")} == {"finished"}
    # The case's page answers (its timeline is the whole history).
    sign_in(client, "officer@example.org")
    assert client.get(f"/cases/{case['id']}").status_code == 200
