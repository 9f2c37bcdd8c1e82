"""Health, metrics and error pages."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from zhengwu.core import metrics as core_metrics
from zhengwu.core.http import is_loopback_client


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; 503 otherwise (for load balancers and `make run`)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a scraper on this machine or one holding the bearer token
    of ZHENGWU_METRICS_TOKEN; anyone else gets a JSON 401 (request counts per route and
    latencies tell an outsider too much about the service)."""
    if not _may_scrape(request):
        response = JsonResponse({"code": "unauthenticated",
                                 "detail": "监控指标仅对本机或持有监控令牌的采集程序开放。"},
                                status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = core_metrics.render()
    return HttpResponse(body, content_type=content_type)


def _may_scrape(request: HttpRequest) -> bool:
    token = str(getattr(settings, "ZHENGWU_METRICS_TOKEN", "") or "")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        # Compared in constant time: the answer's timing must not reveal the token.
        return hmac.compare_digest(header[len("Bearer "):].encode(), token.encode())
    return is_loopback_client(request)



def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": "未找到该地址。"}, status=404)
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django cannot read (e.g. multipart without a boundary): 400, in Chinese."""
    message = "请求内容无法解析，请返回上一页重新提交。"
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "detail": message}, status=400)
    return render(request, "error.html", {"message": message}, status=400)


# A form older than the session it is sent with: opened before signing in or out in another
# window, or sent again by refreshing. Nothing is wrong with the person; they reload and resend.
STALE_FORM = "页面已过期或在另一个窗口中已登录/退出。请返回上一页，刷新后重新提交。"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's CSRF refusal, as the site's own page in Chinese (403).

    The API checks CSRF itself (ninja; config.api answers JSON), so this answers API paths
    only if a Django-level check ever refuses one: in JSON there too. `reason` is Django's
    English diagnosis; it is for developers and is not shown."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "forbidden", "detail": STALE_FORM}, status=403)
    return render(request, "403_csrf.html",
                  {"message": STALE_FORM, "back": _same_site_referer(request)}, status=403)


def _same_site_referer(request: HttpRequest) -> str:
    """The path (and query) of the page the form came from when it is on this site, else ""."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if not referer or not url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.get_host():
        return ""
    path = parts.path
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        path = "/"  # "//host/…" would lead to another site
    return path + (f"?{parts.query}" if parts.query else "")


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": "服务器内部错误，请稍后重试。"},
                            status=500)
    return render(request, "500.html", status=500)
