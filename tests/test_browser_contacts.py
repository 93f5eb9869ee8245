"""The contact base in a real browser (Chromium driven by Playwright): the Secretariat invites
a contact in French, the contact chooses a password from the e-mailed link and signs in."""
import re

from sqlalchemy import select

from notifications.models import OutboxMessage
from service.extensions import db
from tests.helpers import sign_in_page


def test_the_secretariat_invites_a_contact_in_french(live_app, browser, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase", language="fr")
    base = live_app.config["PUBLIC_BASE_URL"]
    page = sign_in_page(browser, base, "clerk@example.org")
    page.get_by_role("link", name="Contacts").click()
    assert page.get_by_role("heading", name="Contacts").is_visible()
    page.get_by_role("link", name="Ajouter un contact").click()
    page.get_by_label("Nom", exact=True).fill("Awa Diop")
    page.get_by_label("Adresse électronique").fill("awa.diop@example.org")
    page.get_by_label("Partenaire (code)").fill("ZZ")
    page.get_by_label("Fonction").fill("Directrice des migrations")
    page.get_by_label("Langue de préférence").select_option("fr")
    page.get_by_label("point focal d'un partenaire").check()
    page.get_by_role("button", name="Enregistrer le contact").click()
    page.wait_for_load_state()
    assert page.get_by_text("Code de partenaire inconnu.").is_visible()
    assert page.get_by_label("Nom", exact=True).input_value() == "Awa Diop"  # nothing typed is lost
    page.get_by_label("Partenaire (code)").fill("SN")
    page.get_by_role("button", name="Enregistrer le contact").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Contact : Awa Diop").is_visible()
    page.get_by_role("button", name="Envoyer une invitation à choisir un mot de passe").click()
    page.wait_for_load_state()
    assert page.get_by_text("Une invitation à choisir un mot de passe a été envoyée à awa.diop@example.org.").is_visible()

    with live_app.app_context():
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "awa.diop@example.org"))
        link = next(re.search(r"http://\S+", line).group(0) for line in mail.text_body.splitlines()
                    if "Choisir mon mot de passe" in line)
    assert mail.subject == "[Processus de Rabat] Votre compte sur le service des procédures"
    awa = browser.new_page(locale="fr-FR")
    awa.goto(link)
    awa.get_by_label("Nouveau mot de passe", exact=True).fill("a long passphrase")
    awa.get_by_label("Nouveau mot de passe, à nouveau").fill("a long passphrase")
    awa.get_by_role("button", name="Enregistrer mon mot de passe").click()
    awa.wait_for_load_state()
    assert awa.get_by_role("heading", name="Votre mot de passe est enregistré").is_visible()
    signed_in = sign_in_page(browser, base, "awa.diop@example.org")
    assert signed_in.get_by_text("Connecté en tant que awa.diop@example.org").is_visible()
    signed_in.get_by_role("link", name="Mon compte").click()
    assert signed_in.get_by_role("heading", name="Mon compte").is_visible()
    assert signed_in.get_by_role("link", name="Contacts").count() == 0  # the Secretariat's only
