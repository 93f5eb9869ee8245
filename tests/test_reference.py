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
