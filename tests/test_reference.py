"""Reference data: the real facts, complete, served publicly, loaded idempotently."""
from service import reference_data
from service.extensions import db


def test_action_plans_are_complete(client):
    cadiz = client.get("/api/reference/action-plans/cadiz").get_json()
    assert cadiz["current"] is True and cadiz["name"]["fr"] == "Plan d'action de Cadix"
    objectives = [o for d in cadiz["domains"] for o in d["objectives"]]
    actions = [a["number"] for o in objectives for a in o["actions"]]
    assert (len(cadiz["domains"]), len(objectives), actions) == (5, 10, list(range(1, 30)))
    marrakesh = client.get("/api/reference/action-plans/marrakesh").get_json()
    objectives = [o for d in marrakesh["domains"] for o in d["objectives"]]
    assert (len(marrakesh["domains"]), len(objectives)) == (5, 10)
    assert [a["number"] for o in objectives for a in o["actions"]] == list(range(1, 24))
    assert [len(o["actions"]) for o in objectives] == [3, 2, 3, 2, 2, 2, 3, 2, 2, 2]
    assert client.get("/api/reference/action-plans/nope").status_code == 404
    listed = client.get("/api/reference/action-plans").get_json()
    assert [p["code"] for p in listed] == ["marrakesh", "cadiz"]


def test_gcm_objectives(client):
    gcm = client.get("/api/reference/gcm-objectives").get_json()
    assert [o["number"] for o in gcm] == list(range(1, 24))
    assert all(o["title"]["en"] and o["title"]["fr"] for o in gcm)


def test_partners_and_observers(client):
    partners = client.get("/api/reference/partners").get_json()
    by_code = {p["code"]: p for p in partners}
    countries = [p for p in partners if p["kind"] == "country"]
    organisations = [p for p in partners if p["kind"] == "organisation" and p["status"] == "partner"]
    assert len(countries) == 57 and len(organisations) == 2
    assert len(countries) + len(organisations) == 59
    assert sum(p["region"] == "africa" for p in countries) == 28
    assert sum(p["region"] == "europe" for p in countries) == 29
    assert {"EU", "ECOWAS"} == {p["code"] for p in organisations}
    assert {p["code"] for p in partners if p["status"] == "observer"} == {"DZ", "LY", "IOM", "UNHCR", "ICRC", "UNODC"}
    assert by_code["CI"]["name"] == {"en": "Côte d'Ivoire", "fr": "Côte d'Ivoire"}
    assert by_code["NO"]["name"]["en"] == "Norway"


def test_committee_presidencies_referents(client):
    committees = {c["code"]: c for c in client.get("/api/reference/committees").get_json()}
    members = {m["partner"] for m in committees["steering-committee"]["members"]}
    assert {"BE", "BF", "EU", "ECOWAS", "GQ", "FR", "IT", "ML", "MA", "PT", "SN", "ES", "NG"} == members
    presidencies = client.get("/api/reference/presidencies").get_json()
    assert [p["partner"] for p in presidencies] == ["ML", "BE", "BF", "FR", "GQ", "ES", "MA", "PT", "NG"]
    assert presidencies[-1]["end"] is None and presidencies[-1]["start"] == "2025-01-29"
    assert presidencies[-2]["start"] == "2024-02-01"
    referents = client.get("/api/reference/referents").get_json()
    by_domain = {}
    for referent in referents:
        by_domain.setdefault(referent["domain"], set()).add(referent["partner"])
    assert by_domain == {1: {"NG"}, 2: {"CV", "PT"}, 3: {"TD", "CH"}, 4: {"BF", "CI", "NE", "ES"}, 5: {"CM", "TG"}}


def test_loading_again_changes_nothing(app, client):
    before = client.get("/api/reference/action-plans/cadiz").get_json()
    with app.app_context():
        counts = reference_data.load()
        db.session.commit()
    assert counts["actions"] == 52 and counts["partners"] == 63
    assert client.get("/api/reference/action-plans/cadiz").get_json() == before
    assert len(client.get("/api/reference/partners").get_json()) == 63


