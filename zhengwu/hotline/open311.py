"""Open311 GeoReport v2 under /open311/v2/ (issue 13 §5; spec: wiki.open311.org/GeoReport_v2):
the outer API civic tools already speak, in JSON and XML.

- discovery; services = the active 诉求分类 (service_code = the category's code, group = its
  top-level category's name); a service definition has no attributes.
- POST requests (form-encoded, `api_key` required): opens a work order through
  services.order_open with channel "open311"; answers the order's number as
  service_request_id. Rate-limited per key (accounts.throttle, 429 with Retry-After).
- GET requests and requests/<id>: status open/closed, status_notes = the department's reply,
  agency_responsible = the department, expected_datetime = the deadline (due_at).

Personal data never leaves through GET: no caller name, phone or e-mail, ever; confidential
orders (举报人 protected) are not listed at all; the description, address and coordinates are
shown only for orders that came in through Open311 itself (the submitter published them for
this purpose) — a phone call's words and the caller's address stay inside.

API keys are configured, never stored in the database: settings.HOTLINE_OPEN311_KEYS maps a
client's name to the SHA-256 of its key (env ZHENGWU_OPEN311_KEYS, docs/deploy.md); a key is
checked against every configured hash in constant time. Errors are the spec's error list with
a 4xx status. No XML is ever parsed here (requests are form-encoded), so no XML parser is
exposed to input; XML output is built with xml.etree, which escapes every text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET  # output only: nothing here parses XML
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError

from zhengwu.accounts import throttle
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.http import client_ip
from zhengwu.core.text import TextError, check_text
from zhengwu.hotline import services
from zhengwu.hotline.models import Category, OrderKind, Status, WorkOrder

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-06T00:00:00+08:00"  # when this endpoint's behaviour last changed
MAX_SPAN = dt.timedelta(days=90)  # the spec's default and largest date range
MAX_RESULTS = 1000  # the spec's default query limit
MAX_DESCRIPTION = 4000  # the spec's limit on a request's description
TITLE_CHARS = 40
ANONYMOUS = "Open311提交人"  # the caller's name when the client gave none
POST_RULE = throttle.Rule("hotline.open311.post", limit=60, window=60)  # per key
BAD_KEY_RULE = throttle.Rule("hotline.open311.bad_key", limit=20, window=600)  # per address
CLOSED = (Status.CLOSED, Status.MERGED)
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
# XML element names of a list's items, by the list's name (the spec's own plurals).
ITEM_TAGS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute",
             "services": "service", "service_requests": "request", "errors": "error"}


class Refused(Exception):
    """A request the spec answers with an error list: `status` is the HTTP 4xx."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- formats ------------------------------------------------------------------------------

