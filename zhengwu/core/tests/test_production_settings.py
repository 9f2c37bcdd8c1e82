"""What a browser gets under production settings (quality.md #17) and under `make run`'s
(issue 8, finding 4): security headers and cookie flags on pages, the API, error pages and
static files; DEBUG only when a developer asks for it.

The test suite runs with config.settings.test; here every setting config.settings.production
sets differently from base is applied on top (override_settings), so the same middleware stack
answers as it would in production, over HTTPS (`secure=True`, as behind the TLS proxy).
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

import config.settings.base as base
import config.settings.production as production
from config.env import BASE_DIR, debug_requested

PRODUCTION = {name: value for name, value in vars(production).items()
              if name.isupper() and (name not in vars(base) or vars(base)[name] != value)}
PRODUCTION["DEBUG"] = production.DEBUG
PATHS = ["/", "/accounts/login/", "/nope/", "/api/v1/catalog/themes", "/api/v1/nope",
         "/api/v1/docs", "/static/zhengwu/site.css"]


@pytest.fixture
def prod(db: Any) -> Any:
    assert PRODUCTION["DEBUG"] is False and PRODUCTION["SESSION_COOKIE_SECURE"] is True
    with override_settings(**PRODUCTION):
        yield Client()


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_under_production_settings(prod, path):
    response = prod.get(path, secure=True)
    assert response.status_code in (200, 404), response.status_code
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
                      "base-uri 'self'", "form-action 'self'"):
        assert directive in csp, (directive, csp)
    if not path.startswith("/api/v1/docs"):
        assert "script-src 'self';" in csp  # no inline script outside the API docs
    assert response["Strict-Transport-Security"] == \
        "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_plain_http_is_redirected_to_https_under_production_settings(prod):
    response = prod.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_cookies_are_secure_http_only_and_same_site_under_production_settings(prod):
    form = prod.get("/accounts/login/", secure=True)
    csrf = form.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = prod.post("/accounts/login/", {"username": "zhangsan", "password": "demo-2026",
                                              "csrfmiddlewaretoken": csrf.value}, secure=True)
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_an_error_page_under_production_settings_has_the_headers_and_no_traceback(
        prod, monkeypatch):
    from zhengwu.portal import views

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "render", explode)
    prod.raise_request_exception = False
    response = prod.get("/", secure=True)
    assert response.status_code == 500
    text = response.content.decode()
    assert "secret internals" not in text and "Traceback" not in text
    assert "服务器内部错误" in text
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


# --- DEBUG only on request ---------------------------------------------------------------


@pytest.mark.parametrize(("env", "expected"), [
    ({}, False), ({"ZHENGWU_DEBUG": "1"}, True), ({"DJANGO_DEBUG": "1"}, True),
    ({"ZHENGWU_DEBUG": "0", "DJANGO_DEBUG": "1"}, False), ({"ZHENGWU_DEBUG": "yes"}, True)])
def test_debug_is_on_only_when_a_developer_asks(monkeypatch, env, expected):
    monkeypatch.delenv("ZHENGWU_DEBUG", raising=False)
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert debug_requested() is expected


def test_make_run_settings_have_debug_off_by_default(tmp_path):
    """config.settings.dev (what `make run` and `zhengwu serve` use) with a clean environment."""
    env = {"PATH": "/usr/bin:/bin", "ZHENGWU_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    script = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, check=True, cwd=BASE_DIR)
    assert result.stdout.strip() == "False"
