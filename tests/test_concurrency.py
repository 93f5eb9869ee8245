"""Optimistic locking: of two completions of one task at the same moment, one wins."""
import threading

from sqlalchemy import select

from service.extensions import db
from service.models import AuditEntry
from tests.helpers import bearer
from workflows import engine


def test_two_concurrent_completions_give_one_200_and_one_409(make_app, make_account, monkeypatch):
    # Two apps on one database stand for two web workers.
    first, second = make_app(), make_app()
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal@example.org", "partner", partner="SN")
    case = first.test_client().post(
        "/api/cases", json={"process": "two_step_review", "data": {"requester_email": "a@example.org"}},
        headers=bearer(officer),
    ).get_json()
    task_id = case["ready_tasks"][0]["id"]

    # Both requests have restored the same version and completed the task in memory before
    # either commits: the real race, made certain.
    barrier = threading.Barrier(2, timeout=30)
    complete = engine.complete_user_task

    def complete_then_wait(workflow, task, data):
        complete(workflow, task, data)
        barrier.wait()

    monkeypatch.setattr(engine, "complete_user_task", complete_then_wait)
    answers = {}

    def submit(name, app, text):
        response = app.test_client().post(
            f"/api/tasks/{task_id}/complete", json={"data": {"text": text}}, headers=bearer(partner)
        )
        answers[name] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=submit, args=(n, a, n)) for n, a in (("one", first), ("two", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(code for code, _ in answers.values())
    assert codes == [200, 409], answers
    winner = next(name for name, (code, _) in answers.items() if code == 200)
    loser_body = next(body for code, body in answers.values() if code == 409)
    assert "someone else" in loser_body["message"]

    monkeypatch.setattr(engine, "complete_user_task", complete)
    final = first.test_client().get(f"/api/cases/{case['id']}", headers=bearer(officer)).get_json()
    # The winner's data is kept, applied once; the loser's is not there.
    assert final["data"]["text"] == winner
    assert [t["bpmn_id"] for t in final["ready_tasks"]] == ["review"]
    with first.app_context():
        completions = db.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case["id"], AuditEntry.action == "task_completed")
        ).all()
        assert len(completions) == 1
