"""Every page in French, in Chromium, on a 375 px wide screen: no English word of the interface left
on any of them, and none scrolls sideways."""
import re
from datetime import timedelta
from pathlib import Path

from babel.messages.pofile import read_po
from sqlalchemy import select

from notifications.models import OutboxMessage
from service.extensions import db
from service.scheduler import Scheduler
from tests.helpers import bearer, follow, sign_in_page

CATALOG = Path(__file__).resolve().parent.parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
ZONE_NAMES = re.compile(r"\b(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[\w/+-]+")
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|%s")

# Everything typed in this walk is French, so any English left on a page is the interface's.
PROCEDURE = {"subject": "Conclusions de la réunion thématique", "text": "Le Comité approuve les conclusions.",
             "proposed_decision": "Approuver les conclusions.", "deadline": "2026-03-10T17:00",
             "timezone": "Europe/Brussels", "committees": ["steering-committee"]}
REQUEST = {
    "title": "Fonds d'entrepreneuriat de la diaspora", "type": "bilateral_project", "lead_partner": "SN",
    "partners": ["FR"], "implementing_organisations": ["Agence sénégalaise de promotion"],
    "start_date": "2026-04-01", "end_date": "2026-09-30", "location": "Dakar", "budget_eur": "250000.00",
    "funding_source": "Coopération bilatérale", "summary": "Financement d'amorçage.",
    "expected_results": "Quarante entreprises créées.", "actions": [3], "gcm_objectives": [19],
    "contact_name": "Awa Diop", "contact_email": "focal.sn@example.org",
}


def english_words() -> dict[str, re.Pattern]:
    """The catalog's English source texts (the parts around placeholders) whose French differs."""
    with open(CATALOG, "rb") as handle:
        catalog = read_po(handle, locale="fr")
    found = {}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source, french in zip(ids, strings):
            if source == french:
                continue
            for part in PLACEHOLDER.split(source):
                part = part.strip(" .,:;()[]—-\"“”'…")
                if len(part) < 3 or part in french or not re.search(r"[a-z]", part):
                    continue
                found[part] = re.compile(r"(?<![\w-])" + re.escape(part) + r"(?![\w-])")
    return found


def _page_words(page) -> str:
    """What a reader sees: the page's text, its title, the options of its lists, button values."""
    return "\n".join([page.title(), page.inner_text("body")] + page.eval_on_selector_all(
        "option, input[type=submit]", "nodes => nodes.map(n => n.textContent || n.value)"))