def _officer(make_account):
    from tests.helpers import bearer

    return bearer(make_account("officer@example.org", "secretariat")[1])


def test_setup_keeps_an_edit_and_reports_the_difference(reference_restored, app, client, make_account):
    officer = _officer(make_account)
    edited = {"name_en": "Rabat Process Steering Committee", "name_fr": "Comité de pilotage du Processus de Rabat",
              "members": ["BE", "FR", "SN", "NG"], "members_to_confirm": ["NG"]}
    assert client.put("/api/reference/committees/steering-committee", json=edited, headers=officer).status_code == 200
    title = {"title_en": "Objective 1, as corrected", "title_fr": "Objectif 1, corrigé"}
    assert client.put("/api/reference/gcm-objectives/1", json=title, headers=officer).status_code == 200
    runner = app.test_cli_runner()
    setup = runner.invoke(args=["setup"])
    assert setup.exit_code == 0, setup.output
    assert "17 committee members" in setup.output  # read from the files
    assert "Reference data edited in the service, kept; the files differ:" in setup.output
    assert "  gcm_objective 1: title_en is 'Objective 1, as corrected', the files say 'Collect" in setup.output
    committees = {c["code"]: c for c in client.get("/api/reference/committees").get_json()}
    assert [m["partner"] for m in committees["steering-committee"]["members"]] == ["BE", "FR", "NG", "SN"]
    assert client.get("/api/reference/gcm-objectives").get_json()[0]["title"]["en"] == "Objective 1, as corrected"
    assert client.get("/api/reference/gcm-objectives").get_json()[1]["title"]["en"].startswith("Minimize")
    output = runner.invoke(args=["reference", "differences"]).output
    assert "gcm_objective 1: title_en is 'Objective 1, as corrected', the files say 'Collect" in output
    assert "committee steering-committee: members is ['BE', 'FR', 'NG', 'SN'], the files say" in output
    assert len(output.strip().splitlines()) == 4  # both titles, the members, those to confirm


def test_export_round_trip(reference_restored, app, client, make_account, tmp_path):
    officer = _officer(make_account)
    action = {"number": 30, "title_en": "A new action", "title_fr": "Une nouvelle action", "to_confirm": True}
    assert client.post("/api/reference/action-plans/cadiz/objectives/10/actions", json=action,
                       headers=officer).status_code == 201
    partner = {"code": "EG", "name_en": "Egypt", "name_fr": "Égypte", "kind": "country", "region": "africa",
               "status": "observer"}
    assert client.post("/api/reference/partners", json=partner, headers=officer).status_code == 201
    output = app.test_cli_runner().invoke(args=["reference", "export", str(tmp_path / "out")]).output
    assert "committees.yaml" in output
    with app.app_context():
        assert reference_data.differences(tmp_path / "out") == []
        counts = reference_data.load(tmp_path / "out")
        assert counts["actions"] == 53 and counts["partners"] == 64
        db.session.rollback()
    download = client.get("/api/reference/export", headers=officer)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert sorted(archive.namelist()) == sorted(reference_data.FILES)
        assert "Égypte" in archive.read("partners.yaml").decode("utf-8")
    assert client.get("/api/reference/export").status_code == 401


