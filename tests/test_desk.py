"""The Secretariat's desk and the case page: every open matter, deadlines first, who has not
answered, filters and pages; a case's diagram, timeline and e-mails."""
import html
import re
from datetime import timedelta

import pytest

from service.scheduler import Scheduler
from tests.helpers import LAUNCH, REQUEST, T0, Mailbox, bearer, follow, sign_in



@pytest.fixture
def office(make_app, make_account, smtp_server):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, PAGE_SIZE=2)
    tokens = {"officer": make_account("clerk@example.org", "secretariat", password="a long passphrase")[1],
              "partner": make_account("focal.sn@example.org", "partner", partner="SN",
                                      password="a long passphrase")[1]}
    for email, partner in (("ng@example.org", "NG"), ("be@example.org", "BE"), ("ma@example.org", "MA")):
        make_account(email, "committee-member", partner=partner)
    client = app.test_client()
    sign_in(client, "clerk@example.org")
    return app, client, tokens, Mailbox(smtp_server), Scheduler(app, owner="test")


def _launch(client, officer, **changes):
    response = client.post("/api/silent-procedures", json={**LAUNCH, **changes}, headers=bearer(officer))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)


def test_the_desk_lists_open_matters_deadlines_first_with_who_has_not_answered(office, frozen_clock):
    app, client, tokens, mailbox, scheduler = office
    late = _launch(client, tokens["officer"], subject="Conclusions of Dakar", deadline="2026-03-20T17:00")
    soon = _launch(client, tokens["officer"], subject="Programme of the Presidency", deadline="2026-03-06T12:00")
    scheduler.run_once()
    assert client.get("/").headers["Location"].endswith("/desk")  # the Secretariat's home is the desk
    page = client.get("/desk?lang=en").get_data(as_text=True)
    rows = _rows(page)
    assert len(rows) == 2 and "Programme of the Presidency" in rows[0] and "Conclusions of Dakar" in rows[1]
    assert "3 of 3 members have not responded" in rows[0]
    assert 'rel="next"' not in page  # two per page here, and two open

    follow(client, mailbox.link("ng@example.org", "No objection"))
    rows = _rows(client.get("/desk?lang=en&procedure=silent_procedure").get_data(as_text=True))
    assert "2 of 3 members have not responded" in "".join(rows)

    # Past the first deadline (the scheduler has not run yet): overdue, at the top.
    frozen_clock.freeze(T0 + timedelta(days=4, hours=12))
    sign_in(client, "clerk@example.org")  # the session ended while the officer was away
    rows = _rows(client.get("/desk?lang=en").get_data(as_text=True))
    assert "overdue" in rows[0] and "Programme of the Presidency" in rows[0]
    scheduler.run_once()
    scheduler.run_once()
    rows = _rows(client.get("/desk?lang=en").get_data(as_text=True))
    assert "Programme of the Presidency" not in "".join(rows)  # adopted: no longer open
    assert "Conclusions of Dakar" in rows[0]
    assert soon["id"] != late["id"]


