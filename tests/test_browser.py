"""Pages a person looks at, in a real browser (Chromium driven by Playwright)."""
import os
import re

import pytest
from sqlalchemy import select

from notifications.models import OutboxMessage
from service.extensions import db
from service.scheduler import Scheduler
from tests.helpers import LAUNCH, bearer, sign_in_page

def test_a_member_objects_from_the_link_in_the_email(live_app, browser, make_account, tmp_path):
    _, officer = make_account("officer@example.org", "secretariat")
    make_account("ng@example.org", "committee-member", partner="NG", language="en")
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    client = live_app.test_client()
    procedure = client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(officer)).get_json()
    Scheduler(live_app, owner="test").run_once()
    with live_app.app_context():
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "ng@example.org"))
        link = next(re.search(r"http://\S+", line).group(0) for line in mail.text_body.splitlines() if "Object" in line)

    page = browser.new_page()
    page.goto(link)
    assert page.get_by_role("heading", name="Object (breaks silence)").is_visible()
    assert "Conclusions of the thematic meeting" in page.content()
    reason = page.get_by_label("Reason for the objection")
    reason.fill("   ")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.get_by_text("The reason may not be empty.").is_visible()
    assert client.get(f"/api/silent-procedures/{procedure['id']}", headers=bearer(officer)).get_json()["status"] == "open"

    page.get_by_label("Reason for the objection").fill("Paragraph 3 must be revised.")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Response received").is_visible()
    page.screenshot(path=str(tmp_path / "objection-received.png"), full_page=True)
    state = client.get(f"/api/silent-procedures/{procedure['id']}", headers=bearer(officer)).get_json()
    assert state["status"] == "silence_broken"
    assert state["responses"][0]["text"] == "Paragraph 3 must be revised."


