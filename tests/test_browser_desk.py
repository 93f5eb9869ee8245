"""The Action Plan's coverage and the desk's health, in Chromium, in French."""
from service.scheduler import Scheduler
from tests.helpers import bearer, label_initiatives, sign_in_page


def test_the_secretariat_reads_the_coverage_and_drills_down_to_an_initiative(live_app, browser, make_account,
                                                                             frozen_clock):
    _, officer = make_account("clerk@example.org", "secretariat", password="a long passphrase", language="fr")
    _, partner = make_account("focal.sn@example.org", "partner", partner="SN")
    make_account("ng@example.org", "committee-member", partner="NG")
    client = live_app.test_client()
    scheduler = Scheduler(live_app, owner="test")
    label_initiatives(client, partner, officer, frozen_clock, scheduler, {"title": "Fonds de la diaspora"})
    base = live_app.config["PUBLIC_BASE_URL"]

    page = sign_in_page(browser, base, "clerk@example.org")
    page.goto(base + "/desk")
    assert page.get_by_role("heading", name="Travail en arrière-plan : en marche").is_visible()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Couverture du Plan d'action").click()
    page.wait_for_load_state()
    summary = page.locator("p.summary")
    assert "Objectifs abordés : 1 sur 10 ; actions abordées : 1 sur 29" in summary.inner_text()
    assert "du 1 janvier 2023 au 31 décembre 2027" in summary.inner_text()

    # A period when nothing ran, then a mistake in a date: told next to the field.
    page.get_by_label("Du").fill("2028-01-01")
    page.get_by_label("Au", exact=True).fill("2028-12-31")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()
    assert "Objectifs abordés : 0 sur 10 ; actions abordées : 0 sur 29" in page.locator("p.summary").inner_text()
    assert page.get_by_text("Action 29").is_visible()

    page.goto(base + "/coverage")
    page.locator("tr.action.addressed").first.get_by_role("link", name="1").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Action 3 — ce qui s'y rapporte").is_visible()
    page.get_by_role("link", name="Fonds de la diaspora").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Fonds de la diaspora").is_visible()
