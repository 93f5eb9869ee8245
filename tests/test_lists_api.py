"""The API's lists come in pages (`Link: rel=next`), filtered and sorted in SQL, and a page
costs the same few queries however many rows it shows."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from service.extensions import db
from service.scheduler import Scheduler
from tests.helpers import LAUNCH, bearer, label_initiatives


@pytest.fixture
def office(make_app, make_account, frozen_clock):
    app = make_app()
    tokens = {"officer": make_account("clerk@example.org", "secretariat")[1],
              "partner": make_account("focal.sn@example.org", "partner", partner="SN")[1],
              "other": make_account("focal.fr@example.org", "partner", partner="FR")[1]}
    for email, partner in (("ng@example.org", "NG"), ("be@example.org", "BE")):
        make_account(email, "committee-member", partner=partner)
    return app, app.test_client(), tokens, Scheduler(app, owner="test")


def _walk(client, url, headers=None) -> tuple[list[dict], int]:
    """Every item of a list, following `Link: rel=next`; and how many pages it took."""
    items, pages = [], 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        items += response.get_json()
        pages += 1
        found = re.match(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        url = found.group(1) if found else None
    return items, pages


@contextmanager
def counted(app):
    """The number of SQL statements run inside the block."""
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_labelling_requests_in_pages_newest_first_each_partner_its_own(office):
    app, client, tokens, scheduler = office
    own = [client.post("/api/labelling-requests", json={"title": f"Draft {n}"}, headers=bearer(tokens["partner"]))
           .get_json()["id"] for n in range(5)]
    other = client.post("/api/labelling-requests", json={"title": "French draft"},
                        headers=bearer(tokens["other"])).get_json()["id"]
    items, pages = _walk(client, "/api/labelling-requests?limit=2", bearer(tokens["partner"]))
    assert [i["id"] for i in items] == own[::-1] and pages == 3
    items, _ = _walk(client, "/api/labelling-requests?limit=4", bearer(tokens["officer"]))
    assert [i["id"] for i in items] == [other] + own[::-1]
    items, _ = _walk(client, "/api/labelling-requests?partner=FR&status=draft", bearer(tokens["officer"]))
    assert [i["id"] for i in items] == [other]
    assert client.get("/api/labelling-requests?status=nope", headers=bearer(tokens["officer"])).status_code == 422
    assert client.get("/api/labelling-requests?after=xyz", headers=bearer(tokens["officer"])).status_code == 200


def test_the_register_in_pages_with_its_actions_read_at_once(office, frozen_clock):
    app, client, tokens, scheduler = office
    labelled = label_initiatives(client, tokens["partner"], tokens["officer"], frozen_clock, scheduler,
                                 *({"title": f"Initiative {n}", "actions": [3, 4 + n]} for n in range(4)))
    items, pages = _walk(client, "/api/labelled-initiatives?limit=3")
    assert [i["id"] for i in items] == labelled[::-1] and pages == 2  # labelled at the same instant: by id
    assert [(a["domain"], a["objective"], a["action"]) for a in items[-1]["actions"]] == [(1, 1, 3), (1, 2, 4)]
    assert items[-1]["actions"][0]["title"]["en"].startswith("Entrepreneurship")  # today's title, by name
    filtered, _ = _walk(client, "/api/labelled-initiatives?action=5&limit=1")
    assert [i["title"] for i in filtered] == ["Initiative 1"]
    with counted(app) as one:
        client.get("/api/labelled-initiatives?limit=1")
    with counted(app) as four:
        client.get("/api/labelled-initiatives?limit=4")
    assert len(four) == len(one) <= 5  # no query per initiative


def test_silent_procedures_in_pages_by_status(office):
    app, client, tokens, scheduler = office
    launched = [client.post("/api/silent-procedures", json={**LAUNCH, "subject": f"Text {n}"},
                            headers=bearer(tokens["officer"])).get_json()["id"] for n in range(3)]
    withdrawn = client.post(f"/api/silent-procedures/{launched[1]}/withdraw", headers=bearer(tokens["officer"]),
                            json={"reason": "The text is being revised."})
    assert withdrawn.status_code == 200, withdrawn.get_json()
    items, pages = _walk(client, "/api/silent-procedures?limit=2", bearer(tokens["officer"]))
    assert [i["id"] for i in items] == launched[::-1] and pages == 2
    assert items[0]["deadline"].startswith("2026-03-10T16:00") and items[0]["deadline_local"].startswith("2026-03-10T17:00")
    opened, _ = _walk(client, "/api/silent-procedures?status=open", bearer(tokens["officer"]))
    assert [i["id"] for i in opened] == [launched[2], launched[0]]
    assert client.get("/api/silent-procedures", headers=bearer(tokens["partner"])).status_code == 403
    with counted(app) as statements:
        client.get("/api/silent-procedures?limit=3", headers=bearer(tokens["officer"]))
    assert len(statements) <= 6
