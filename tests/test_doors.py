"""One door per task and per start: a process a procedure owns is started and moved only
through that procedure's own endpoints; the generic `/api/cases` and `/api/tasks` doors
refuse it with 409 and name the right door. Tried by id, through the API, for every
procedure-owned process and every user task of it."""
import pytest
from sqlalchemy import select

from service.extensions import db
from service.models import Case, CaseTask
from service.procedures import PROCEDURES
from tests.helpers import LAUNCH, REQUEST, bearer

OWNED = sorted({process for procedure in PROCEDURES for process in procedure.processes})
OWNED_TASKS = sorted({(process, task) for procedure in PROCEDURES for process in procedure.processes
                      for task in procedure.task_doors})


@pytest.fixture
def desk(app, client, make_account):
    tokens = {"officer": make_account("officer@example.org", "secretariat")[1],
              "partner": make_account("focal.sn@example.org", "partner", partner="SN")[1]}
    make_account("ng@example.org", "committee-member", partner="NG")
    return tokens


@pytest.mark.parametrize("process", OWNED)
def test_the_generic_start_door_refuses_an_owned_process(app, client, desk, process):
    before = _count(app, Case)
    response = client.post("/api/cases", json={"process": process, "data": {"procedure_id": 1, "request_id": 1}},
                           headers=bearer(desk["officer"]))
    assert response.status_code == 409, response.get_json()
    assert "POST /api/" in response.get_json()["message"]
    assert _count(app, Case) == before


def _count(app, model):
    with app.app_context():
        return len(db.session.scalars(select(model.id)).all())


def _walk_labelling_to(client, desk, bpmn_id):
    """A labelling request whose case waits on user task `bpmn_id`."""
    request_id = client.post("/api/labelling-requests", json=REQUEST, headers=bearer(desk["partner"])).get_json()["id"]
    assert client.post(f"/api/labelling-requests/{request_id}/submit", headers=bearer(desk["partner"])).status_code == 200
    if bpmn_id == "amend":
        client.post(f"/api/labelling-requests/{request_id}/review", headers=bearer(desk["officer"]),
                    json={"decision": "request_changes", "comment": "More detail."})
    return request_id


@pytest.mark.parametrize("bpmn_id", ["review", "amend"])
def test_the_generic_task_door_refuses_a_labelling_task(app, client, desk, bpmn_id):
    request_id = _walk_labelling_to(client, desk, bpmn_id)
    tasks = client.get("/api/tasks", headers=bearer(desk["officer"])).get_json()
    task = next(t for t in tasks if t["bpmn_id"] == bpmn_id)
    assert task["process"] == "labelling_request"
    token = desk["officer"] if bpmn_id == "review" else desk["partner"]
    response = client.post(f"/api/tasks/{task['id']}/complete", headers=bearer(token),
                           json={"data": {"decision": "decline", "comment": "Not eligible."}})
    assert response.status_code == 409
    assert f"/api/labelling-requests/{{id}}" in response.get_json()["message"]
    status = client.get(f"/api/labelling-requests/{request_id}", headers=bearer(desk["officer"])).get_json()["status"]
    assert status == ("submitted" if bpmn_id == "review" else "changes_requested")
    with app.app_context():
        assert db.session.get(CaseTask, task["id"]) is not None  # still open


def test_every_owned_task_names_its_door():
    from workflows.definitions import DefinitionRegistry  # noqa: F401 - the files are what declares the tasks
    from tests.helpers import PRODUCT_BPMN
    from lxml import etree

    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    for procedure in PROCEDURES:
        for process in procedure.processes:
            tree = etree.parse(str(PRODUCT_BPMN / f"{process}.bpmn"))
            tasks = {t.get("id") for t in tree.iterfind(".//bpmn:userTask", ns)}
            assert tasks == set(procedure.task_doors), (process, tasks)


def test_a_generic_process_cannot_take_over_a_silent_procedure(app, client, desk, make_account):
    """A generic process calling the silent procedure cannot point at one another case runs."""
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    launched = client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(desk["officer"])).get_json()
    before = _count(app, Case)
    for procedure_id in (launched["id"], 2**40, "x"):
        response = client.post("/api/cases", headers=bearer(desk["officer"]), json={
            "process": "decision_by_silence", "data": {"procedure_id": procedure_id, "deadline": launched["deadline"],
                                                       "reminders": [], "reminder_index": 0,
                                                       "next_reminder": launched["deadline"]}})
        assert response.status_code in (409, 422), response.get_json()
    assert _count(app, Case) == before


def test_tasks_say_their_process(client, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    case = client.post("/api/cases", json={"process": "two_step_review", "data": {}}, headers=bearer(officer)).get_json()
    tasks = client.get(f"/api/tasks?case={case['id']}", headers=bearer(officer)).get_json()
    assert tasks and all(t["process"] == "two_step_review" for t in tasks)
