"""Accounts: the `users create` command, API tokens, password sign-in with CSRF."""
import re

from tests.helpers import bearer, csrf_token


def test_users_create_prints_a_working_token_last(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Focal@Example.org", "--role", "partner", "--partner", "sn",
                                 "--language", "fr"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("rp_")
    tasks = app.test_client().get("/api/tasks", headers=bearer(token))
    assert tasks.status_code == 200 and tasks.get_json() == []


def test_users_create_refuses_bad_input_clearly(app):
    runner = app.test_cli_runner()
    unknown_partner = runner.invoke(args=["users", "create", "a@example.org", "--role", "partner", "--partner", "XX"])
    assert unknown_partner.exit_code != 0 and "Unknown partner" in unknown_partner.output
    bad_role = runner.invoke(args=["users", "create", "a@example.org", "--role", "king"])
    assert bad_role.exit_code != 0 and "king" in bad_role.output
    short = runner.invoke(args=["users", "create", "a@example.org", "--role", "secretariat", "--password-stdin"],
                          input="short\n")
    assert short.exit_code != 0 and "at least 10" in short.output


def test_sign_in_with_a_password_from_standard_input(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "officer@example.org", "--role", "secretariat",
                                 "--password-stdin"], input="a long passphrase\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    form = client.get("/sign-in?lang=fr").get_data(as_text=True)
    assert "Mot de passe" in form
    # Without the CSRF token the form is refused.
    assert client.post("/sign-in", data={"email": "officer@example.org", "password": "a long passphrase"}).status_code == 400
    wrong = client.post("/sign-in", data={"email": "officer@example.org", "password": "wrong password",
                                          "csrf_token": csrf_token(form)})
    assert wrong.status_code == 401 and "Adresse inconnue" in wrong.get_data(as_text=True)
    signed_in = client.post("/sign-in", data={"email": "officer@example.org", "password": "a long passphrase",
                                              "csrf_token": csrf_token(form)}, follow_redirects=True)
    assert signed_in.status_code == 200
    assert "officer@example.org" in signed_in.get_data(as_text=True)
    home = client.get("/")
    assert home.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_api_docs_are_served_locally(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "http" not in page.replace("http-equiv", "")  # nothing from elsewhere
    assert client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/cases" in spec["paths"] and "/api/tasks/{task_id}/complete" in spec["paths"]


def test_the_migration_commands_answer(app):
    # Flask-Migrate is loaded only when one of its commands runs (service/migration_commands.py).
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["db", "--help"])
    assert listed.exit_code == 0 and "upgrade" in listed.output and "--directory" in listed.output
    for command in (["db", "current"], ["db", "upgrade"]):  # at the head already: nothing to do
        result = runner.invoke(args=command)
        assert result.exit_code == 0 and result.exception is None, (command, result.output)
        assert "Context impl" in result.output  # Alembic looked at the database


def test_setup_with_demo_data_gives_a_newcomer_working_accounts(app):
    result = app.test_cli_runner().invoke(args=["setup", "--demo"])
    assert result.exit_code == 0, result.output
    assert "Reference data: 63 partners" in result.output
    token = result.output.strip().splitlines()[-1].split()[-1]
    assert app.test_client().get("/api/processes", headers=bearer(token)).status_code == 200
    partner_password = re.search(r"focal\.sn@example\.org, password (\S+)", result.output).group(1)
    client = app.test_client()
    form = client.get("/sign-in").get_data(as_text=True)
    signed_in = client.post("/sign-in", data={"email": "focal.sn@example.org", "password": partner_password,
                                              "csrf_token": csrf_token(form)})
    assert signed_in.status_code == 302
    assert client.get("/labelling/new").status_code == 200
    # Committee members have contacts a silent procedure can write to: 14 members of the two
    # Steering Committees (DE sits on Khartoum's only), 11 referents, the Presidency.
    assert "Demo contacts: 26 at example.org." in result.output