def test_every_page_in_french_has_no_english_word_left(live_app, browser, make_account, frozen_clock):
    app = live_app
    base = app.config["PUBLIC_BASE_URL"]
    _, officer = make_account("clerk@example.org", "secretariat", password="a long passphrase", language="fr")
    _, partner = make_account("focal.sn@example.org", "partner", partner="SN", password="a long passphrase",
                              language="fr")
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    api = app.test_client()
    scheduler = Scheduler(app, owner="test")

    def request_in(status):
        created = api.post("/api/labelling-requests", json=REQUEST, headers=bearer(partner)).get_json()
        if status != "draft":
            assert api.post(f"/api/labelling-requests/{created['id']}/submit", headers=bearer(partner)).status_code == 200
        return created["id"]

    # A labelled initiative: accepted, then adopted by silence once the deadline passes.
    labelled = request_in("submitted")
    assert api.post(f"/api/labelling-requests/{labelled}/review", json={"decision": "accept"},
                    headers=bearer(officer)).status_code == 200
    scheduler.run_once()
    frozen_clock.advance(timedelta(days=15))
    scheduler.run_once()
    scheduler.run_once()
    assert api.get(f"/api/labelling-requests/{labelled}", headers=bearer(partner)).get_json()["status"] == "labelled"
    frozen_clock.advance(timedelta(days=-14))
    submitted, draft = request_in("submitted"), request_in("draft")
    # A request whose silence a member broke: the Secretariat's decision is needed.
    broken = request_in("submitted")
    assert api.post(f"/api/labelling-requests/{broken}/review", json={"decision": "accept"},
                    headers=bearer(officer)).status_code == 200
    scheduler.run_once()
    with app.app_context():
        notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == "be@example.org")
                                    .order_by(OutboxMessage.id.desc())).first()
        object_link = re.findall(r"http://\S+/act/\S+", notice.text_body)[0]
    assert follow(api, object_link.replace(base, ""), reason="Pas de dimension régionale.").status_code == 200
    scheduler.run_once()
    assert api.get(f"/api/labelling-requests/{broken}", headers=bearer(partner)).get_json()["status"] == "silence_broken"
    procedure = api.post("/api/silent-procedures", json=PROCEDURE, headers=bearer(officer)).get_json()
    scheduler.run_once()
    with app.app_context():
        notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == "be@example.org")
                                    .order_by(OutboxMessage.id.desc())).first()
        links = re.findall(r"http://\S+/act/\S+", notice.text_body)
    assert procedure["status"] == "open" and len(links) == 4
    # The labelling request's silent procedure carries its frozen text in both languages: data, not interface.
    with app.app_context():
        from service.procedures.silent_procedure.models import SilentProcedure

        case_id = db.session.get(SilentProcedure, procedure["id"]).case_id
        bilingual = [text for p in db.session.scalars(select(SilentProcedure)).all()
                     for text in (p.subject, p.proposed_decision, p.text) if p.id != procedure["id"]]

    # A contact the Secretariat added, invited and gave a token: its page, and its invitation's link.
    added = api.post("/api/contacts", headers=bearer(officer), json={
        "name": "Aïssatou Ba", "email": "aissatou.ba@example.org", "partner": "SN", "function": "Cheffe de bureau",
        "language": "fr", "roles": ["partner"]}).get_json()
    assert api.post(f"/api/contacts/{added['id']}/invite", headers=bearer(officer)).status_code == 200
    assert api.post(f"/api/contacts/{added['id']}/tokens", json={"label": "outil de suivi"},
                    headers=bearer(officer)).status_code == 201
    with app.app_context():
        invitation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "aissatou.ba@example.org"))
        invitation_path = re.search(r"http://\S+(/act/\S+)", invitation.text_body).group(1)

    words = english_words()
    visited, too_wide = {}, []
    narrow = {"width": 375, "height": 800}

    def check_width(page, name):
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            too_wide.append(name)

    def look(page, url, expect_status=None, who="anonymous"):
        response = page.goto(base + url)
        if expect_status:
            assert response.status == expect_status, url
        text = ZONE_NAMES.sub("", _page_words(page))  # IANA time zone names are identifiers, not words
        for data in bilingual:
            text = text.replace(data, "")
        visited[f"{who} {url}"] = sorted(word for word, pattern in words.items() if pattern.search(text))
        check_width(page, f"{who} {url}")

    def submit_empty(page, url, button, who):
        page.goto(base + url)
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()
        visited[f"{who} {url} (errors)"] = sorted(word for word, pattern in words.items() if pattern.search(ZONE_NAMES.sub("", _page_words(page))))
        check_width(page, f"{who} {url} (errors)")

    anonymous = browser.new_page(locale="fr-FR", viewport=narrow)
    for url in ("/", "/sign-in", "/register", "/register?type=bilateral_project", f"/register/{labelled}",
                "/nothing-here"):
        look(anonymous, url)
    look(anonymous, invitation_path)  # the invitation to choose a password
    look(anonymous, links[2].replace(base, ""))  # the member's "comment" link
    anonymous.get_by_label("Commentaire ou explication de position").fill("Nous soutenons le texte.")
    anonymous.get_by_role("button", name="Confirmer").click()
    anonymous.wait_for_load_state()
    visited["act (done)"] = sorted(w for w, p in words.items() if p.search(_page_words(anonymous)))
    assert anonymous.get_by_role("heading", name="Réponse reçue").is_visible()
    scheduler.run_once()

    clerk = sign_in_page(browser, base, "clerk@example.org")
    clerk.set_viewport_size(narrow)
    for url in ("/", "/silent-procedures", f"/silent-procedures/{procedure['id']}",
                f"/silent-procedures/{procedure['id']}/record", "/silent-procedures/new", "/labelling",
                f"/labelling/{submitted}", f"/labelling/{labelled}", f"/labelling/{broken}", "/labelling?status=submitted",
                "/outbox", "/dev/mail", "/desk",
                f"/cases/{case_id}", "/calendar", "/coverage", "/coverage/records?action=3",
                "/reference", "/reference/action-plans/cadiz",
                "/reference/gcm-objectives", "/reference/partners", "/reference/committees", "/reference/changes",
                "/reference/action-plans/cadiz/actions/1", "/reference/committees/steering-committee",
                "/contacts", "/contacts/new", f"/contacts/{added['id']}", "/contacts/import", "/account"):
        look(clerk, url, 200, "secretariat")
    submit_empty(clerk, "/contacts/new", "Enregistrer le contact", "secretariat")
    submit_empty(clerk, "/contacts/import", "Vérifier le fichier", "secretariat")
    submit_empty(clerk, "/silent-procedures/new", "Lancer", "secretariat")
    submit_empty(clerk, "/reference/partners/new", "Enregistrer", "secretariat")
    submit_empty(clerk, f"/labelling/{submitted}", "Enregistrer la décision", "secretariat")
    submit_empty(clerk, f"/labelling/{broken}", "Enregistrer l'issue", "secretariat")
    assert clerk.get_by_text("silence rompu : décision à prendre").is_visible()
    assert clerk.get_by_text("Pas de dimension régionale.").is_visible()

    focal = sign_in_page(browser, base, "focal.sn@example.org")
    focal.set_viewport_size(narrow)
    for url in ("/", "/labelling", "/labelling/new", f"/labelling/{draft}", f"/labelling/{labelled}", "/account"):
        look(focal, url, 200, "partner")
    look(focal, "/silent-procedures", 403, "partner")
    submit_empty(focal, "/labelling/new", "Soumettre", "partner")

    # The silent procedure's own steps: the list filtered, extend and withdraw asked with their
    # confirmations, the page after the withdrawal, and the member's link once it has ended.
    def seen_as(page, name):
        visited[name] = sorted(w for w, p in words.items() if p.search(ZONE_NAMES.sub("", _page_words(page))))
        check_width(page, name)

    look(clerk, "/silent-procedures?status=open&sort=deadline", 200, "secretariat")
    clerk.goto(base + f"/silent-procedures/{procedure['id']}")
    clerk.get_by_label("Nouvelle échéance (date et heure locales)").fill("2026-03-12T17:00")
    clerk.get_by_label("Motif de la prorogation").fill("Plusieurs capitales demandent un délai.")
    clerk.get_by_role("button", name="Proroger…").click()
    clerk.wait_for_load_state()
    seen_as(clerk, "secretariat extend (confirmation)")
    clerk.goto(base + f"/silent-procedures/{procedure['id']}")
    clerk.get_by_label("Motif du retrait").fill("Le texte sera examiné en réunion.")
    clerk.get_by_role("button", name="Retirer la procédure…").click()
    clerk.wait_for_load_state()
    seen_as(clerk, "secretariat withdraw (confirmation)")
    clerk.get_by_role("button", name="Confirmer le retrait").click()
    clerk.wait_for_load_state()
    assert clerk.get_by_text("Le texte sera examiné en réunion.").first.is_visible()
    seen_as(clerk, "secretariat procedure (withdrawn)")
    look(anonymous, links[0].replace(base, ""), 200, "member (ended)")
    assert anonymous.get_by_role("heading", name="Comment cette procédure s'est terminée").is_visible()
    # Silence broken: the page offers the relaunch, whose errors come back in French.
    broken = api.post("/api/silent-procedures", json=PROCEDURE, headers=bearer(officer)).get_json()
    scheduler.run_once()
    with app.app_context():
        notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == "be@example.org")
                                    .order_by(OutboxMessage.id.desc())).first()
        objection = re.findall(r"http://\S+/act/\S+", notice.text_body)[0].replace(base, "")
    anonymous.goto(base + objection)
    anonymous.get_by_label("Motif de l'objection").fill("Le paragraphe 3 doit être revu.")
    anonymous.get_by_role("button", name="Confirmer").click()
    anonymous.wait_for_load_state()
    look(clerk, f"/silent-procedures/{broken['id']}", 200, "secretariat (silence broken)")
    submit_empty(clerk, f"/silent-procedures/{broken['id']}", "Relancer", "secretariat")

    left = {url: found for url, found in visited.items() if found}
    assert len(visited) == 60
    # The check sees English where there is some: the same pages in English are full of it.
    clerk.goto(base + f"/labelling/{submitted}?lang=en")
    assert {"Status", "submitted", "Record the decision", "Sign out"} <= {
        word for word, pattern in words.items() if pattern.search(_page_words(clerk))}
    assert not left, f"English on French pages: {left}"
    assert not too_wide, f"Pages wider than 375 px: {too_wide}"
