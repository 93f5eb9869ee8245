"""The contact base kept by the Secretariat: contacts added, invited (they choose a password and
sign in), edited, deactivated (no notice, no link, no token), imported from CSV; API tokens
issued, listed with their last use, and revoked; a contact's own settings."""
import io
from datetime import timedelta

import pytest

from forms.contacts import ROLE_CODES
from service.models import ROLES
from service.scheduler import Scheduler
from tests.helpers import LAUNCH, REQUEST, Mailbox, bearer, csrf_token, follow, sign_in

PASSWORD = "a long passphrase"
AWA = {"name": "Awa Diop", "email": "Awa.Diop@example.org", "partner": "sn", "function": "Director of migration",
       "language": "fr", "roles": ["partner"]}


class Office(Mailbox):
    """The Secretariat at work on the contact base, with the mail it sends read back."""

    def __init__(self, app, smtp, officer_token):
        super().__init__(smtp)
        self.app, self.client, self.officer = app, app.test_client(), officer_token
        self.scheduler = Scheduler(app, owner="test")

    def call(self, method, path, token=None, **json):
        response = self.client.open(path, method=method, headers=bearer(token or self.officer),
                                    json=json if json else None)
        return response.status_code, response.get_json()

    def deliver(self):
        self.scheduler.run_once()
        self.scheduler.run_once()


@pytest.fixture
def office(make_app, make_account, smtp_server):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    _, token = make_account("officer@example.org", "secretariat", password=PASSWORD)
    return Office(app, smtp_server, token)


def test_the_roles_the_forms_know_are_the_services():
    assert set(ROLE_CODES) == set(ROLES)


def test_an_invited_focal_point_chooses_a_password_signs_in_and_files_a_labelling_request(office):
    code, awa = office.call("POST", "/api/contacts", **AWA)
    assert code == 201 and awa["email"] == "awa.diop@example.org" and awa["partner"] == "SN"
    assert awa["roles"] == ["partner"] and awa["active"] and not awa["has_password"]
    browser = office.app.test_client()
    assert sign_in(browser, "awa.diop@example.org").status_code == 401  # no password yet

    assert office.call("POST", f"/api/contacts/{awa['id']}/invite")[0] == 200
    office.deliver()
    [mail] = office.mails("awa.diop@example.org")
    assert "Votre compte sur le service des procédures" in mail["Subject"]  # her language
    path = office.link("awa.diop@example.org", "Choisir mon mot de passe")
    page = browser.get(path)
    assert page.status_code == 200 and "awa.diop@example.org" in page.get_data(as_text=True)
    short = browser.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                     "password": "short", "password_again": "short"})
    assert short.status_code == 422 and "10" in short.get_data(as_text=True)
    chosen = follow(browser, path, password=PASSWORD, password_again=PASSWORD)
    assert chosen.status_code == 200 and "Votre mot de passe est enregistré" in chosen.get_data(as_text=True)
    # The link acts once.
    assert "déjà été utilisé" in browser.get(path).get_data(as_text=True)
    again = browser.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                     "password": "another passphrase", "password_again": "another passphrase"})
    assert "déjà été utilisé" in again.get_data(as_text=True)
    assert sign_in(browser, "awa.diop@example.org", "another passphrase").status_code == 401

    assert sign_in(browser, "awa.diop@example.org").status_code == 302
    token = csrf_token(browser.get("/labelling/new").get_data(as_text=True))
    fields = {k: v for k, v in REQUEST.items() if not isinstance(v, list)}
    filed = browser.post("/labelling/new", data={
        **fields, "partners": ["FR"], "actions": ["3"], "gcm_objectives": ["19"],
        "implementing_organisations": "Agence sénégalaise de promotion", "csrf_token": token, "action": "submit"})
    assert filed.status_code == 302
    request_id = int(filed.headers["Location"].rsplit("/", 1)[1])
    code, request = office.call("GET", f"/api/labelling-requests/{request_id}")
    assert request["status"] == "submitted" and request["lead_partner"] == "SN"
    code, history = office.call("GET", f"/api/contacts/{awa['id']}/history")
    assert [h["action"] for h in history] == ["password_set", "invited", "added"]
    assert history[-1]["actor"] == "officer@example.org" and history[-1]["after"]["function"] == "Director of migration"
    assert history[0]["actor"] == "awa.diop@example.org"