def test_bad_input_is_refused_with_a_clear_message_and_nothing_lost(reference_restored, client, make_account):
    officer = _officer(make_account)
    before = client.get("/api/reference/committees").get_json()
    unknown = {"name_en": "X", "name_fr": "X", "members": ["BE", "ZZ"], "members_to_confirm": []}
    response = client.put("/api/reference/committees/steering-committee", json=unknown, headers=officer)
    assert response.status_code == 422 and response.get_json()["errors"]["json"]["members"] == ["No partner has the code ZZ."]
    twice = {**unknown, "members": ["BE", "BE"]}
    response = client.put("/api/reference/committees/steering-committee", json=twice, headers=officer)
    assert response.get_json()["errors"]["json"]["members"] == ["Listed twice: BE."]
    duplicate = {"code": "SN", "name_en": "Senegal", "name_fr": "Sénégal", "kind": "country", "region": "africa",
                 "status": "partner"}
    response = client.post("/api/reference/partners", json=duplicate, headers=officer)
    assert response.status_code == 422 and response.get_json()["errors"]["code"] == [
        "A partner with the code SN already exists."]
    response = client.put("/api/reference/referents/cadiz/1", json={"partners": ["XX"]}, headers=officer)
    assert response.status_code == 422
    response = client.put("/api/reference/action-plans/cadiz/domains/1", json={"title_en": " ", "title_fr": "x"},
                          headers=officer)
    assert response.status_code == 422 and "title_en" in response.get_json()["errors"]["json"]
    assert client.get("/api/reference/committees").get_json() == before
    assert client.get("/api/reference/changes", headers=officer).get_json() == []


def test_the_secretariat_edits_on_the_pages(reference_restored, client, make_account):
    from tests.helpers import csrf_token, sign_in

    make_account("clerk@example.org", "secretariat", password="a long passphrase")
    make_account("focal@example.org", "partner", partner="SN", password="a long passphrase")
    partner = client.application.test_client()
    sign_in(partner, "focal@example.org")
    assert partner.get("/reference").status_code == 403
    sign_in(client, "clerk@example.org")
    home = client.get("/reference?lang=fr").get_data(as_text=True)
    assert "<title>Données de référence" in home and "Comité de pilotage du Processus de Khartoum" not in home
    for path in ("/reference/action-plans/cadiz", "/reference/gcm-objectives", "/reference/partners",
                 "/reference/committees", "/reference/changes", "/reference/action-plans/cadiz/actions/1",
                 "/reference/partners/new", "/reference/committees/khartoum-steering-committee",
                 "/reference/action-plans/cadiz/referents/1", "/reference/gcm-objectives/1"):
        assert client.get(path + "?lang=fr").status_code == 200, path
    page = client.get("/reference/action-plans/cadiz/actions/1").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "number": "1", "title_en": "Circular migration schemes",
            "title_fr": "Programmes de migration circulaire"}
    assert client.post("/reference/action-plans/cadiz/actions/1", data=form).status_code == 302
    plan = client.get("/reference/action-plans/cadiz?lang=fr").get_data(as_text=True)
    assert "1. Programmes de migration circulaire" in plan
    history = client.get("/reference/action-plans/cadiz/actions/1?lang=en").get_data(as_text=True)
    assert "clerk@example.org" in history and "Action 1" in history and "Circular migration schemes" in history
    changes = client.get("/reference/changes?lang=fr&kind=action").get_data(as_text=True)
    assert "Titre en anglais" in changes and "cadiz/action/1" in changes
    # A partner code that does not exist: the message next to the field, nothing changed.
    page = client.get("/reference/committees/khartoum-steering-committee").get_data(as_text=True)
    bad = {"csrf_token": csrf_token(page), "name_en": "Khartoum Process Steering Committee",
           "name_fr": "Comité de pilotage du Processus de Khartoum", "members": ["FR", "QQ"]}
    refused = client.post("/reference/committees/khartoum-steering-committee?lang=fr", data=bad)
    assert refused.status_code == 422 and 'id="members-error"' in refused.get_data(as_text=True)
    assert "QQ" in refused.get_data(as_text=True)
    members = {c["code"]: c for c in client.get("/api/reference/committees").get_json()}["khartoum-steering-committee"]
    assert [m["partner"] for m in members["members"]] == ["DE", "EU", "FR", "IT"]
    download = client.get("/reference/export.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
