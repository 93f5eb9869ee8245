"""No arbitrary code from BPMN files or form data: every injection attempt is refused."""
import shutil
from pathlib import Path

import pytest

from tests.helpers import TEST_BPMN, bearer
from workflows.definitions import DefinitionError
from workflows.expressions import ExpressionRefused, RestrictedEnvironment, evaluate

ATTEMPTS = [
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__.__base__.__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "open('/etc/passwd').read()",
    "eval('1 + 1')",
    "exec('import os')",
    "compile('1', 'x', 'eval')",
    "getattr((), '__class__')",
    "type(())",
    "globals()",
    "(lambda: 1)()",
    "text.__class__",
    "text.format.__globals__",
]


@pytest.mark.parametrize("expression", ATTEMPTS)
def test_the_restricted_evaluator_refuses(expression):
    with pytest.raises(ExpressionRefused):
        evaluate(expression, {"text": "hello"})


def test_a_builtins_key_in_task_data_enables_nothing():
    data = {"__builtins__": __builtins__, "_secret": 1, "x": 2}
    with pytest.raises(ExpressionRefused):
        evaluate("open('/etc/passwd')", data)
    with pytest.raises(ExpressionRefused):
        evaluate("__builtins__", data)
    with pytest.raises(ExpressionRefused):
        evaluate("_secret", data)
    assert evaluate("x * 2", data) == 4


def test_scripts_may_only_assign():
    environment = RestrictedEnvironment()
    context = {"a": 2}
    environment.execute("b = a + 1\nc = b * 2", context)
    assert context == {"a": 2, "b": 3, "c": 6}
    for script in ("import os", "os.system('x')", "def f(): pass", "a.b = 1", "for i in x: pass",
                   "__builtins__ = {}", "x = __import__('os')"):
        with pytest.raises(ExpressionRefused):
            environment.execute(script, dict(context))


def _bpmn_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "bpmn"
    folder.mkdir()
    source = (TEST_BPMN / "two_step.bpmn").read_text()
    assert old in source
    (folder / "two_step.bpmn").write_text(source.replace(old, new))
    return folder


@pytest.mark.parametrize("old,new,element,reason", [
    ("approved == True", "__import__('os').system('true')", "f_approved", "condition"),
    ("approved == True", "().__class__.__base__.__subclasses__()", "f_approved", "'_'"),
    ("value=\"'case_notice'\"", "value=\"open('/etc/passwd').read()\"", "notify_outcome", None),
    ('value="test_review"', 'value="no_such_form"', "review", "unknown form"),
    ('name="partner"', 'name="hackers"', "lane_partner", "not a role"),
    ('<bpmn:sequenceFlow id="f2" sourceRef="submit" targetRef="review" />',
     '<bpmn:sequenceFlow id="f2" sourceRef="submit" targetRef="nowhere" />', None, None),
    ("</bpmn:process>", "<bpmn:bogusElement id=\"bogus\" /></bpmn:process>", None, None),
    ("<bpmn:startEvent id=\"start\">", "<bpmn:startEvent id=\"start\"", None, "XML"),
])
def test_a_broken_bpmn_file_stops_start_up_naming_it(make_app, tmp_path, old, new, element, reason):
    folder = _bpmn_with(tmp_path, old, new)
    with pytest.raises(DefinitionError) as raised:
        make_app(BPMN_DIRS=[str(folder)])
    message = str(raised.value)
    assert "two_step.bpmn" in message
    if element:
        assert raised.value.element_id == element and element in message
    if reason:
        assert reason in message


def test_a_script_task_with_python_is_refused_at_start_up(make_app, tmp_path):
    folder = tmp_path / "bpmn"
    folder.mkdir()
    source = (TEST_BPMN / "deadline.bpmn").read_text()
    (folder / "deadline.bpmn").write_text(
        source.replace("outcome = 'adopted'", "import os\noutcome = os.getcwd()")
    )
    with pytest.raises(DefinitionError) as raised:
        make_app(BPMN_DIRS=[str(folder)])
    assert raised.value.element_id == "mark_adopted"
    assert "deadline.bpmn" in str(raised.value)


def test_form_data_with_private_keys_is_refused(client, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal@example.org", "partner", partner="SN")
    started = client.post("/api/cases", json={"process": "two_step_review",
                                              "data": {"requester_email": "a@example.org",
                                                       "__builtins__": {"open": 1}}},
                          headers=bearer(officer))
    assert started.status_code == 422
    assert "__builtins__" in started.get_json()["errors"]

    case = client.post("/api/cases", json={"process": "two_step_review",
                                           "data": {"requester_email": "a@example.org"}},
                       headers=bearer(officer)).get_json()
    task_id = case["ready_tasks"][0]["id"]
    for payload in ({"text": "x", "__builtins__": {}}, {"text": "x", "_class": 1},
                    {"text": "x", "nested": {"__globals__": 1}}):
        response = client.post(f"/api/tasks/{task_id}/complete", json={"data": payload}, headers=bearer(partner))
        assert response.status_code == 422, payload
    # None of that reached the case.
    after = client.get(f"/api/cases/{case['id']}", headers=bearer(officer)).get_json()
    assert [t["id"] for t in after["ready_tasks"]] == [task_id]
    assert not any(key.startswith("_") for key in after["data"])


def test_a_changed_bpmn_file_applies_to_new_cases_only(make_app, make_account, tmp_path):
    folder = tmp_path / "versions"
    folder.mkdir()
    shutil.copy(TEST_BPMN / "two_step.bpmn", folder / "two_step.bpmn")
    old_app = make_app(BPMN_DIRS=[str(folder)])
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal@example.org", "partner", partner="SN")
    old_case = old_app.test_client().post(
        "/api/cases", json={"process": "two_step_review", "data": {"requester_email": "a@example.org"}},
        headers=bearer(officer)).get_json()

    # The file changes: the review step gets a new name.
    path = folder / "two_step.bpmn"
    path.write_text(path.read_text().replace("Review the request", "Check the request"))
    client = make_app(BPMN_DIRS=[str(folder)]).test_client()
    new_case = client.post("/api/cases", json={"process": "two_step_review",
                                               "data": {"requester_email": "a@example.org"}},
                           headers=bearer(officer)).get_json()
    assert new_case["process_version"] != old_case["process_version"]

    def to_review(case):
        task = case["ready_tasks"][0]["id"]
        return client.post(f"/api/tasks/{task}/complete", json={"data": {"text": "x"}},
                           headers=bearer(partner)).get_json()["ready_tasks"][0]["name"]

    assert to_review(old_case) == "Review the request"  # the running case keeps its version
    assert to_review(new_case) == "Check the request"


def test_a_call_to_a_process_no_file_defines_is_refused_naming_the_caller(make_app, tmp_path):
    folder = tmp_path / "bpmn"
    folder.mkdir()
    shutil.copy(TEST_BPMN / "decision_by_silence.bpmn", folder / "decision_by_silence.bpmn")
    with pytest.raises(DefinitionError) as raised:
        make_app(BPMN_DIRS=[str(folder)])
    assert "decision_by_silence.bpmn" in str(raised.value) and "silent_procedure" in str(raised.value)