def test_the_desk_pages_and_filters_in_sql(office):
    app, client, tokens, mailbox, scheduler = office
    for number in range(5):
        _launch(client, tokens["officer"], subject=f"Text {number}", deadline=f"2026-03-{10 + number}T17:00")
    seen, url = [], "/desk?lang=en&procedure=silent_procedure"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [re.search(r"Text \d", row).group(0) for row in _rows(page)]
        found = re.search(r'href="([^"]+)" rel="next"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"Text {n}" for n in range(5)]
    assert _rows(client.get("/desk?procedure=labelling").get_data(as_text=True)) == []
    # Filters that are not values are ignored, never a 500; a NUL character is refused.
    for query in ("procedure=nope", "domain=abc", "after=nonsense", "after=9999-99-99|x|y", "partner=" + "X" * 500):
        assert client.get("/desk?" + query).status_code == 200
    assert client.get("/desk?procedure=%00").status_code == 422


def test_a_labelling_request_on_the_desk_says_whose_move_it_is(office):
    app, client, tokens, mailbox, scheduler = office
    draft = client.post("/api/labelling-requests", json=REQUEST, headers=bearer(tokens["partner"])).get_json()
    client.post(f"/api/labelling-requests/{draft['id']}/submit", headers=bearer(tokens["partner"]))
    rows = _rows(client.get("/desk?lang=en&procedure=labelling").get_data(as_text=True))
    assert len(rows) == 1 and REQUEST["title"] in rows[0] and "Secretariat" in rows[0] and "submitted" in rows[0]
    rows = _rows(client.get("/desk?lang=en&partner=SN").get_data(as_text=True))
    assert len(rows) == 1
    assert _rows(client.get("/desk?lang=en&partner=NG").get_data(as_text=True)) == []
    # Only the Secretariat and the Presidency have a desk.
    partner = app.test_client()
    sign_in(partner, "focal.sn@example.org")
    assert partner.get("/desk").status_code == 403


def test_the_case_page_draws_the_diagram_and_tells_the_timeline(office):
    app, client, tokens, mailbox, scheduler = office
    launched = _launch(client, tokens["officer"])
    scheduler.run_once()
    follow(client, mailbox.link("ng@example.org", "Object"), reason="No.")
    with app.app_context():
        from service.procedures.silent_procedure.models import SilentProcedure
        from service.extensions import db

        case_id = db.session.get(SilentProcedure, launched["id"]).case_id
    page = html.unescape(client.get(f"/cases/{case_id}?lang=fr").get_data(as_text=True))
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'data-state="finished"' in svg and 'data-state="current"' not in svg  # silence broken: ended
    assert "Procédure d'approbation tacite" in page
    assert "ng@example.org" in page  # who objected, in the timeline
    assert page.count("<tr>") >= 3  # timeline and e-mails
    assert "<script" not in page
    # Someone who has nothing to do with the case does not see it.
    partner = app.test_client()
    sign_in(partner, "focal.sn@example.org")
    assert partner.get(f"/cases/{case_id}").status_code == 404


def test_deadlines_in_ones_own_calendar_at_a_secret_revocable_address(office, make_account):
    app, client, tokens, mailbox, scheduler = office
    _launch(client, tokens["officer"], subject="Conclusions of Dakar")
    member = app.test_client()
    make_account("member.ng@example.org", "committee-member", partner="NG", password="a long passphrase",
                 language="fr")
    sign_in(member, "member.ng@example.org")
    page = member.get("/calendar?lang=fr").get_data(as_text=True)
    assert "Conclusions of Dakar" in page
    made = member.post("/calendar/new", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    url = re.search(r"<code>(https://rabat\.example\.org/calendar/[^<]+\.ics)</code>", made.get_data(as_text=True)).group(1)
    feed = app.test_client().get(url.replace("https://rabat.example.org", ""))  # no session: the secret is enough
    body = feed.get_data(as_text=True)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert body.count("BEGIN:VEVENT") == 1 and "DTSTART:20260310T160000Z" in body
    assert "Échéance" in body and "Conclusions of Dakar" in body  # in the member's language
    one = member.get(re.search(r'href="(/calendar/deadline/[^"]+)"', page).group(1))
    assert one.status_code == 200 and "BEGIN:VEVENT" in one.get_data(as_text=True)
    # A partner's focal point is not concerned by the committee's procedure.
    focal = app.test_client()
    sign_in(focal, "focal.sn@example.org")
    assert "Conclusions of Dakar" not in focal.get("/calendar").get_data(as_text=True)
    assert focal.get(re.search(r'href="(/calendar/deadline/[^"]+)"', page).group(1)).status_code == 404
    # Stopped: the address reads nothing any more.
    token = re.search(r'name="csrf_token" value="([^"]+)"', member.get("/calendar").get_data(as_text=True)).group(1)
    member.post("/calendar/revoke", data={"csrf_token": token})
    assert app.test_client().get(url.replace("https://rabat.example.org", "")).status_code == 404