def test_a_new_invitation_replaces_the_earlier_one(office):
    _, awa = office.call("POST", "/api/contacts", **AWA)
    office.call("POST", f"/api/contacts/{awa['id']}/invite")
    office.call("POST", f"/api/contacts/{awa['id']}/invite")
    office.deliver()
    first, second = office.links("awa.diop@example.org", "Choisir mon mot de passe")
    assert office.client.get(first).status_code == 200
    assert "ne fonctionne plus" in office.client.get(first).get_data(as_text=True)
    assert follow(office.client, second, password=PASSWORD, password_again=PASSWORD).status_code == 200


def test_a_deactivated_contact_gets_no_notice_and_its_links_and_token_refuse(office):
    _, ng = office.call("POST", "/api/contacts", name="Ngozi", email="ng@example.org", partner="NG",
                        language="en", roles=["committee-member"])
    _, other = office.call("POST", "/api/contacts", name="Obi", email="ng2@example.org", partner="NG",
                           language="en", roles=["committee-member"])
    code, issued = office.call("POST", f"/api/contacts/{ng['id']}/tokens", label="reporting script")
    assert code == 201 and issued["token"].startswith("rp_")
    assert office.call("GET", "/api/account", issued["token"])[1]["email"] == "ng@example.org"
    office.call("POST", f"/api/contacts/{ng['id']}/invite")
    office.deliver()
    invitation = office.link("ng@example.org", "Choose my password")
    follow(office.client, invitation, password=PASSWORD, password_again=PASSWORD)
    browser = office.app.test_client()
    assert sign_in(browser, "ng@example.org").status_code == 302

    # A silent procedure writes to both; its links are theirs.
    code, procedure = office.call("POST", "/api/silent-procedures", **LAUNCH)
    assert code == 201
    office.deliver()
    objection = office.link("ng@example.org", "Object", "Silent procedure")
    assert office.mails("ng2@example.org", "Silent procedure")

    code, deactivated = office.call("POST", f"/api/contacts/{ng['id']}/deactivate")
    assert code == 200 and not deactivated["active"]
    assert office.call("GET", "/api/account", issued["token"])[0] == 401
    assert browser.get("/labelling").status_code == 302  # signed out
    assert sign_in(browser, "ng@example.org").status_code == 401
    refused = office.client.get(objection)
    assert refused.status_code == 404 and "deactivated" in refused.get_data(as_text=True)

    # The last committee member of Nigeria while a procedure is open: a warning to confirm.
    code, warned = office.call("POST", f"/api/contacts/{other['id']}/deactivate")
    assert code == 409 and "last focal point of NG" in warned["message"]
    assert office.call("GET", f"/api/contacts/{other['id']}")[1]["active"]  # nothing changed

    before = len(office.mails("ng@example.org"))
    office.call("POST", f"/api/silent-procedures/{procedure['id']}/extend", deadline="2026-03-12T17:00",
                timezone="Europe/Brussels")
    code, _ = office.call("POST", "/api/silent-procedures", **{**LAUNCH, "subject": "Another text"})
    office.deliver()
    assert len(office.mails("ng@example.org")) == before, [m["Subject"] for m in office.mails("ng@example.org")]
    assert office.mails("ng2@example.org", "Another text")

    code, confirmed = office.call("POST", f"/api/contacts/{other['id']}/deactivate", confirm=True)
    assert code == 200 and not confirmed["active"]
    code, back = office.call("POST", f"/api/contacts/{ng['id']}/reactivate")
    assert code == 200 and back["active"]
    assert sign_in(office.app.test_client(), "ng@example.org").status_code == 302


