"""The OpenAPI document tells the truth: schemathesis calls every operation with generated
input (valid and invalid, with and without a valid token), as the Secretariat and as a
partner, and checks every answer against the document: no server error, no status, content
type or body outside it, invalid input refused."""
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.scheduler import Scheduler
from tests.helpers import T0, bearer

LAUNCH = {"subject": "Conclusions", "text": "The text.", "proposed_decision": "Endorse.",
          "deadline": "2026-03-10T17:00", "timezone": "Europe/Brussels", "committees": ["steering-committee"]}
DRAFT = {"title": "Diaspora fund", "type": "bilateral_project", "lead_partner": "SN", "budget_eur": "1000.00"}
REQUEST = {
    "title": "Diaspora entrepreneurship fund", "type": "bilateral_project", "lead_partner": "SN",
    "partners": ["FR"], "implementing_organisations": ["Agence sénégalaise de promotion"],
    "start_date": "2026-04-01", "end_date": "2026-09-30", "location": "Dakar", "budget_eur": "250000.00",
    "funding_source": "Bilateral cooperation", "summary": "Seed funding for diaspora-led businesses.",
    "expected_results": "40 businesses created.", "actions": [3], "gcm_objectives": [19],
    "contact_name": "Awa Diop", "contact_email": "awa.diop@example.org",
}
# Examples per operation (each called with both tokens), and no shrinking: a failure is
# reported as found, which keeps the run to about a minute per database.
EXAMPLES = 25
RUN = [Phase.explicit, Phase.generate]


@pytest.fixture
def tokens(make_account):
    return {"secretariat": make_account("officer@example.org", "secretariat")[1],
            "partner": make_account("focal.sn@example.org", "partner", partner="SN")[1]}


@pytest.fixture
def known(app, make_account, tokens, frozen_clock):
    """Rows for the generated calls to find: ids that exist, for each kind of path parameter."""
    make_account("ng@example.org", "committee-member", partner="NG")
    client = app.test_client()
    officer, partner = bearer(tokens["secretariat"]), bearer(tokens["partner"])

    def made(response):
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    procedure = made(client.post("/api/silent-procedures", json=LAUNCH, headers=officer))
    labelled = made(client.post("/api/labelling-requests", json=REQUEST, headers=partner))
    made(client.post(f"/api/labelling-requests/{labelled['id']}/submit", headers=partner))
    made(client.post(f"/api/labelling-requests/{labelled['id']}/review", headers=officer,
                     json={"decision": "accept", "deadline": "2026-03-20T17:00", "timezone": "Europe/Brussels"}))
    frozen_clock.freeze(T0 + timedelta(days=19))
    Scheduler(app, owner="test").run_once()
    assert made(client.get("/api/labelled-initiatives"))  # the register has an entry
    draft = made(client.post("/api/labelling-requests", json=DRAFT, headers=partner))
    case = made(client.post("/api/cases", headers=officer, json={
        "process": "two_step_review", "data": {"requester_email": "focal.sn@example.org"}}))
    return {"procedure_id": procedure["id"], "request_id": draft["id"], "case_id": case["id"],
            "task_id": case["ready_tasks"][0]["id"], "code": "cadiz"}


def document(app, token):
    """The app's OpenAPI document, its bearer security answered with `token`."""
    config = SchemathesisConfig.from_dict({"auth": {"openapi": {"bearer": {"bearer": token}}}})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)


def strategies(operation, known):
    """Valid and invalid calls; and valid calls on rows that exist, where the path names one."""
    modes = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    names = [parameter.name for parameter in operation.path_parameters]
    if names and all(name in known for name in names):
        existing = {name: known[name] for name in names}
        modes.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=existing))
    return st.one_of(modes)


@pytest.mark.parametrize("role", ["secretariat", "partner"])
def test_every_operation_answers_as_documented(reference_restored, app, known, tokens, role):
    # The Secretariat's token writes reference data (partners, committees): put back afterwards.
    failures = {}
    for result in document(app, tokens[role]).get_all_operations():
        operation = result.ok()

        @given(case=strategies(operation, known))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=RUN,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            # Data that fits the document may still break a rule of the domain (a deadline in
            # the past, an unknown committee, text with NUL): a 422 is the right answer then.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # every operation's failure is reported
            failures[operation.label] = failure
    assert not failures, "\n\n".join(f"{label}: {failure}" for label, failure in failures.items())


def test_the_document_says_what_is_public_and_how_things_are_typed(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["security"] == [{"bearer": []}]  # the default: a token
    public = {path for path, operations in spec["paths"].items()
              for operation in operations.values() if isinstance(operation, dict) and operation.get("security") == []}
    assert public == {"/api/labelled-initiatives", "/api/labelled-initiatives.csv", "/api/reference/action-plans",
                      "/api/reference/action-plans/{code}", "/api/reference/gcm-objectives", "/api/reference/partners",
                      "/api/reference/committees", "/api/reference/presidencies", "/api/reference/referents",
                      "/api/presidency", "/api/health"}
    for path in public:  # and they are: no token needed
        concrete = path.replace("{code}", "cadiz")
        # No scheduler runs in this test: health says so, as documented (503).
        assert client.get(concrete).status_code == (503 if path == "/api/health" else 200), path
    csv_answer = spec["paths"]["/api/labelled-initiatives.csv"]["get"]["responses"]["200"]["content"]
    assert list(csv_answer) == ["text/csv"]
    register = spec["paths"]["/api/labelled-initiatives"]["get"]["responses"]["200"]["content"]["application/json"]
    assert register["schema"]["items"] == {"$ref": "#/components/schemas/RegisterEntry"}
    budget = spec["components"]["schemas"]["LabellingForm"]["properties"]["budget_eur"]
    assert "type" not in budget and [kind["type"] for kind in budget["oneOf"]] == ["string", "number"]
    assert "minimum" not in budget and budget["oneOf"][1]["minimum"] == 0
    case_id = spec["paths"]["/api/cases/{case_id}"]["parameters"][0]["schema"]
    assert case_id == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
