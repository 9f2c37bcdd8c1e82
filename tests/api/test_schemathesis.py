"""Schemathesis over the whole OpenAPI schema (quality.md #12): as an anonymous visitor, a
supervisor and a catalogue administrator (session cookie plus CSRF token, so that writes get
past the CSRF check and reach the services): no server errors, responses match the schema.

The schema is loaded from the Django app at import time (serving openapi.json needs no
database); every generated request runs inside the test's transaction on the loaded pack.
`schemathesis.pytest.from_fixture` is not used: schemathesis 4.32 sets `Node._nodeid`, which
pytest 9.2 no longer has.
"""

from importlib import import_module

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
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from zhengwu.accounts.models import User

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
# Exports answer the same to everyone and are the slowest operation (a whole list per call):
# the anonymous run covers them.
signed_in = schema.exclude(path_regex=r"/export$")
# What only a catalogue administrator can reach: drafts and imports (the supervisor run covers
# the quality check, which recomputes every implementation per call).
admin_only = schema.include(path_regex=r"/draft$|/drafts/|/imports")

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


@pytest.fixture
def supervisor_auth(db):
    return _cookies_of("supervisor")


@pytest.fixture
def catalog_admin_auth(db):
    return _cookies_of("catalog")


def _call_as(case, auth):
    cookies = {k: v for k, v in auth.items() if k != "_header"}
    case.call_and_validate(checks=CHECKS, cookies=cookies, headers={"X-CSRFToken": auth["_header"]})


@schema.parametrize()
@EXAMPLES
def test_api_as_anonymous(case):
    case.call_and_validate(checks=CHECKS)


@signed_in.parametrize()
@EXAMPLES
def test_api_as_supervisor(case, supervisor_auth):
    _call_as(case, supervisor_auth)


@admin_only.parametrize()
@EXAMPLES
def test_api_as_catalog_admin(case, catalog_admin_auth):
    _call_as(case, catalog_admin_auth)


def test_the_signed_in_runs_are_really_signed_in(supervisor_auth, catalog_admin_auth):
    """Guard against a silently anonymous run: the cookies above open staff-only endpoints
    and pass the CSRF check of a write."""
    client = Client(enforce_csrf_checks=True)
    for name, value in supervisor_auth.items():
        if name != "_header":
            client.cookies[name] = value
    assert client.get("/api/v1/audit/events").status_code == 200
    client.cookies.clear()
    for name, value in catalog_admin_auth.items():
        if name != "_header":
            client.cookies[name] = value
    response = client.post("/api/v1/catalog/drafts/99999999/submit",
                           headers={"X-CSRFToken": catalog_admin_auth["_header"]})
    assert response.status_code == 404  # past authentication and CSRF, to the service
    assert client.post("/api/v1/catalog/drafts/99999999/submit").status_code == 403  # no token