def when(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with Beijing's offset (+08:00), as the spec requires a zone."""
    if moment is None:
        return None
    return moment.astimezone(clock.SHANGHAI).isoformat(timespec="seconds")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAGS.get(element.tag, "item")
        for inner in value:
            _fill(ET.SubElement(element, tag), inner)
    else:
        element.text = _text(value)  # None: an empty element, as the spec's examples show


def to_xml(root: str, payload: Any) -> bytes:
    """`payload` (a list becomes `<root><item>…`, a mapping `<root><key>…`) as UTF-8 XML with
    the declaration the spec asks for."""
    element = ET.Element(root)
    _fill(element, payload)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return body


def respond(fmt: str, root: str, payload: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(root, payload), content_type=XML_TYPE, status=status)
    body = json.dumps(payload, ensure_ascii=False)
    return HttpResponse(body.encode(), content_type=JSON_TYPE, status=status)


def refuse(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error list, `[{"code": 400, "description": "…"}]`, with that status."""
    return respond(fmt, "errors", [{"code": status, "description": description}], status)


# --- API keys -----------------------------------------------------------------------------

def key_holder(key: str) -> str | None:
    """The client name whose configured SHA-256 matches `key`, or None. Every configured hash
    is compared, in constant time, so the answer's timing says nothing about which is near."""
    configured: Mapping[str, str] = getattr(settings, "HOTLINE_OPEN311_KEYS", {}) or {}
    digest = hashlib.sha256(key.encode()).hexdigest()
    found = None
    for name, expected in configured.items():
        if hmac.compare_digest(digest, expected.strip().lower()) and found is None:
            found = name
    return found


# --- services -----------------------------------------------------------------------------

def _path(category: Category, by_id: Mapping[int, Category]) -> list[Category]:
    chain = [category]
    seen = {category.pk}
    while chain[0].parent_id is not None and chain[0].parent_id in by_id:
        parent = by_id[chain[0].parent_id]
        if parent.pk in seen:  # a cycle in bad data: stop rather than loop
            break
        seen.add(parent.pk)
        chain.insert(0, parent)
    return chain


def service_list() -> list[dict[str, Any]]:
    categories = list(Category.objects.all())
    by_id = {c.pk: c for c in categories}
    found = []
    for category in sorted(categories, key=lambda c: c.code):
        if not category.active:
            continue
        chain = _path(category, by_id)
        found.append({
            "service_code": category.code, "service_name": category.name,
            "description": " > ".join(c.name for c in chain), "metadata": False,
            "type": "realtime", "keywords": ",".join(c.name for c in chain),
            "group": chain[0].name,
        })
    return found


def _active_category(code: str) -> Category | None:
    return Category.objects.filter(code=code, active=True).first()


# --- service requests ---------------------------------------------------------------------

def _public_orders() -> QuerySet[WorkOrder]:
    """What GET may show: never a confidential order (举报人 protected)."""
    return (WorkOrder.objects.filter(confidential=False)
            .select_related("category", "department").annotate(updated=Max("events__at")))


def request_out(order: WorkOrder) -> dict[str, Any]:
    """One service request as the spec's fields; never the caller (see the module)."""
    own = order.channel == "open311"
    category = order.category
    department = order.department
    return {
        "service_request_id": order.number,
        "status": "closed" if order.status in CLOSED else "open",
        "status_notes": order.reply or None,
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        "description": order.content if own else None,
        "agency_responsible": department.name if department else None,
        "service_notice": None,
        "requested_datetime": when(order.accepted_at),
        "updated_datetime": when(getattr(order, "updated", None) or order.accepted_at),
        "expected_datetime": when(order.due_at),
        "address": (order.address or None) if own else None,
        "address_id": None,
        "zipcode": None,
        "lat": float(order.latitude) if own and order.latitude is not None else None,
        "long": float(order.longitude) if own and order.longitude is not None else None,
        "media_url": None,
    }


def _instant(value: str, name: str) -> dt.datetime:
    try:
        moment = clock.parse_instant(value)
    except ValueError:
        raise Refused(400, f"{name} 不是有效的 ISO 8601 时间：{value[:40]}") from None
    if not 1900 <= moment.year <= 2999:  # 90 days either side stays a real date
        raise Refused(400, f"{name} 超出范围（1900 至 2999 年）：{value[:40]}")
    return moment


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def requests_find(params: Mapping[str, str], *, now: dt.datetime) -> list[WorkOrder]:
    """GET requests' filters: service_request_id (comma list; overrides the rest),
    service_code (comma list), start_date / end_date (at most 90 days apart; default the
    last 90 days), status (open, closed or both)."""
    orders = _public_orders()
    numbers = _codes(params.get("service_request_id", ""))
    if numbers:
        return list(orders.filter(number__in=numbers[:MAX_RESULTS]).order_by("-accepted_at"))
    start_text, end_text = params.get("start_date", ""), params.get("end_date", "")
    end = _instant(end_text, "end_date") if end_text else None
    start = _instant(start_text, "start_date") if start_text else None
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Refused(400, "end_date 不能早于 start_date。")
    if end - start > MAX_SPAN:
        raise Refused(400, "start_date 与 end_date 相隔不能超过 90 天。")
    orders = orders.filter(accepted_at__gte=start, accepted_at__lte=end)
    codes = _codes(params.get("service_code", ""))
    if codes:
        orders = orders.filter(category__code__in=codes)
    statuses = set(_codes(params.get("status", "")))
    if statuses - {"open", "closed"}:
        raise Refused(400, "status 只能是 open 或 closed。")
    if statuses == {"open"}:
        orders = orders.exclude(status__in=CLOSED)
    elif statuses == {"closed"}:
        orders = orders.filter(status__in=CLOSED)
    return list(orders.order_by("-accepted_at")[:MAX_RESULTS])


def _coordinate(value: str, name: str, bound: int) -> Decimal | None:
    if not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise Refused(400, f"{name} 不是有效的数字：{value}") from None
    if not number.is_finite() or not -bound <= number <= bound:
        raise Refused(400, f"{name} 超出范围（-{bound} 至 {bound}）：{value}")
    return number.quantize(Decimal("0.000001"))


def _title(service: Category, description: str) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    title = first[:TITLE_CHARS] or service.name
    return title


def request_open(params: Mapping[str, str], *, now: dt.datetime) -> WorkOrder:
    """POST requests: check the fields, then 受理 through services.order_open (one
    transaction with its event and audit row). A phone or an e-mail is required: the
    hotline calls or writes the caller back (回访); both are kept, never shown by GET."""
    code = params.get("service_code", "").strip()
    if not code:
        raise Refused(400, "缺少 service_code（诉求分类编码）。")
    service = _active_category(code)
    if service is None:
        raise Refused(400, f"没有编码为 {code} 的诉求分类（service_code）。")
    lat = _coordinate(params.get("lat", ""), "lat", 90)
    long = _coordinate(params.get("long", ""), "long", 180)
    if (lat is None) != (long is None):
        raise Refused(400, "lat 与 long 须同时提供。")
    address = params.get("address_string", "").strip()
    address_id = params.get("address_id", "").strip()
    if lat is None and not address and not address_id:
        raise Refused(400, "须提供位置：lat 和 long，或 address_string，或 address_id。")
    description = params.get("description", "").strip()
    if not description:
        raise Refused(400, "缺少 description（诉求内容）。")
    if len(description) > MAX_DESCRIPTION:
        raise Refused(400, f"description 不能超过 {MAX_DESCRIPTION} 字。")
    try:  # named here, or the order's title (cut from it) would take the blame
        check_text(description, label="description（诉求内容）", multiline=True)
    except TextError as error:
        raise Refused(400, error.message + "。") from None
    media = params.get("media_url", "").strip()
    content = f"{description}\n图片：{media}" if media else description
    if len(content) > MAX_DESCRIPTION:
        raise Refused(400, f"description 与 media_url 合计不能超过 {MAX_DESCRIPTION} 字。")
    phone = params.get("phone", "").strip()
    email = params.get("email", "").strip()
    if not phone and not email:
        # A 12345 order ends with a callback (回访): by phone, or by e-mail when there is none.
        raise Refused(400, "缺少 phone（联系电话）或 email（电子邮箱）：12345 须回访诉求人。")
    name = (params.get("last_name", "").strip() + params.get("first_name", "").strip())
    try:
        data = services.OrderIn(
            kind=OrderKind.HELP, title=_title(service, description), content=content,
            category_code=service.code, address=(address or address_id)[:200],
            latitude=lat, longitude=long, caller_name=name[:50] or ANONYMOUS,
            caller_phone=phone[:20], caller_email=email[:120])
    except ValidationError as error:
        raise Refused(400, "请求参数有误：" + "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())) from None
    try:
        order: WorkOrder = services.order_open(user=None, data=data, channel="open311",
                                               now=now)
        return order
    except DomainError as error:
        raise Refused(400, error.message) from None


# --- views --------------------------------------------------------------------------------

def _fmt(fmt: str) -> str:
    return "xml" if fmt == "xml" else "json"


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:root"))
    payload = {
        "changeset": CHANGESET,
        "contact": "12345政务服务便民热线",
        "key_service": "向平台管理员申请 api_key（docs/deploy.md）",
        "endpoints": [{"specification": SPEC, "url": url, "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }
    return respond(_fmt(fmt), "discovery", payload)


@require_GET
def service_index(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(_fmt(fmt), "services", service_list())


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if _active_category(code) is None:
        return refuse(_fmt(fmt), 404, f"没有编码为 {code} 的诉求分类（service_code）。")
    return respond(_fmt(fmt), "service_definition", {"service_code": code, "attributes": []})


@csrf_exempt  # API-key authenticated, never by cookie: no session, nothing to forge
@require_http_methods(["GET", "POST"])
def request_index(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _fmt(fmt)
    now = clock.now()
    try:
        if request.method == "POST":
            return _post(request, fmt, now)
        found = requests_find(request.GET, now=now)
    except Refused as refusal:
        return refuse(fmt, refusal.status, refusal.description)
    return respond(fmt, "service_requests", [request_out(order) for order in found])


def _too_many(fmt: str, retry_after: int) -> HttpResponse:
    response = refuse(fmt, 429, f"提交过于频繁，请 {retry_after} 秒后再试。")
    response["Retry-After"] = str(max(1, retry_after))
    return response


def _post(request: HttpRequest, fmt: str, now: dt.datetime) -> HttpResponse:
    holder = key_holder(request.POST.get("api_key", ""))
    if holder is None:
        # Guessing keys is slowed per address; a wrong key costs a slot, a right one none.
        verdict = throttle.attempt((BAD_KEY_RULE, client_ip(request)))
        if not verdict.allowed:
            return _too_many(fmt, verdict.retry_after)
        raise Refused(403, "api_key 缺失或无效。")
    verdict = throttle.attempt((POST_RULE, holder))
    if not verdict.allowed:
        return _too_many(fmt, verdict.retry_after)
    order = request_open(request.POST, now=now)
    notice = f"已受理，工单编号 {order.number}。"
    return respond(fmt, "service_requests", [
        {"service_request_id": order.number, "service_notice": notice, "account_id": None}])


@require_GET
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    order = _public_orders().filter(number=number).first()
    if order is None:
        return refuse(_fmt(fmt), 404, f"没有编号为 {number} 的诉求（service_request_id）。")
    return respond(_fmt(fmt), "service_requests", [request_out(order)])


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the spec's error list, not an HTML page."""
    return refuse("xml" if path.endswith(".xml") else "json", 404, "没有这个接口。")


__all__: Sequence[str] = ("discovery", "request_detail", "request_index", "service_definition",
                          "service_index")
