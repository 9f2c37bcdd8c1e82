"""Schemathesis over the whole OpenAPI schema (quality.md #12, issue 8 finding 4): every
operation, writes included, as every role of the demo — anonymous, an applicant person
(`zhangsan`), an applicant enterprise (`canyin`), a window clerk, a reviewer, a 首席代表, a
supervisor and a catalogue administrator (session cookie plus CSRF token, so that writes get
past the CSRF check and reach the services): no server errors, responses match the schema.

Examples per operation and role: `EXAMPLES_PER_ROLE` (env ZHENGWU_SCHEMATHESIS_EXAMPLES),
derandomized, so CI runs the same requests every time; the operations that cost a second or
more per call (`HEAVY`: exports, the quality check, whole lists) get one example per role.
Chosen so that this file stays within its CI budget on SQLite (figure in docs/security.md).

Schemathesis's coverage phase (boundary and invalid values of every parameter, not bounded by
the examples) is four fifths of this file's time. Each CI run sends it as every role once:
on SQLite (`make test`) as anonymous, the applicants and the case-handling staff
(`SQLITE_COVERAGE`), on PostgreSQL (.ci/postgres.sh) as anonymous and the other staff roles
(`POSTGRES_COVERAGE`); anonymous on both, as the public reads are where unchecked input
arrives first and SQLite is the default deployment. Every role not in a run's set is fuzzed
there with the examples only. ZHENGWU_SCHEMATHESIS_COVERAGE_ROLES names the set (a list of
roles, or `all`).

Of the coverage phase, the invalid values (negative mode) and the methods an operation does not
have are refused before any role matters — django-ninja checks the session, then validates
every parameter, before the view runs — so they are sent as anonymous and one signed-in role
(`VALIDATION_ROLES`, on SQLite; env ZHENGWU_SCHEMATHESIS_VALIDATION_ROLES) and every other
coverage role gets the valid boundary values only (positive mode), which reach the services,
where roles differ. That is a third of each such role's time (measured: docs/security.md).

The schema is loaded from the Django app at import time (serving openapi.json needs no
database); every generated request runs inside the test's transaction on the loaded pack.
`schemathesis.pytest.from_fixture` is not used: schemathesis 4.32 sets `Node._nodeid`, which
pytest 9.2 no longer has.
"""

import os
from importlib import import_module
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.auth import login
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from zhengwu.accounts.models import User

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# The demo login of each role (packs/leiyang/people.csv); None = anonymous.
ROLES = {"anonymous": None, "applicant_person": "zhangsan", "applicant_enterprise": "canyin",
         "clerk": "clerk", "reviewer": "reviewer", "chief": "chief",
         "supervisor": "supervisor", "catalog_admin": "catalog", "hall_manager": "hallmgr",
         "proxy_agent": "proxy", "hotline_operator": "hotline"}
EXAMPLES_PER_ROLE = int(os.environ.get("ZHENGWU_SCHEMATHESIS_EXAMPLES", "2"))
# Operations that cost a second or more per call (a whole list or every implementation
# recomputed): one example each per role, so the file stays within its CI budget.
HEAVY = r"/export$|/quality$|/delegation-review$|/draft$|/lists/\{kind\}$|/kpis$"


def _examples(count):
    return settings(max_examples=count, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


# The roles the coverage phase runs as on each database; together, every role.
SQLITE_COVERAGE = ("anonymous", "applicant_person", "applicant_enterprise", "clerk", "reviewer",
                   "chief")
POSTGRES_COVERAGE = ("anonymous", "supervisor", "catalog_admin", "hall_manager", "proxy_agent",
                     "hotline_operator")
_named = os.environ.get("ZHENGWU_SCHEMATHESIS_COVERAGE_ROLES", ",".join(SQLITE_COVERAGE))
COVERAGE_ROLES = list(ROLES) if _named == "all" else [
    role for role in _named.split(",") if role in ROLES]
FUZZ_ONLY_ROLES = [role for role in ROLES if role not in COVERAGE_ROLES]
# Who gets the whole coverage phase (invalid values and unexpected methods too); the other
# coverage roles get its valid boundary values only.
VALIDATION_ROLES = ("anonymous", "clerk")
_validating = os.environ.get("ZHENGWU_SCHEMATHESIS_VALIDATION_ROLES", ",".join(VALIDATION_ROLES))
WHOLE_COVERAGE_ROLES = [role for role in COVERAGE_ROLES if role in _validating.split(",")]
POSITIVE_COVERAGE_ROLES = [role for role in COVERAGE_ROLES if role not in WHOLE_COVERAGE_ROLES]
WITHOUT_COVERAGE = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
POSITIVE_COVERAGE = SchemathesisConfig.from_dict({"phases": {"coverage": {
    "generation": {"mode": "positive"}, "unexpected-methods": []}}})

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
light = schema.exclude(path_regex=HEAVY)
heavy = schema.include(path_regex=HEAVY)
positive = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(),
                                          config=POSITIVE_COVERAGE)
