"""Action links act once: replays (one after the other or twenty at once) write nothing and
send nothing; one response per member, kind and state; old links keep working."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from service.scheduler import Scheduler
from tests.helpers import LAUNCH, Mailbox, bearer, csrf_token, follow


@pytest.fixture
def committee(make_app, make_account, smtp_server):
    app = make_app(MAIL_DELIVERY="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    officer = make_account("officer@example.org", "secretariat")[1]
    make_account("ng@example.org", "committee-member", partner="NG")
    make_account("sn1@example.org", "committee-member", partner="SN", language="fr")
    make_account("sn2@example.org", "committee-member", partner="SN")
    client = app.test_client()
    launched = client.post("/api/silent-procedures", json=LAUNCH, headers=bearer(officer))
    assert launched.status_code == 201
    scheduler = Scheduler(app, owner="test")
    scheduler.run_once()

    class Committee(Mailbox):
        def state(self):
            return client.get(f"/api/silent-procedures/{launched.get_json()['id']}", headers=bearer(officer)).get_json()

    found = Committee(smtp_server)
    found.app, found.client, found.scheduler, found.officer = app, client, scheduler, officer
    return found


def test_twenty_posts_of_one_objection_link_at_once_record_one_response(committee):
    app = committee.app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        path = committee.link("ng@example.org", "Object")
        # Each client has its own session and CSRF token, as twenty browsers would.
        sessions = []
        for _ in range(20):
            connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request("GET", path)
            page = connection.getresponse()
            cookie = page.getheader("Set-Cookie").split(";")[0]
            sessions.append((cookie, csrf_token(page.read().decode())))
            connection.close()

        def post(session):
            cookie, token = session
            connection = HTTPConnection("127.0.0.1", server.port, timeout=60)
            connection.request("POST", path, body=urlencode({"csrf_token": token, "reason": "No."}),
                               headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            status = connection.getresponse().status
            connection.close()
            return status

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(post, sessions))
    finally:
        server.shutdown()
    assert statuses.count(200) == 20, statuses  # the first acted; the others were told what it did
    state = committee.state()
    assert state["status"] == "silence_broken"
    assert [(r["member"], r["kind"], r["counted"]) for r in state["responses"]] == [("NG", "objection", True)]
    committee.scheduler.run_once()
    assert len(committee.mails(to="ng@example.org", subject="Response received")) == 1
    assert committee.mails(subject="not counted") == []


def test_a_comment_link_comments_once_and_the_thanks_page_gives_a_new_link(committee):
    client = committee.client
    path = committee.link("ng@example.org", "Comment")
    done = follow(client, path, comment="First remark.")
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "Add another comment" in page
    next_path = re.search(r'<a href="(/act/[^"]+)">Add another comment</a>', page).group(1)
    assert next_path != path
    token = csrf_token(client.get(next_path).get_data(as_text=True))
    again = client.post(path, data={"csrf_token": token, "comment": "Second remark, same link."})
    assert again.status_code == 200 and "already been used" in again.get_data(as_text=True)
    assert follow(client, next_path, comment="Second remark.").status_code == 200
    comments = [r["text"] for r in committee.state()["responses"] if r["kind"] == "comment"]
    assert comments == ["First remark.", "Second remark."]


def test_one_acknowledgement_per_member_whichever_contact_sends_it(committee):
    assert follow(committee.client, committee.link("sn1@example.org", "Pas d'objection")).status_code == 200
    second = follow(committee.client, committee.link("sn2@example.org", "No objection"))
    assert second.status_code == 200 and "already on record" in second.get_data(as_text=True)
    responses = committee.state()["responses"]
    assert [(r["member"], r["contact"]) for r in responses] == [("SN", "sn1@example.org")]
    committee.scheduler.run_once()
    assert committee.mails(to="sn2@example.org", subject="Response received") == []


def test_links_issued_before_links_had_purposes_still_work(committee):
    from itsdangerous import URLSafeSerializer
    from sqlalchemy import select

    from service.extensions import db
    from service.links import LEGACY_SALT
    from service.models import ActionLink, Contact

    with committee.app.app_context():
        link = db.session.scalar(select(ActionLink).join(Contact, Contact.id == ActionLink.contact_id)
                                 .where(Contact.email == "ng@example.org", ActionLink.purpose == "object"))
        old_token = URLSafeSerializer("test-secret", salt=LEGACY_SALT).dumps(link.token_id)
    assert follow(committee.client, f"/act/{old_token}", reason="Signed the old way.").status_code == 200
    assert committee.state()["status"] == "silence_broken"


def test_a_deactivated_contacts_links_do_not_work(committee):
    from sqlalchemy import update

    from service.extensions import db
    from service.models import Contact

    path = committee.link("ng@example.org", "Object")
    with committee.app.app_context():
        db.session.execute(update(Contact).where(Contact.email == "ng@example.org").values(active=False))
        db.session.commit()
    page = committee.client.get(path)
    assert page.status_code == 404 and "deactivated" in page.get_data(as_text=True)
