"""Middleware: request ids, security headers (CSP and friends), Prometheus request metrics,
the JSON API's 405 answer."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from zhengwu.core import metrics
from zhengwu.core.context import new_request_id, reset_request_id, set_request_id
from zhengwu.core.errors import DomainError

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Pages use only same-origin scripts and styles (htmx is served from our static files);
# inline style attributes are allowed for printable layouts.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
# The interactive API docs load their own bundled assets and need inline scripts.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'")


class RequestIdMiddleware:
    """Take X-Request-ID when it looks safe, else make one; echo it; bind it for audit rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else new_request_id()
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy and X-Frame-Options on every response, static files included
    (it sits outside WhiteNoise, which answers static files before the inner middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_docs = request.path.startswith("/api/v1/docs")
        response.setdefault("Content-Security-Policy", DOCS_CSP if is_docs else CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Django's XFrameOptionsMiddleware sets it for views; nothing here is meant to be framed.
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "unmatched"
        metrics.observe_request(request.method or "", route, response.status_code,
                                time.perf_counter() - started)
        return response


class DomainErrorMiddleware:
    """For pages: a missing object is a 404 page, a refused rule a page with the reason.

    The JSON API maps the same errors in config/api.py.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, ObjectDoesNotExist):
            return render(request, "404.html", status=404)
        if isinstance(exception, DomainError):
            return render(request, "error.html", {"message": exception.message},
                          status=exception.http_status)
        return None


class ApiMethodNotAllowedMiddleware:
    """A 405 from the JSON API is `{"code", "detail"}` like every other API error.

    ninja answers a method no operation of a path accepts (GET on a POST-only operation,
    DELETE, OPTIONS) with its own `text/html` "Method not allowed", before any exception
    handler of config/api.py runs; this is the one place that words it. The `Allow` header
    stays. Pages keep Django's answer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code != 405 or not request.path.startswith("/api/")
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        allowed = sorted({m.strip().upper() for m in response.get("Allow", "").split(",")
                          if m.strip()})
        detail = f"该接口不支持 {request.method} 方法"
        detail += f"，请使用 {' 或 '.join(allowed)}。" if allowed else "。"
        answer = JsonResponse({"code": "method_not_allowed", "detail": detail}, status=405,
                              json_dumps_params={"ensure_ascii": False})
        answer["Allow"] = ", ".join(allowed)
        return answer
