"""The one NinjaAPI: mounts every app's router and maps errors to `{"code", "detail"}`.

Every error a client can cause answers 4xx with a stable `code` and a Chinese `detail`
(architecture.md, API conventions); the mapping lives here and nowhere else.
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from zhengwu.core.errors import DomainError
from zhengwu.core.input_errors import input_error_detail

logger = logging.getLogger("zhengwu.api")

api = NinjaAPI(
    title="Zhengwu 政务服务一体化平台 API",
    version="1",
    urls_namespace="api-v1",
    description="一网通办平台的 JSON 接口。错误统一为 {\"code\", \"detail\"}。",
)

api.add_router("/catalog", "zhengwu.catalog.api.router")
api.add_router("/search", "zhengwu.catalog.api.search_router")
api.add_router("/cases", "zhengwu.cases.api.router")
api.add_router("/bundles", "zhengwu.bundles.api.router")
api.add_router("/joint-reviews", "zhengwu.jointreviews.api.router")
api.add_router("/regions", "zhengwu.regions.api.router")
api.add_router("/departments", "zhengwu.departments.api.router")
api.add_router("/audit", "zhengwu.core.api.router")
api.add_router("/notifications", "zhengwu.notifications.api.router")
api.add_router("/accounts", "zhengwu.accounts.api.router")
# 实名认证 and 授权管理: their own router under the same mount.
api.add_router("/accounts", "zhengwu.accounts.identity_api.router")
api.add_router("/me", "zhengwu.portal.api.router")
# The electronic-licence KPIs read cases, so cases serves them (licences sits below cases);
# mounted first so that no licences path such as /licences/{identifier} shadows /kpis.
api.add_router("/licences", "zhengwu.cases.api.licence_kpi_router")
api.add_router("/licences", "zhengwu.licences.api.router")
api.add_router("/sharing", "zhengwu.sharing.api.router")
api.add_router("/evaluations", "zhengwu.evaluations.api.router")
api.add_router("/hall", "zhengwu.hall.api.router")
api.add_router("/unresolved", "zhengwu.unresolved.api.router")
api.add_router("/openness", "zhengwu.openness.api.router")
api.add_router("/assistance", "zhengwu.assistance.api.router")
api.add_router("/hotline", "zhengwu.hotline.api.router")
api.add_router("/hotline", "zhengwu.hotline.results_api.router")
api.add_router("/hotline", "zhengwu.hotline.duplicates_api.router")
api.add_router("/policies", "zhengwu.policies.api.router")
api.add_router("/plan", "zhengwu.plan.api.router")
api.add_router("/ledger", "zhengwu.ledger.api.router")
api.add_router("/draws", "zhengwu.draws.api.router")
api.add_router("/market", "zhengwu.market.api.router")
api.add_router("/inspections", "zhengwu.inspections.api.router")


def _error(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    return api.create_response(request, {"code": code, "detail": detail}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.http_status, exc.code, exc.message)


@api.exception_handler(ObjectDoesNotExist)
def object_not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _error(request, 404, "not_found", "未找到该对象，或您无权查看。")


@api.exception_handler(Http404)
def http_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "未找到该对象，或您无权查看。")


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "您没有执行此操作的权限。")


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请先登录。")


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    # pydantic's English rebuilt in Chinese from each error's type and ctx (one mapping).
    return _error(request, 422, "invalid_input", input_error_detail(exc.errors))


@api.exception_handler(DjangoValidationError)
def model_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _error(request, 422, "invalid_input", "；".join(exc.messages))


# ninja's own messages, in the language of the people who read them.
_CHINESE = {
    "Cannot parse request body": "请求内容无法解析：请提交正确的 JSON。",
    "Too many requests.": "请求过于频繁，请稍后再试。",
    "CSRF check Failed": "CSRF 校验失败：请刷新页面后重试（API 调用需带 X-CSRFToken 请求头）。",
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 409: "conflict", 413: "too_large",
            429: "too_many_requests"}.get(exc.status_code, "error")
    message = str(exc)
    detail = next((chinese for english, chinese in _CHINESE.items()
                   if message.startswith(english)), message)
    return _error(request, exc.status_code, code, detail)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too_large", "请求内容过大。")


@api.exception_handler(SuspiciousOperation)
def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Too many fields or files, a malformed multipart body: the request is refused, not lost.
    return _error(request, 400, "bad_request", "请求格式不正确或字段过多。")


@api.exception_handler(MultiPartParserError)
def unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # e.g. `Content-Type: multipart/form-data` without a boundary: the CSRF check or the
    # body parser reads request.POST and Django cannot split it.
    return _error(request, 400, "bad_request",
                  "请求内容无法解析：multipart/form-data 缺少 boundary 或格式不正确。")


@api.exception_handler(RecursionError)
def too_deep(request: HttpRequest, exc: RecursionError) -> HttpResponse:
    # JSON nested deeper than the decoder (or a validator) can follow; nothing was stored:
    # every write runs in one transaction, which the error rolled back.
    return _error(request, 400, "bad_request", "请求内容嵌套层级过深，无法处理。")


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else is our fault: logged with its traceback, answered without it (even with
    DEBUG on, where ninja would otherwise send the traceback as the response body)."""
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return _error(request, 500, "server_error", "服务器内部错误，请稍后重试。如问题持续，请联系服务电话。")
