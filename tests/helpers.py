"""Helpers the tests share: API headers, CSRF and sign-in, the mailbox of the test SMTP
server, and following the action links it receives. Fixtures live in `conftest.py`; no test
module imports another."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEST_BPMN = HERE / "bpmn"  # processes only the tests use
PRODUCT_BPMN = HERE.parent / "workflows" / "bpmn"  # the product's procedures

#: Every test starts at this instant (a Monday, 09:00 UTC), the clock stopped.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
BASE_URL = "https://rabat.example.org"
LINK = re.compile(re.escape(BASE_URL) + r"/act/[^\s\"<>]+")

# A silent procedure as the Secretariat launches it: 17:00 in Brussels on 10 March is 16:00 UTC.
LAUNCH = {"subject": "Conclusions of the thematic meeting on legal migration",
          "text": "The Steering Committee endorses the conclusions annexed hereto.",
          "proposed_decision": "Endorse the conclusions.", "deadline": "2026-03-10T17:00",
          "timezone": "Europe/Brussels", "committees": ["steering-committee"]}

# A labelling request as a partner's focal point for Senegal files it.
REQUEST = {
    "title": "Diaspora entrepreneurship fund", "type": "bilateral_project", "lead_partner": "SN",
    "partners": ["FR"], "implementing_organisations": ["Agence sénégalaise de promotion"],
    "start_date": "2026-04-01", "end_date": "2026-09-30", "location": "Dakar", "budget_eur": "250000.00",
    "funding_source": "Bilateral cooperation", "summary": "Seed funding for diaspora-led businesses.",
    "expected_results": "40 businesses created.", "actions": [3], "gcm_objectives": [19],
    "contact_name": "Awa Diop", "contact_email": "awa.diop@example.org",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def csrf_token(page: str) -> str:
    """The CSRF token of the (first) form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


def sign_in(client, email: str, password: str = "a long passphrase"):
    """Sign a test client in through the sign-in page (CSRF included)."""
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def text_part(message) -> str:
    return next(p.get_content() for p in message.walk() if p.get_content_type() == "text/plain")


def recipient(message) -> str:
    return message["To"].split("<")[-1].rstrip(">")


class Mailbox:
    """What the test SMTP server received, and the action links in it."""

    def __init__(self, smtp):
        self.smtp = smtp

    def mails(self, to: str | None = None, subject: str | None = None) -> list:
        return [m for m in self.smtp.messages
                if (to is None or to in m["To"]) and (subject is None or subject in m["Subject"])]

    def links(self, to: str, label: str, subject: str | None = None) -> list[str]:
        """The paths of the links labelled `label` in the e-mails to `to`, oldest first."""
        found = []
        for message in self.mails(to=to, subject=subject):
            for line in text_part(message).splitlines():
                if label in line and LINK.search(line):
                    found.append(LINK.search(line).group(0).replace(BASE_URL, ""))
        return found

    def link(self, to: str, label: str, subject: str | None = None) -> str:
        """The path of the first link labelled `label` in the e-mails to `to`."""
        found = self.links(to, label, subject)
        assert found, f"no link {label!r} for {to}"
        return found[0]


def follow(client, path: str, **form):
    """Open a link's page (GET: nothing happens), then confirm it with the page's form (POST)."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **form})


def sign_in_page(browser, base, email, locale="fr-FR"):
    """A browser page signed in through the French sign-in form."""
    page = browser.new_page(locale=locale)
    page.goto(base + "/sign-in?lang=fr")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("a long passphrase")
    page.get_by_role("button", name="Se connecter").click()
    return page


def labelled_initiative(app, title: str, labelled_days_ago: int = 0, **fields) -> int:
    """A labelled initiative written straight into the register (the path to it is tested in
    `test_labelling.py`); `fields` override `REQUEST`'s. Returns its id."""
    from datetime import date, timedelta
    from decimal import Decimal

    from service.extensions import db
    from service.procedures.labelling import actions
    from service.procedures.labelling.models import LabellingRequest

    values = {**REQUEST, **fields, "title": title}
    for name in ("start_date", "end_date"):
        if isinstance(values.get(name), str):
            values[name] = date.fromisoformat(values[name])
    if values.get("budget_eur") is not None:
        values["budget_eur"] = Decimal(values["budget_eur"])
    with app.app_context():
        row = LabellingRequest(partner_code=values["lead_partner"], status="labelled", created_at=T0, updated_at=T0,
                               submitted_at=T0, labelled_at=T0 - timedelta(days=labelled_days_ago), **values)
        db.session.add(row)
        db.session.flush()
        actions.replace(row.id, row.actions)  # the rows the register and the coverage read
        db.session.commit()
        return row.id


def label_initiatives(client, partner: str, officer: str, clock, scheduler, *changes: dict) -> list[int]:
    """File one labelling request per `changes` (over REQUEST) as `partner`, have the Secretariat
    accept each, and let their silent procedures end in silence: they are labelled. Needs
    committee members to address; leaves the clock past the deadline (2026-03-20)."""
    from datetime import timedelta

    ids = []
    for change in changes:
        response = client.post("/api/labelling-requests", json={**REQUEST, **change}, headers=bearer(partner))
        assert response.status_code == 201, response.get_json()
        request_id = response.get_json()["id"]
        assert client.post(f"/api/labelling-requests/{request_id}/submit", headers=bearer(partner)).status_code == 200
        accepted = client.post(f"/api/labelling-requests/{request_id}/review", headers=bearer(officer), json={
            "decision": "accept", "deadline": "2026-03-20T17:00", "timezone": "Europe/Brussels"})
        assert accepted.status_code == 200, accepted.get_json()
        ids.append(request_id)
    clock.freeze(T0 + timedelta(days=19))
    scheduler.run_once()
    scheduler.run_once()
    for request_id in ids:
        assert client.get(f"/api/labelling-requests/{request_id}", headers=bearer(officer)).get_json()["status"] \
            == "labelled"
    return ids