def test_bad_input_is_refused_clearly_and_nothing_is_lost(office):
    _, awa = office.call("POST", "/api/contacts", **AWA)
    code, body = office.call("POST", "/api/contacts", **{**AWA, "name": "Someone else"})
    assert code == 422 and "awa.diop@example.org" in body["errors"]["email"][0]
    code, body = office.call("POST", "/api/contacts", **{**AWA, "email": "x@example.org", "partner": "XX"})
    assert code == 422 and body["errors"]["json"]["partner"] == ["Unknown partner code."]
    code, body = office.call("POST", "/api/contacts", **{**AWA, "email": "x@example.org", "language": "de"})
    assert code == 422 and "language" in body["errors"]["json"]
    code, body = office.call("POST", "/api/contacts", **{**AWA, "email": "x@example.org", "roles": ["presidency"]})
    assert code == 422 and "Presidency" in body["errors"]["roles"][0]
    office.call("POST", "/api/contacts", name="Bob", email="bob@example.org", language="en")
    code, body = office.call("PATCH", f"/api/contacts/{awa['id']}", email="bob@example.org", name="Awa D.")
    assert code == 422 and "email" in body["errors"]
    assert office.call("GET", f"/api/contacts/{awa['id']}")[1]["name"] == "Awa Diop"

    # The page says it next to the field, with what was typed.
    browser = office.app.test_client()
    sign_in(browser, "officer@example.org")
    page = browser.get("/contacts/new?lang=en").get_data(as_text=True)
    refused = browser.post("/contacts/new", data={"csrf_token": csrf_token(page), "name": "Awa bis",
                                                  "email": "awa.diop@example.org", "partner": "ZZ",
                                                  "language": "fr", "roles": ["partner"]})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Unknown partner code." in text and 'value="Awa bis"' in text

    # Only the Secretariat keeps the contact base.
    _, partner = office.call("POST", f"/api/contacts/{awa['id']}/tokens", label="script")
    assert office.call("GET", "/api/contacts", partner["token"])[0] == 403
    assert office.call("POST", "/api/contacts", partner["token"], **{**AWA, "email": "y@example.org"})[0] == 403


def test_the_list_is_searched_filtered_and_paged(office, make_account):
    for number in range(5):
        office.call("POST", "/api/contacts", name=f"Focal {number}", email=f"focal{number}@example.org",
                    partner="SN" if number % 2 else "FR", language="fr", roles=["partner"])
    office.app.config["PAGE_SIZE"] = 2
    response = office.client.get("/api/contacts?partner=SN", headers=bearer(office.officer))
    assert [c["email"] for c in response.get_json()] == ["focal1@example.org", "focal3@example.org"]
    assert "Link" not in response.headers
    response = office.client.get("/api/contacts?search=FOCAL&limit=2", headers=bearer(office.officer))
    assert len(response.get_json()) == 2 and 'rel="next"' in response.headers["Link"]
    following = office.client.get(response.headers["Link"].split(">")[0][1:], headers=bearer(office.officer))
    assert [c["email"] for c in following.get_json()] == ["focal2@example.org", "focal3@example.org"]
    assert office.call("GET", "/api/contacts?role=secretariat")[1][0]["email"] == "officer@example.org"
    assert office.call("GET", "/api/contacts?active=false")[1] == []
    browser = office.app.test_client()
    sign_in(browser, "officer@example.org")
    page = browser.get("/contacts?search=focal&lang=en").get_data(as_text=True)
    assert "focal0@example.org" in page and "focal2@example.org" not in page and "Next page" in page


def test_tokens_are_shown_once_listed_with_their_last_use_and_revoked(office, frozen_clock):
    _, awa = office.call("POST", "/api/contacts", **AWA)
    browser = office.app.test_client()
    sign_in(browser, "officer@example.org")
    page = browser.get(f"/contacts/{awa['id']}?lang=en").get_data(as_text=True)
    issued = browser.post(f"/contacts/{awa['id']}/tokens", data={"csrf_token": csrf_token(page), "label": "script"})
    text = issued.get_data(as_text=True)
    assert issued.status_code == 201 and "shown this once" in text and issued.headers["Cache-Control"] == "no-store"
    token = text.split('id="issued-token">')[1].split("<")[0]
    assert token not in browser.get(f"/contacts/{awa['id']}").get_data(as_text=True)

    assert office.call("GET", "/api/account", token)[0] == 200
    [listed] = office.call("GET", f"/api/contacts/{awa['id']}/tokens")[1]
    first_use = listed["last_used_at"]
    assert listed["label"] == "script" and first_use is not None
    frozen_clock.advance(timedelta(seconds=30))
    office.call("GET", "/api/account", token)
    assert office.call("GET", f"/api/contacts/{awa['id']}/tokens")[1][0]["last_used_at"] == first_use
    frozen_clock.advance(timedelta(seconds=31))
    office.call("GET", "/api/account", token)
    assert office.call("GET", f"/api/contacts/{awa['id']}/tokens")[1][0]["last_used_at"] != first_use

    page = browser.get(f"/contacts/{awa['id']}").get_data(as_text=True)
    revoked = browser.post(f"/contacts/{awa['id']}/tokens/{listed['id']}/revoke",
                           data={"csrf_token": csrf_token(page)})
    assert revoked.status_code == 302 and office.call("GET", "/api/account", token)[0] == 401
    assert "revoked" in browser.get(f"/contacts/{awa['id']}?lang=en").get_data(as_text=True)


