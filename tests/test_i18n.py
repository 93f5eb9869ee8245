"""French and English: complete catalogs, messages and notices in the reader's language."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from marshmallow import fields
from sqlalchemy import select

import forms
from notifications.models import OutboxMessage
from service.extensions import db
from service.scheduler import Scheduler
from tests.helpers import LAUNCH, REQUEST, bearer, csrf_token, sign_in

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {language: ROOT / "translations" / language / "LC_MESSAGES" / "messages.po" for language in ("fr", "en")}


def _catalog(path, locale=None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What extraction finds in the sources today (Python, pages, e-mails, BPMN)."""
    template = tmp_path_factory.mktemp("catalogs") / "messages.pot"
    bin_dir = Path(sys.executable).parent
    subprocess.run(["bash", str(ROOT / "scripts" / "translations"), "template", str(template)], check=True,
                   cwd=ROOT, env={"PATH": f"{bin_dir}:/usr/bin:/bin"})
    return _catalog(template)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_message_has_a_translation_neither_fuzzy_nor_empty(extracted, language):
    catalog = _catalog(CATALOGS[language], language)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = (found.string if isinstance(found.string, tuple) else (found.string,)) if found else ()
        if found is None:
            problems.append(f"missing: {message.id!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"empty: {message.id!r}")
    problems += [f"{m.id!r}: {errors}" for m, errors in catalog.check()]
    assert not problems, f"{CATALOGS[language]} needs `scripts/translations extract` and translating:\n" + "\n".join(problems)


def _messages_of(field):
    for text in field.error_messages.values():
        yield text
    for validator in field.validators:
        for name, value in vars(validator).items():
            if (name == "error" or name.startswith("message")) and isinstance(value, str):
                yield value
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None), getattr(field, "value_field", None)):
        if isinstance(inner, fields.Field):
            yield from _messages_of(inner)
    if isinstance(field, fields.Nested):
        for nested in field.schema.fields.values():
            yield from _messages_of(nested)


def test_every_message_a_form_can_give_is_in_the_catalogs():
    french = _catalog(CATALOGS["fr"], "fr")
    untranslated = set()
    for key, schema in forms.FORMS.items():
        instance = schema()
        texts = list(instance.error_messages.values())
        for field in instance.fields.values():
            texts += list(_messages_of(field))
        for text in texts:
            assert isinstance(text, forms.Message), f"{key}: {text!r} is not marked for translation"
            entry = french.get(str.__str__(text))
            if entry is None or not entry.string:
                untranslated.add(str.__str__(text))
    assert not untranslated, sorted(untranslated)


def test_form_messages_and_marshmallow_s_own_speak_the_reader_s_language(client, make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    _, partner = make_account("focal.sn@example.org", "partner", partner="SN", language="fr")
    french = {**bearer(officer), "Accept-Language": "fr"}
    body = client.post("/api/silent-procedures", json={"text": 7, "colour": "blue"}, headers=french).get_json()
    errors = body["errors"]["json"]
    assert errors["subject"] == ["L'objet est obligatoire."]
    assert errors["text"] == ["Texte non valide."]  # marshmallow's "Not a valid string."
    assert errors["colour"] == ["Champ inconnu."]
    english = client.post("/api/silent-procedures", json={}, headers=bearer(officer)).get_json()
    assert english["errors"]["json"]["subject"] == ["The subject is required."]
    draft = client.post("/api/labelling-requests", json={"title": "Fonds", "budget_eur": "-1", "actions": ["x"]},
                        headers={**bearer(partner), "Accept-Language": "fr-FR,fr;q=0.9"}).get_json()
    assert draft["errors"]["json"]["budget_eur"] == ["Le budget ne peut être négatif."]
    assert draft["errors"]["json"]["actions"] == {"0": ["Une action est désignée par son numéro."]}


def _outbox(app, to):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == to)
                                  .order_by(OutboxMessage.id)).all()


@pytest.fixture
def committee(make_account):
    _, officer = make_account("officer@example.org", "secretariat")
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    make_account("pt@example.org", "committee-member", partner="PT", language="en")
    return officer


