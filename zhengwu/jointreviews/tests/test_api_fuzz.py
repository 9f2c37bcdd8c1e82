"""Schemathesis over the joint review operations (quality.md #12), signed in as the lead
department's reviewer (who may schedule) and as a supervisor (who may only read): no server
errors, responses match the schema. The project-wide run (tests/api) covers anonymous calls.
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
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler()).include(
    path_regex=r"^/api/v1/joint-reviews")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Finishing a request must not close the test's connection (as Django's test client).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _cookies_of(user):
    request = HttpRequest()
    request.session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    login(request, user, backend="zhengwu.accounts.backends.SecondFactorBackend")
    request.session.save()
    token = get_token(request)
    return ({django_settings.SESSION_COOKIE_NAME: request.session.session_key,
             django_settings.CSRF_COOKIE_NAME: request.META["CSRF_COOKIE"]},
            {"X-CSRFToken": token})


@pytest.fixture
def session_exists(world, schedule):
    """A session with id 1-ish to hit, and its departments' ids in the generated range."""
    return schedule()


@schema.parametrize()
@EXAMPLES
def test_api_as_lead_reviewer(case, world, session_exists):
    cookies, headers = _cookies_of(world.lead_reviewer)
    case.call_and_validate(checks=CHECKS, cookies=cookies, headers=headers)


@schema.parametrize()
@EXAMPLES
def test_api_as_supervisor(case, world, session_exists):
    cookies, headers = _cookies_of(world.supervisor)
    case.call_and_validate(checks=CHECKS, cookies=cookies, headers=headers)