def test_a_contact_changes_their_own_language_password_and_tokens(office, make_account):
    _, token = make_account("focal.sn@example.org", "partner", partner="SN", password=PASSWORD)
    code, body = office.call("PATCH", "/api/account", token, password="a newer passphrase")
    assert code == 422 and "current_password" in body["errors"]["json"]
    code, body = office.call("PATCH", "/api/account", token, password="a newer passphrase", current_password="wrong")
    assert code == 422 and "current_password" in body["errors"]
    code, body = office.call("PATCH", "/api/account", token, language="fr", password="a newer passphrase",
                             current_password=PASSWORD)
    assert code == 200 and body["language"] == "fr"
    assert sign_in(office.app.test_client(), "focal.sn@example.org", "a newer passphrase").status_code == 302
    code, mine = office.call("POST", "/api/account/tokens", token, label="laptop")
    assert code == 201
    assert office.call("POST", f"/api/account/tokens/{mine['id']}/revoke", token)[0] == 200
    assert office.call("GET", "/api/account", mine["token"])[0] == 401
    # Another's tokens are not theirs to see.
    assert office.call("GET", "/api/contacts/1/tokens", token)[0] == 403

    browser = office.app.test_client()
    sign_in(browser, "focal.sn@example.org", "a newer passphrase")
    page = browser.get("/account").get_data(as_text=True)
    assert "Mon compte" in page
    saved = browser.post("/account", data={"csrf_token": csrf_token(page), "language": "en"})
    assert saved.status_code == 302 and "My account" in browser.get("/account").get_data(as_text=True)


GOOD = ("name,email,partner,function,language,roles\n"
        "Fatou Sow,fatou.sow@example.org,SN,Head of unit,fr,partner\n"
        "John Smith,john.smith@example.org,NG,,en,committee-member partner\n")
BAD = ("name;email;partner;function;language;roles\n"
       "Fatou Sow;fatou.sow@example.org;SN;Head of unit;fr;partner\n"
       "Nobody;officer@example.org;;;en;\n"
       "Unknown;someone@example.org;XX;;de;chief\n"
       "Twice;FATOU.SOW@example.org;SN;;fr;partner\n")


def test_a_csv_import_with_one_bad_line_saves_nothing_then_a_good_one_is_imported(office):
    code, report = office.call("POST", "/api/contacts/import", csv=BAD)
    assert code == 200 and not report["valid"] and not report["imported"]
    errors = {line["line"]: line["errors"] for line in report["lines"]}
    assert errors[2] == {}
    assert errors[3]["email"] == ["A contact already has this e-mail address."]
    assert errors[4]["partner"] == ["Unknown partner code."] and "language" in errors[4] and "roles" in errors[4]
    assert errors[5]["email"] == ["The same e-mail address is on line 2."]
    code, refused = office.call("POST", "/api/contacts/import", csv=BAD, dry_run=False)
    assert code == 422 and set(refused["errors"]["lines"]) == {"3", "4", "5"}
    assert office.call("GET", "/api/contacts?search=fatou")[1] == []  # nothing saved

    code, report = office.call("POST", "/api/contacts/import", csv=GOOD)
    assert code == 200 and report["valid"] and report["contacts"] == 2
    assert office.call("GET", "/api/contacts?search=fatou")[1] == []  # a dry run saves nothing
    code, report = office.call("POST", "/api/contacts/import", csv=GOOD, dry_run=False)
    assert code == 201 and report["imported"]
    [john] = office.call("GET", "/api/contacts?search=john")[1]
    assert john["roles"] == ["committee-member", "partner"] and john["partner"] == "NG"
    assert office.call("GET", f"/api/contacts/{john['id']}/history")[1][0]["action"] == "imported"
    # Imported again: every line is now a duplicate.
    assert office.call("POST", "/api/contacts/import", csv=GOOD, dry_run=False)[0] == 422