def test_a_notice_reads_right_in_each_language(app, client, committee):
    assert client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(committee)).status_code == 201
    Scheduler(app, owner="test").run_once()
    french, english = _outbox(app, "be@example.org")[0], _outbox(app, "pt@example.org")[0]

    # French: the formal salutation alone, French punctuation, the deadline for Belgium.
    assert french.text_body.startswith("Madame, Monsieur,\n")
    assert "Procédure d'approbation tacite" in french.subject and "10 mars 2026, 17:00 (Europe/Brussels)" in french.subject
    lines = french.text_body.splitlines()
    assert lines[lines.index("Votre réponse (BE) :") + 1].startswith("- Formuler une objection (rompt le silence) : http")
    assert "SUMMARY:Échéance de la procédure d'approbation tacite" in french.ics

    # English: no French space before colons; each link on its own line under its sentence.
    assert english.text_body.startswith("Dear pt,\n")
    assert " :" not in english.text_body and " :" not in english.subject
    lines = english.text_body.splitlines()
    assert lines[lines.index("Your response (PT):") + 1].startswith("- Object (breaks silence): http")
    # Portugal reads the Brussels deadline in Lisbon's time as well.
    assert "Deadline: 10 March 2026, 17:00 (Europe/Brussels) — 10 March 2026, 16:00 (Europe/Lisbon)" in english.text_body
    assert "SUMMARY:Silent procedure deadline" in english.ics
    for body in (french.text_body, english.text_body, french.html_body, english.html_body):
        assert not re.search(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", body)  # never raw ISO


def test_the_silent_procedure_of_a_labelling_request_speaks_both_languages(app, client, committee, make_account):
    _, partner = make_account("focal.sn@example.org", "partner", partner="SN", language="fr")
    draft = client.post("/api/labelling-requests", json=REQUEST, headers=bearer(partner)).get_json()
    assert client.post(f"/api/labelling-requests/{draft['id']}/submit", headers=bearer(partner)).status_code == 200
    reviewed = client.post(f"/api/labelling-requests/{draft['id']}/review", json={"decision": "accept"},
                           headers=bearer(committee))
    assert reviewed.status_code == 200
    Scheduler(app, owner="test").run_once()
    french = next(m for m in _outbox(app, "be@example.org") if "tacite" in m.subject)
    assert "Labellisation" in french.subject
    assert "Labelliser l'initiative « Diaspora entrepreneurship fund » comme projet du Processus de Rabat." in french.text_body
    assert "Type : Projet bilatéral" in french.text_body and "Type: Bilateral project" in french.text_body
    submitted = next(m for m in _outbox(app, "officer@example.org") if "New labelling request" in m.subject)
    assert "Dear officer," in submitted.text_body


def test_pages_speak_french_statuses_task_names_and_dates(app, client, committee, make_account):
    make_account("clerk@example.org", "secretariat", password="a long passphrase", language="fr")
    procedure = client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(committee)).get_json()
    sign_in(client, "clerk@example.org")
    detail = client.get(f"/silent-procedures/{procedure['id']}?lang=fr").get_data(as_text=True)
    assert "<dt>Statut</dt><dd><strong>ouverte</strong>" in detail
    assert "10 mars 2026, 17:00 (Europe/Brussels) — 10 mars 2026, 16:00 (UTC)" in detail
    record = client.get(f"/silent-procedures/{procedure['id']}/record?lang=fr").get_data(as_text=True)
    assert "Procès-verbal" in record and not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", record)
    assert "peut rompre le silence" in record and "may break silence" not in record


def test_task_names_from_the_bpmn_in_french(app, client, committee, make_account):
    _, clerk = make_account("clerk@example.org", "secretariat", password="a long passphrase", language="fr")
    _, partner = make_account("focal.sn@example.org", "partner", partner="SN", language="fr")
    draft = client.post("/api/labelling-requests", json=REQUEST, headers=bearer(partner)).get_json()
    client.post(f"/api/labelling-requests/{draft['id']}/submit", headers=bearer(partner))
    task = client.get("/api/tasks?process=labelling_request", headers=bearer(clerk)).get_json()[0]
    sign_in(client, "clerk@example.org")
    case_page = client.get(f"/cases/{task['case_id']}?lang=fr").get_data(as_text=True)
    assert "Examiner la complétude et l&#39;éligibilité" in case_page and "Check completeness" not in case_page
    listing = client.get("/labelling?lang=fr").get_data(as_text=True)
    assert "<td>soumise</td>" in listing


def test_error_pages_in_french(client, make_account):
    make_account("focal.sn@example.org", "partner", partner="SN", password="a long passphrase", language="fr")
    missing = client.get("/no-such-page?lang=fr")
    assert missing.status_code == 404 and "Page introuvable" in missing.get_data(as_text=True)
    assert "The requested URL" not in missing.get_data(as_text=True)
    sign_in(client, "focal.sn@example.org")
    refused = client.get("/silent-procedures?lang=fr")
    assert refused.status_code == 403 and "Accès refusé" in refused.get_data(as_text=True)
    unknown = client.get("/labelling/999?lang=fr")
    assert unknown.status_code == 404 and "Aucune demande de labellisation 999." in unknown.get_data(as_text=True)


def test_an_error_on_the_act_page_is_in_the_member_s_language(app, client, committee):
    client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(committee))
    Scheduler(app, owner="test").run_once()
    text = _outbox(app, "be@example.org")[0].text_body
    path = re.search(r"https?://[^/]+(/act/\S+)", next(line for line in text.splitlines() if "objection" in line)).group(1)
    page = client.get(path)
    empty = client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True)), "reason": " "})
    assert empty.status_code == 422 and "Le motif ne peut être vide." in empty.get_data(as_text=True)


def test_a_fresh_clone_compiles_its_catalogs_when_the_app_starts(make_app, tmp_path):
    import shutil

    shutil.copytree(ROOT / "translations", tmp_path / "translations",
                    ignore=shutil.ignore_patterns("*.mo", "*.tmp"))
    french = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    assert not (french / "messages.mo").exists()
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    assert (french / "messages.mo").exists()
    assert "Mot de passe" in app.test_client().get("/sign-in?lang=fr").get_data(as_text=True)

    # A changed catalog is compiled again at the next start.
    po = (french / "messages.po").read_text(encoding="utf-8")
    (french / "messages.po").write_text(po.replace('msgstr "Mot de passe"', 'msgstr "Mot de passe secret"'),
                                        encoding="utf-8")
    make_app(BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    with open(french / "messages.mo", "rb") as handle:
        assert read_mo(handle).get("Password").string == "Mot de passe secret"
