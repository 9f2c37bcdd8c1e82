"""No full ID number or mobile number outside the unmask permission (quality.md #11).

Cases with known personal data are filed for three applicants; then, as each role (anonymous,
applicant person, applicant enterprise, window clerk, reviewer, chief representative,
supervisor, catalogue administrator), a crawler follows every link (href, hx-get) from the
portal and the workbench and calls every GET operation of the OpenAPI schema with the ids of
those cases. Every HTML, JSON and text body, and every log record written meanwhile, is
scanned for the seeded ID numbers and mobile numbers, and for anything shaped like one (a
valid 18-character citizen ID, an 11-digit mobile number). An applicant may see their own.

Not crawled: PDFs and other binary downloads (notices, exports), POST-only operations (the
unmask action is the permitted way to see the whole number), the public progress lookup API
(it takes the ID number as input).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from config.api import api
from zhengwu.accounts.models import User
from zhengwu.cases.models import Case, Notice
from zhengwu.cases.services import MaterialIn, MoveIn, case_submit, case_transition
from zhengwu.cases.tests.conftest import sample_answers
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.codes import citizen_id_check_char, is_valid_citizen_id, make_uscc
from zhengwu.core.masking import mask_citizen_id, mask_phone
from zhengwu.notifications.services import outbox_deliver

FOOD = "食品经营许可证核发（新办）"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = {"anonymous": None, "applicant": "zhangsan", "enterprise": "canyin", "clerk": "clerk",
         "reviewer": "reviewer", "chief": "chief", "supervisor": "supervisor",
         "catalog_admin": "catalog"}
PER_ROUTE = 3  # distinct URLs of one route visited per role (5,000 guides need not all be read)
PER_ROLE = 400
CITIZEN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# Bounded by anything but letters and digits: a hash or token may contain such a digit run.
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
# Catalogue pages hold no applicant's data and look alike for every role: each URL once.
CATALOGUE = ("/lists/", "/kpis/", "/search/", "/guide/", "/bundles/staff/kpis/",
             "/api/v1/catalog/", "/api/v1/bundles/kpis", "/admin/catalog/", "/staff/catalog/")
LINK = re.compile(r'(?:href|hx-get)="([^"]+)"')


def _id(first17: str) -> str:
    return first17 + citizen_id_check_char(first17)


@dataclass
class Person:
    username: str
    id_number: str  # "" for an enterprise (its USCC is public)
    phone: str
    account_phone: str = ""
    # The ID number its item forms name (an enterprise's legal representative): its own data.
    form_id: str = ""

    def secrets(self) -> set[str]:
        return {s for s in (self.id_number, self.phone, self.account_phone, self.form_id)
                if s}


PEOPLE = [Person("zhangsan", _id("43048119850612003"), "13987650001"),
          Person("chuangye", _id("43048119920305004"), "13987650018"),
          Person("canyin", "", "13987650002", form_id=_id("43048119800101005"))]


@dataclass
class Seen:
    role: str
    where: str
    what: str


@dataclass
class Crawl:
    role: str
    client: Client
    allowed: set[str]
    forbidden: set[str]
    visited: set[str] = field(default_factory=set)
    per_route: Counter[str] = field(default_factory=Counter)
    violations: list[Seen] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    shared: set[str] = field(default_factory=set)  # catalogue URLs read by any role
    masks: set[str] = field(default_factory=set)
    own_seen: set[str] = field(default_factory=set)
    masked_seen: set[str] = field(default_factory=set)

    def scan(self, where: str, text: str) -> None:
        found = {s for s in self.forbidden | self.allowed if s in text}
        found |= {m for m in CITIZEN_ID.findall(text) if is_valid_citizen_id(m)}
        found |= set(MOBILE.findall(text))
        self.own_seen |= found & self.allowed
        self.masked_seen |= {m for m in self.masks if m in text}
        for value in sorted(found - self.allowed):
            self.violations.append(Seen(self.role, where, value))

    def get(self, url: str) -> str | None:
        if url.startswith(CATALOGUE):
            if url in self.shared:
                return None
            self.shared.add(url)
        response = self.client.get(url)
        self.statuses[response.status_code] += 1
        kind = response.get("Content-Type", "")
        if response.status_code in (301, 302):
            return None
        if not kind.startswith(("text/", "application/json")) or response.streaming:
            return None
        body = response.content.decode("utf-8", "replace")
        self.scan(url, body)
        if kind.startswith("application/json"):
            # JSON escapes non-ASCII; scan the decoded form too.
            with contextlib.suppress(ValueError):
                self.scan(url, json.dumps(json.loads(body), ensure_ascii=False))
        return body if kind.startswith("text/html") else None

    def admit(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return False
        if parts.path.startswith(("/static/", "/media/", "/accounts/logout")) or \
                parts.path.endswith((".pdf", ".svg", ".png", ".xlsx", ".csv")):
            return False
        if url in self.visited or len(self.visited) >= PER_ROLE:
            return False
        try:
            match = resolve(parts.path)
        except Resolver404:
            return False
        route = f"{match.route}|{match.url_name}"
        if self.per_route[route] >= PER_ROUTE:
            return False
        self.per_route[route] += 1
        return True

    def pages(self, seeds: list[str]) -> None:
        queue = deque(seeds)
        while queue:
            url = queue.popleft()
            if not self.admit(url):
                continue
            self.visited.add(url)
            body = self.get(url)
            if body is None:
                continue
            for link in LINK.findall(body):
                target = urljoin(url, unescape(link)).split("#")[0]
                if target and target not in self.visited:
                    queue.append(target)


# Required query parameters of some GET operations.
QUERIES = {"/api/v1/search": "?q=食品经营", "/api/v1/catalog/delegation-review":
           "?start=2020-01-01&end=2030-12-31", "/api/v1/catalog/implementations/{code}/diff":
           "?old=1&new=1"}


def _api_gets(values: dict[str, list[str]]) -> list[str]:
    """Every GET operation of the schema, with each known value of its path parameters."""
    urls = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        operation = operations.get("get")
        if operation is None or path.endswith(("/progress", ".pdf", "/export")):
            continue
        names = re.findall(r"{(\w+)}", path)
        fills: list[str] = [path]
        for name in names:
            fills = [f.replace("{" + name + "}", v) for f in fills for v in values.get(name, [])]
        urls += [f + QUERIES.get(path, "") for f in fills]
    return urls


@pytest.fixture
def seeded(db) -> dict[str, Any]:
    food = ItemImplementation.objects.get(item__name=FOOD, level=4)
    materials = [MaterialIn(name=m.name, kind="upload", file_name="scan.pdf", content=PDF)
                 for m in food.materials.filter(source="applicant", required=True)]
    clerk, reviewer = User.objects.get(username="clerk"), User.objects.get(username="reviewer")
    chief = User.objects.get(username="chief")
    cases: list[Case] = []
    for person in PEOPLE:
        user = User.objects.get(username=person.username)
        person.account_phone = user.phone or ""
        if person.id_number:
            User.objects.filter(pk=user.pk).update(citizen_id=person.id_number)
        for step in ("submitted", "accepted", "granted"):
            form = {"applicant_name": user.display_name or "张三", "phone": person.phone,
                    "address": "耒阳市蔡子池街道青年路88号",
                    "id_number": person.id_number or user.uscc or make_uscc("9", "1", "430481", "MA4L1234")}
            case = case_submit(implementation_id=food.pk, submitted_by=user, form_data=form,
                               materials=materials, answers=sample_answers(
                                   food, id_number=person.id_number or person.form_id,
                                   phone=person.phone)).case
            if step != "submitted":
                case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
            if step == "granted":
                for who in (reviewer, chief):
                    case_transition(case_id=case.pk, user=who, move=MoveIn(action="review_pass"))
                case_transition(case_id=case.pk, user=reviewer,
                                move=MoveIn(action="grant", reason="符合条件"))
            cases.append(case)
    outbox_deliver(now=clock.now())
    return {"cases": cases,
            "values": {"number": [c.number for c in cases],
                       "notice_id": [str(n.pk) for n in Notice.objects.filter(case__in=cases)],
                       "basic_code": [food.item.basic_code], "code": [food.code],
                       "kind": ["deemed"], "key": ["online"],
                       "department_id": [str(food.department_id)], "review_id": ["1"],
                       "import_id": ["1"]}}


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()}")


def test_no_full_id_or_mobile_number_reaches_a_role_without_unmask(seeded):
    records = Records()
    root = logging.getLogger()
    root.addHandler(records)
    previous = root.level
    root.setLevel(logging.INFO)
    crawls: list[Crawl] = []
    shared: set[str] = set()
    case_pages = [f"/cases/{n}/" for n in seeded["values"]["number"]]
    seeds = ["/", "/staff/", "/cases/mine/", "/bundles/mine/", "/notifications/",
             "/cases/staff/window/", "/cases/staff/todo/", "/cases/staff/list/",
             "/cases/staff/monitoring/", "/staff/audit/", "/staff/joint-reviews/",
             "/bundles/staff/window/", "/admin/", *case_pages]
    api_urls = _api_gets(seeded["values"])
    everyone = set().union(*(p.secrets() for p in PEOPLE))
    masks = {mask_citizen_id(p.id_number) for p in PEOPLE if p.id_number} | {
        mask_phone(p.phone) for p in PEOPLE}
    try:
        for role, username in ROLES.items():
            client = Client(raise_request_exception=False)
            own: set[str] = set()
            if username is not None:
                user = User.objects.get(username=username)
                client.force_login(user)
                own = next((p.secrets() for p in PEOPLE if p.username == username),
                           {user.phone} if user.phone else set())
            crawl = Crawl(role, client, allowed=own, forbidden=everyone - own, shared=shared,
                          masks=masks)
            crawl.pages(seeds)
            for url in api_urls:
                crawl.get(url)
            crawls.append(crawl)
    finally:
        root.removeHandler(records)
        root.setLevel(previous)
    log = Crawl("logs", Client(), allowed=set(), forbidden=everyone)
    for line in records.lines:
        log.scan("log", line)

    violations = [v for c in [*crawls, log] for v in c.violations]
    pages = sum(len(c.visited) for c in crawls)
    print(f"\n#11: {pages} pages + {len(api_urls)} API GETs × {len(crawls)} roles, "
          f"{len(records.lines)} log records; statuses "
          f"{dict(sum((c.statuses for c in crawls), Counter()))}; {len(violations)} violations")
    for v in violations[:80]:
        print(f"VIOLATION {v.role:14} {v.what}  {v.where}")
    by_role = {c.role: c for c in crawls}
    assert all(len(c.visited) > 5 for c in crawls[1:]), "a role's crawl saw almost nothing"
    # The scan works: applicants do see their own numbers whole, staff see them masked.
    assert by_role["applicant"].own_seen >= {PEOPLE[0].id_number, PEOPLE[0].phone}
    assert by_role["enterprise"].own_seen >= {PEOPLE[2].phone}
    for role in ("clerk", "reviewer", "supervisor"):
        assert by_role[role].masked_seen >= {mask_citizen_id(PEOPLE[0].id_number)}, role
    assert violations == []