def test_the_import_page_checks_first_then_imports(office):
    browser = office.app.test_client()
    sign_in(browser, "officer@example.org")
    page = browser.get("/contacts/import?lang=en").get_data(as_text=True)

    checked = browser.post("/contacts/import", data={"csrf_token": csrf_token(page), "action": "check",
                                                     "file": (io.BytesIO(BAD.encode()), "contacts.csv")},
                           content_type="multipart/form-data")
    text = checked.get_data(as_text=True)
    assert checked.status_code == 422 and "Unknown partner code." in text and "nothing was saved" in text
    checked = browser.post("/contacts/import", data={"csrf_token": csrf_token(page), "action": "check",
                                                     "file": (io.BytesIO(GOOD.encode()), "contacts.csv")},
                           content_type="multipart/form-data")
    text = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "2 contacts can be imported" in text
    imported = browser.post("/contacts/import", data={"csrf_token": csrf_token(text), "action": "import",
                                                      "csv": GOOD})
    assert imported.status_code == 302
    assert "john.smith@example.org" in browser.get("/contacts").get_data(as_text=True)


def test_the_presidency_role_stays_with_the_presiding_partner_as_the_handover_keeps_it(office):
    # Nigeria holds the Presidency (the shipped timeline); the handover grants the role to its
    # focal points and withdraws it from the outgoing Presidency's: the Secretariat keeps to that.
    code, ng = office.call("POST", "/api/contacts", name="Ngozi", email="ng@example.org", partner="NG",
                           language="en", roles=["partner", "presidency"])
    assert code == 201 and ng["roles"] == ["partner", "presidency"]
    code, body = office.call("PATCH", f"/api/contacts/{ng['id']}", partner="SN")
    assert code == 422 and "Presidency" in body["errors"]["roles"][0]
    code, moved = office.call("PATCH", f"/api/contacts/{ng['id']}", partner="SN", roles=["partner"])
    assert code == 200 and moved["roles"] == ["partner"] and moved["partner"] == "SN"
    code, history = office.call("GET", f"/api/contacts/{ng['id']}/history")
    assert history[0]["before"]["roles"] == ["partner", "presidency"] and history[0]["after"]["roles"] == ["partner"]


def test_the_page_asks_before_removing_the_last_focal_point_while_a_procedure_is_open(office):
    _, ng = office.call("POST", "/api/contacts", name="Ngozi", email="ng@example.org", partner="NG",
                        language="en", roles=["committee-member"])
    assert office.call("POST", "/api/silent-procedures", **LAUNCH)[0] == 201
    browser = office.app.test_client()
    sign_in(browser, "officer@example.org")
    page = browser.get(f"/contacts/{ng['id']}?lang=en").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "name": "Ngozi", "email": "ng@example.org", "partner": "NG",
            "language": "en", "roles": []}
    warned = browser.post(f"/contacts/{ng['id']}", data=form)
    text = warned.get_data(as_text=True)
    assert warned.status_code == 409 and "last focal point of NG" in text and "I confirm the change" in text
    assert office.call("GET", f"/api/contacts/{ng['id']}")[1]["roles"] == ["committee-member"]
    confirmed = browser.post(f"/contacts/{ng['id']}", data={**form, "confirm": "1"})
    assert confirmed.status_code == 302
    assert office.call("GET", f"/api/contacts/{ng['id']}")[1]["roles"] == []
    # A field emptied on the page is cleared.
    cleared = browser.post(f"/contacts/{ng['id']}", data={**form, "partner": "", "confirm": "1"})
    assert cleared.status_code == 302 and office.call("GET", f"/api/contacts/{ng['id']}")[1]["partner"] is None
    history = browser.get(f"/contacts/{ng['id']}?lang=en").get_data(as_text=True)
    assert "Steering Committee member" in history and "Partner: NG" in history


def test_a_generic_notice_skips_a_deactivated_contact_named_by_address_or_role(office):
    from service.effects import recipients

    _, awa = office.call("POST", "/api/contacts", **AWA)
    office.call("POST", "/api/contacts", name="Fatou", email="fatou@example.org", partner="SN", language="fr",
                roles=["partner"])
    office.call("POST", f"/api/contacts/{awa['id']}/deactivate")
    with office.app.app_context():
        found = [email for email, _, _ in recipients(["awa.diop@example.org", "role:partner", "new@example.org"])]
    assert found == ["fatou@example.org", "new@example.org"]