def test_the_launch_form_in_french_shows_errors_next_to_fields(live_app, browser, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    base = live_app.config["PUBLIC_BASE_URL"]
    page = sign_in_page(browser, base, "clerk@example.org")
    page.goto(base + "/silent-procedures/new?lang=fr")
    page.get_by_label("Objet").fill("Programme de la présidence")
    page.get_by_label("Décision proposée").fill("Approuver le programme.")
    page.get_by_label("Échéance (date et heure locales)").fill("2026-03-03T10:00")
    page.get_by_role("button", name="Lancer").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le texte ne peut être vide.").is_visible()
    assert page.get_by_label("Objet").input_value() == "Programme de la présidence"  # nothing typed is lost
    page.get_by_label("Texte soumis à approbation").fill("Le programme est annexé.")
    page.get_by_label("Échéance (date et heure locales)").fill("2026-03-12T10:00")
    page.get_by_role("button", name="Lancer").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Programme de la présidence").is_visible()


def test_a_partner_fills_the_labelling_form_sees_errors_corrects_and_submits(live_app, browser, make_account):
    make_account("focal.sn@example.org", "partner", partner="SN", language="fr", password="a long passphrase")
    base = live_app.config["PUBLIC_BASE_URL"]
    page = sign_in_page(browser, base, "focal.sn@example.org")
    page.goto(base + "/labelling/new?lang=fr")
    page.get_by_label("Titre de l'initiative").fill("Fonds d'entrepreneuriat de la diaspora")
    page.get_by_label("Type", exact=True).select_option("bilateral_project")
    page.get_by_label("Date de début (ou de l'événement)").fill("2026-09-30")
    page.get_by_label("Date de fin").fill("2026-04-01")
    page.get_by_label("Lieu").fill("Dakar")
    page.get_by_label("Budget (EUR)").fill("-10")
    page.get_by_label("Résumé").fill("Financement d'amorçage.")
    page.get_by_label("Résultats attendus").fill("40 entreprises.")
    page.get_by_label("Personne de contact").fill("Awa Diop")
    page.get_by_label("Courriel de contact").fill("awa.diop@example")
    page.get_by_role("button", name="Soumettre").click()
    page.wait_for_load_state()
    for message in ("La date de fin précède la date de début.", "Le budget ne peut être négatif.",
                    "Adresse électronique non valide."):
        assert page.get_by_text(message).is_visible(), message
    assert page.get_by_label("Titre de l'initiative").input_value() == "Fonds d'entrepreneuriat de la diaspora"

    page.get_by_label("Date de début (ou de l'événement)").fill("2026-04-01")
    page.get_by_label("Date de fin").fill("2026-09-30")
    page.get_by_label("Budget (EUR)").fill("250000")
    page.get_by_label("Courriel de contact").fill("awa.diop@example.org")
    page.get_by_role("button", name="Soumettre").click()
    page.wait_for_load_state()
    assert page.get_by_text("Choisissez au moins une action du Plan d'action.").is_visible()
    page.get_by_label("Entrepreneuriat et investissement productif des jeunes de la diaspora et des femmes").check()
    page.get_by_role("button", name="Soumettre").click()
    page.wait_for_load_state()
    assert page.get_by_text("soumise", exact=True).is_visible()
    page.goto(base + "/labelling?lang=fr")
    row = page.get_by_role("row", name=re.compile("Fonds d'entrepreneuriat de la diaspora"))
    assert row.is_visible() and "soumise" in row.inner_text()


def test_a_referent_fills_the_roadmap_in_french(live_app, browser, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    make_account("focal.td@example.org", "referent", partner="TD", language="fr", password="a long passphrase")
    client = live_app.test_client()
    opened = client.post("/api/referent-cycles", headers=bearer(officer), json={
        "domain": 3, "period_start": "2026-03-01", "period_end": "2026-12-31", "roadmap_due": "2026-04-30T17:00",
        "report_due": "2027-01-31T17:00", "timezone": "Europe/Brussels"})
    assert opened.status_code == 201, opened.get_json()
    base = live_app.config["PUBLIC_BASE_URL"]
    page = sign_in_page(browser, base, "focal.td@example.org")
    page.goto(base + "/referent-cycles?lang=fr")
    page.get_by_role("link", name=re.compile("Domaine 3 — Protection")).click()
    assert page.get_by_text("feuille de route attendue").first.is_visible()
    page.get_by_role("link", name="Remplir la feuille de route").click()
    page.get_by_label("Thèmes (un par ligne)").fill("Mineurs non accompagnés\nMigrants disparus")
    activity = page.get_by_role("group", name="Nouvelle activité")
    activity.get_by_label("Titre").fill("Réunion thématique sur les migrants disparus")
    activity.get_by_label("Nature").select_option(label="Réunion thématique")
    activity.get_by_label("Lieu").fill("Genève")
    page.get_by_label("Besoins exprimés").fill("Interprétation en arabe.")
    page.get_by_role("button", name="Soumettre au Secrétariat").click()
    page.wait_for_load_state()
    for message in ("Indiquez la date de début prévue.", "Choisissez les objectifs ou actions du Plan d'action qu'elle sert."):
        assert page.get_by_text(message).is_visible(), message
    activity = page.get_by_role("group", name="Activité 1")
    assert activity.get_by_label("Titre").input_value() == "Réunion thématique sur les migrants disparus"  # nothing lost
    activity.get_by_label("Date de début").fill("2026-09-20")
    activity.get_by_text("Domaine 3 — Protection et asile").click()
    activity.get_by_label("Action 16").check()
    page.get_by_role("button", name="Soumettre au Secrétariat").click()
    page.wait_for_load_state()
    assert page.get_by_text("feuille de route soumise, en examen").is_visible()
    assert page.get_by_text("Réunion thématique sur les migrants disparus").is_visible()
    roadmap = client.get(f"/api/referent-cycles/{opened.get_json()['id']}/roadmap", headers=bearer(officer)).get_json()
    assert roadmap["status"] == "submitted" and roadmap["submitted_by"] == "focal.td@example.org"
    assert roadmap["content"]["activities"][0]["actions"] == [16]


def test_the_secretariat_opens_a_presidency_handover_in_french(live_app, browser, make_account):
    make_account("greffe@example.org", "secretariat", language="fr", password="a long passphrase")
    base = live_app.config["PUBLIC_BASE_URL"]
    page = sign_in_page(browser, base, "greffe@example.org")
    page.goto(base + "/handovers?lang=fr")
    assert page.get_by_text("précédente : Portugal ; actuelle : Nigéria ; suivante : pas encore désignée").is_visible()
    page.get_by_role("link", name="Ouvrir la passation").click()
    page.wait_for_load_state()
    page.get_by_label("Présidence entrante", exact=True).select_option("NG")
    page.get_by_label("Date de la réunion des hauts fonctionnaires (SOM)").fill("2026-03-03")
    page.get_by_label("Lieu de la réunion des hauts fonctionnaires").fill("Bruxelles")
    page.get_by_role("button", name="Ouvrir la passation").click()
    page.wait_for_load_state()
    assert page.get_by_text("La réunion des hauts fonctionnaires est trop proche").is_visible()
    assert page.get_by_label("Lieu de la réunion des hauts fonctionnaires").input_value() == "Bruxelles"
    page.get_by_label("Date de la réunion des hauts fonctionnaires (SOM)").fill("2027-01-28")
    page.get_by_role("button", name="Ouvrir la passation").click()
    page.wait_for_load_state()
    assert page.get_by_text("La Présidence entrante doit être un autre partenaire que la sortante (Nigéria).").is_visible()
    page.get_by_label("Présidence entrante", exact=True).select_option("BE")
    page.get_by_label("Nom de la Présidence entrante en français (p. ex. la Présidence belge)").fill("la Présidence belge")
    page.get_by_role("button", name="Ouvrir la passation").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Passation de la Présidence : Nigéria à Belgique").is_visible()
    assert page.get_by_text("0 des 10 objectifs et 0 des 29 actions du Plan d'action de Cadix abordés").is_visible()
    assert page.get_by_role("cell", name="Informer la Présidence entrante").is_visible()