positive_light = positive.exclude(path_regex=HEAVY)
positive_heavy = positive.include(path_regex=HEAVY)
fuzzed = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(),
                                        config=WITHOUT_COVERAGE)

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Django's test client does the same: finishing a request must not close the test's
    # connection (on PostgreSQL that would break the transaction holding the loaded pack).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _cookies_of(username):
    """A signed-in session and a CSRF token, made the way Client.force_login does it (the test
    Client itself would reconnect close_old_connections after each of its requests)."""
    request = HttpRequest()
    request.session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    login(request, User.objects.get(username=username),
          backend="zhengwu.accounts.backends.SecondFactorBackend")
    request.session.save()
    token = get_token(request)
    return {django_settings.SESSION_COOKIE_NAME: request.session.session_key,
            django_settings.CSRF_COOKIE_NAME: request.META["CSRF_COOKIE"], "_header": token}


def _auth(role):
    """None for anonymous, else the role's session and CSRF cookies."""
    username = ROLES[role]
    return _cookies_of(username) if username else None


@pytest.fixture(params=WHOLE_COVERAGE_ROLES)
def auth(request, db):
    """Each role the whole coverage phase runs as, in turn."""
    return _auth(request.param)


@pytest.fixture(params=POSITIVE_COVERAGE_ROLES)
def positive_auth(request, db):
    """Each role the coverage phase's valid values only are sent as, in turn."""
    return _auth(request.param)


@pytest.fixture(params=FUZZ_ONLY_ROLES)
def fuzz_auth(request, db):
    """Each other role, in turn (none unless ZHENGWU_SCHEMATHESIS_COVERAGE_ROLES names some)."""
    return _auth(request.param)


def _call(case, auth):
    if auth is None:
        case.call_and_validate(checks=CHECKS)
        return
    cookies = {k: v for k, v in auth.items() if k != "_header"}
    case.call_and_validate(checks=CHECKS, cookies=cookies, headers={"X-CSRFToken": auth["_header"]})


# Each test is defined only when its roles are some: an empty parametrization would skip
# each operation.
if WHOLE_COVERAGE_ROLES:

    @light.parametrize()
    @_examples(EXAMPLES_PER_ROLE)
    def test_api(case, auth):
        _call(case, auth)

    @heavy.parametrize()
    @_examples(1)
    def test_heavy_api(case, auth):
        _call(case, auth)


if POSITIVE_COVERAGE_ROLES:

    @positive_light.parametrize()
    @_examples(EXAMPLES_PER_ROLE)
    def test_api_positive(case, positive_auth):
        _call(case, positive_auth)

    @positive_heavy.parametrize()
    @_examples(1)
    def test_heavy_api_positive(case, positive_auth):
        _call(case, positive_auth)


if FUZZ_ONLY_ROLES:

    @fuzzed.parametrize()
    @_examples(EXAMPLES_PER_ROLE)
    def test_api_fuzzed(case, fuzz_auth):
        _call(case, fuzz_auth)


@pytest.mark.parametrize("role", [role for role, username in ROLES.items() if username])
def test_the_signed_in_runs_are_really_signed_in(role, db):
    """Guard against a silently anonymous run: each role's cookies are a session (anonymous
    gets 401 here) and pass the CSRF check of a write (which then reaches the service)."""
    auth = _cookies_of(ROLES[role])
    assert Client().get("/api/v1/notifications/messages/unread-count").status_code == 401
    client = Client(enforce_csrf_checks=True)
    for name, value in auth.items():
        if name != "_header":
            client.cookies[name] = value
    assert client.get("/api/v1/notifications/messages/unread-count").status_code == 200
    response = client.post("/api/v1/notifications/messages/99999999/read",
                           headers={"X-CSRFToken": auth["_header"]})
    assert response.status_code == 404  # past authentication and CSRF, to the service
    assert client.post("/api/v1/notifications/messages/99999999/read").status_code == 403


def test_the_supervisor_run_reaches_staff_only_endpoints(db):
    client = Client()
    for name, value in _cookies_of("supervisor").items():
        if name != "_header":
            client.cookies[name] = value
    assert client.get("/api/v1/audit/events").status_code == 200


def test_every_role_is_sent_the_coverage_phase_in_each_ci_run():
    """The two databases' sets cover every role, and .ci/postgres.sh sends its set; the
    invalid values go as anonymous and as a signed-in role on SQLite (the default run), the
    PostgreSQL run sends the valid values only."""
    assert set(SQLITE_COVERAGE) | set(POSTGRES_COVERAGE) == set(ROLES)
    script = (Path(__file__).resolve().parents[2] / ".ci" / "postgres.sh").read_text()
    assert f"ZHENGWU_SCHEMATHESIS_COVERAGE_ROLES:-{','.join(POSTGRES_COVERAGE)}}}" in script
    assert "ZHENGWU_SCHEMATHESIS_VALIDATION_ROLES=${ZHENGWU_SCHEMATHESIS_VALIDATION_ROLES-}" \
        in script
    assert "anonymous" in VALIDATION_ROLES and set(VALIDATION_ROLES) <= set(SQLITE_COVERAGE)
    assert any(ROLES[role] for role in VALIDATION_ROLES)
