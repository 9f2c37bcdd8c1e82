"""The catalogue JSON API (`/api/v1/catalog/…`, `/api/v1/search`): every endpoint's happy path,
drafts and imports over HTTP with session auth and CSRF, and bad input answered with a 4xx
`{"code", "detail"}` body — never a 500 (architecture.md, API conventions).
"""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from zhengwu.catalog import kpis, selectors
from zhengwu.catalog.guide import guide_of
from zhengwu.catalog.models import (
    DraftState,
    ImplementationDraft,
    ItemImplementation,
    ServiceItem,
    Theme,
)
from zhengwu.catalog.rows import COLUMNS

pytestmark = pytest.mark.django_db

API = "/api/v1"
HEADER = [label for _, label in COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assert_error(response, status, code=None):
    """A 4xx answer of the public contract: exactly string `code` and `detail`."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "detail"}, body
    assert isinstance(body["code"], str)
    assert isinstance(body["detail"], str)
    assert body["code"]
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def impl():
    return ItemImplementation.objects.filter(status="published").select_related(
        "item", "department").order_by("pk").first()


@pytest.fixture
def editable():
    """An implementation with a legal limit, so a shorter promised limit is a valid change."""
    return ItemImplementation.objects.filter(
        status="published", level=4, legal_limit_workdays__gt=5).order_by("pk").first()


# --- reads ----------------------------------------------------------------------------------


def test_themes_lists_every_theme(client):
    response = client.get(f"{API}/catalog/themes")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == Theme.objects.count() > 0
    assert {t["name"] for t in body} == set(Theme.objects.values_list("name", flat=True))
    assert set(body[0]) == {"id", "name", "audience", "kind"}


def test_items_paginate_and_filter(client):
    response = client.get(f"{API}/catalog/items", {"limit": 5, "offset": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == ServiceItem.objects.count()
    expected = list(ServiceItem.objects.order_by("basic_code").values_list(
        "basic_code", flat=True)[5:10])
    assert [i["basic_code"] for i in body["items"]] == expected

    typed = client.get(f"{API}/catalog/items", {"item_type": "01", "limit": 100}).json()
    assert typed["count"] == ServiceItem.objects.filter(item_type="01").count() > 0
    assert {i["item_type"] for i in typed["items"]} == {"01"}
    assert {i["item_type_label"] for i in typed["items"]} == {"行政许可"}

    named = client.get(f"{API}/catalog/items", {"q": "社会保障卡"}).json()
    assert named["count"] >= 1
    assert all("社会保障卡" in i["name"] for i in named["items"])


def test_item_by_basic_code(client, impl):
    item = impl.item
    response = client.get(f"{API}/catalog/items/{item.basic_code}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["basic_code"], body["name"]) == (item.pk, item.basic_code, item.name)
    assert body["item_type_label"] == item.get_item_type_display()


def test_item_compare_shows_the_differences_between_implementations(client, client_for,
                                                                     clerk):
    item = selectors.items_with_several_implementations().first()
    # Staff only, as the page /staff/catalog/compare/ (issue 8, finding 8).
    assert_error(client.get(f"{API}/catalog/items/{item.basic_code}/compare"), 401)
    response = client_for(clerk).get(f"{API}/catalog/items/{item.basic_code}/compare")
    assert response.status_code == 200
    body = response.json()
    assert body["basic_code"] == item.basic_code
    assert len(body["implementations"]) >= 2
    assert all({"element", "values"} <= set(d) for d in body["differing"])


def test_implementations_list_with_each_filter(client, impl):
    everything = client.get(f"{API}/catalog/implementations").json()
    published = ItemImplementation.objects.filter(status="published")
    assert everything["count"] == published.count()
    assert len(everything["items"]) == 100  # the default page

    filters = {"department": impl.department_id, "region": impl.region_id, "level": impl.level,
               "item_type": impl.item.item_type}
    for name, value in filters.items():
        body = client.get(f"{API}/catalog/implementations", {name: value, "limit": 100}).json()
        field = {"department": "department_id", "region": "region_code"}.get(name, name)
        assert body["count"] >= 1, name
        assert {row[field] for row in body["items"]} == {value}, name
    together = client.get(f"{API}/catalog/implementations", filters).json()
    assert impl.code in {row["code"] for row in together["items"]}
    assert together["count"] == published.filter(
        department=impl.department, region=impl.region_id, level=impl.level,
        item__item_type=impl.item.item_type).count()

    by_name = client.get(f"{API}/catalog/implementations", {"q": impl.item.name[:6]}).json()
    assert impl.code in {row["code"] for row in by_name["items"]}
    assert all(impl.item.name[:6] in row["name"] for row in by_name["items"])


def test_implementation_by_code(client, impl):
    response = client.get(f"{API}/catalog/implementations/{impl.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == impl.code
    assert body["item"]["basic_code"] == impl.item.basic_code
    assert body["department"] == impl.department.name
    assert [m["name"] for m in body["materials"]] == [
        m.name for m in impl.materials.order_by("position")]
    assert body["guide_url"].endswith(f"/guide/{impl.code}/")
    assert Decimal(str(body["promised_limit_workdays"])) == impl.promised_limit_workdays


@pytest.mark.parametrize("kind", ["powers", "services", "public", "intermediary"])
def test_each_of_the_four_lists(client, kind):
    response = client.get(f"{API}/catalog/lists/{kind}", {"limit": 100})
    assert response.status_code == 200
    body = response.json()
    expected = selectors.implementation_list(list_kind=kind)
    assert body["count"] == expected.count()
    assert [r["code"] for r in body["items"]] == [i.code for i in expected[:100]]
    if kind == "powers":
        assert body["count"] > 0
        assert all(r["item_type"] != "20" for r in body["items"])
    if kind == "public":
        assert body["count"] > 0
        assert {r["item_type"] for r in body["items"]} == {"20"}


def test_export_csv_is_the_import_format(client):
    response = client.get(f"{API}/catalog/lists/public/export", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "public.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    expected = selectors.implementation_list(list_kind="public")
    assert [r[HEADER.index("实施编码")] for r in rows[1:]] == [i.code for i in expected]


def test_export_xlsx_opens_in_a_spreadsheet(client, impl):
    response = client.get(f"{API}/catalog/lists/services/export",
                          {"format": "xlsx", "department": impl.department_id})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    expected = selectors.implementation_list(list_kind="services", department=impl.department_id)
    assert len(rows) - 1 == expected.count() > 0


def test_kpis_with_links_to_their_misses(client):
    response = client.get(f"{API}/catalog/kpis")
    assert response.status_code == 200
    body = response.json()
    assert [k["key"] for k in body["overall"]] == [d.key for d in kpis.DEFINITIONS]
    assert body["departments"]
    for kpi in body["overall"]:
        assert kpi["misses_url"] == f"/kpis/{kpi['key']}/misses/"
        assert kpi["misses"] <= kpi["considered"]
    department = body["departments"][0]
    assert all(k["misses_url"].endswith(f"?department={department['department_id']}")
               for k in department["kpis"])
    missed = max(body["overall"], key=lambda k: k["misses"])
    assert missed["misses"] > 0
    page = client.get(missed["misses_url"])
    assert page.status_code == 200
    assert missed["label"] in page.content.decode()

    listed = client.get(f"{API}/catalog/kpis/{missed['key']}/misses", {"limit": 100}).json()
    assert listed["count"] == missed["misses"]
    by_department = client.get(f"{API}/catalog/kpis/{missed['key']}/misses",
                               {"department": department["department_id"]}).json()
    assert {r["department_id"] for r in by_department["items"]} <= {department["department_id"]}


def test_quality_is_for_supervisors_and_catalogue_admins(client_for, clerk, supervisor,
                                                         catalog_admin):
    assert_error(client_for(None).get(f"{API}/catalog/quality"), 401, "unauthenticated")
    assert_error(client_for(clerk).get(f"{API}/catalog/quality"), 403, "forbidden")
    response = client_for(supervisor).get(f"{API}/catalog/quality", {"limit": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(selectors.quality_report()) > 0
    row = body["items"][0]
    assert row["findings"]
    assert all(f["rule"] and f["reason"] for f in row["findings"])
    rule = row["findings"][0]["rule"]
    only = client_for(catalog_admin).get(f"{API}/catalog/quality", {"rule": rule}).json()
    assert only["count"] >= 1
    assert {f["rule"] for r in only["items"] for f in r["findings"]} == {rule}
    assert_error(client_for(supervisor).get(f"{API}/catalog/quality", {"rule": "nope"}), 422,
                 "catalog.unknown_rule")


def test_delegation_review_lists_delegated_implementations_without_cases(client_for,
                                                                          supervisor):
    client = client_for(supervisor)
    response = client.get(f"{API}/catalog/delegation-review",
                          {"start": "2025-01-01", "end": "2025-12-31", "limit": 100})
    assert response.status_code == 200
    body = response.json()
    delegated = ItemImplementation.objects.filter(status="published", delegated=True)
    assert body["count"] == delegated.count() > 0
    row = body["items"][0]
    assert row["cases"] == 0
    assert row["implementation"]["code"] in set(delegated.values_list("code", flat=True))
    assert_error(client.get(f"{API}/catalog/delegation-review",
                            {"start": "2025-12-31", "end": "2025-01-01"}), 422,
                 "catalog.bad_period")


def test_search_with_filters(client):
    response = client.get(f"{API}/search", {"q": "社保卡"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "社保卡"
    assert body["count"] > 0
    assert any("社会保障卡" in hit["name"] for hit in body["items"])
    top = body["items"][0]
    assert top["guide_url"] == f"/guide/{top['implementation_code']}/"

    level = top["level"]
    filtered = client.get(f"{API}/search", {"q": "社保卡", "level": level, "limit": 100}).json()
    assert filtered["count"] >= 1
    assert {hit["level"] for hit in filtered["items"]} == {level}
    persons = client.get(f"{API}/search", {"q": "营业执照", "audience": "enterprise"}).json()
    assert persons["count"] >= 1
    paged = client.get(f"{API}/search", {"q": "社保卡", "limit": 1, "offset": 1}).json()
    assert len(paged["items"]) == min(1, body["count"] - 1)


# --- drafts over HTTP -----------------------------------------------------------------------


def _guide_payload(implementation, place="耒阳市政务服务中心二楼综合窗口"):
    guide = guide_of(implementation).model_dump(mode="json")
    guide["place"] = place
    guide["promised_limit_workdays"] = "1.5"
    return guide


def test_draft_save_submit_approve_over_the_api(client_for, catalog_admin, catalog_admin2,
                                                editable):
    author, reviewer = client_for(catalog_admin), client_for(catalog_admin2)
    old_version = editable.version
    saved = author.put(f"{API}/catalog/implementations/{editable.code}/draft",
                       _guide_payload(editable), content_type="application/json")
    assert saved.status_code == 200, saved.content
    draft = saved.json()
    assert draft["state"] == "draft"
    assert draft["payload"]["place"] == "耒阳市政务服务中心二楼综合窗口"
    assert client_for(None).get(f"{API}/catalog/implementations/{editable.code}").json()[
        "version"] == old_version  # nothing public changes before review

    submitted = author.post(f"{API}/catalog/drafts/{draft['id']}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert_error(author.post(f"{API}/catalog/drafts/{draft['id']}/approve", {"note": "自审"},
                             content_type="application/json"), 403)  # 双人复核
    approved = reviewer.post(f"{API}/catalog/drafts/{draft['id']}/approve",
                             {"note": "压缩时限"}, content_type="application/json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["number"] == old_version + 1
    assert approved.json()["approved_by"] == str(catalog_admin2)
    assert_error(reviewer.post(f"{API}/catalog/drafts/{draft['id']}/approve", {},
                               content_type="application/json"), 409)

    public = client_for(None)
    versions = public.get(f"{API}/catalog/implementations/{editable.code}/versions").json()
    assert [v["number"] for v in versions][:2] == [old_version + 1, old_version]
    assert versions[0]["note"] == "压缩时限"
    diff = public.get(f"{API}/catalog/implementations/{editable.code}/diff",
                      {"old": old_version, "new": old_version + 1})
    assert diff.status_code == 200
    lines = {line["label"]: (line["old"], line["new"]) for line in diff.json()}
    assert lines["承诺办结时限"][1] == "1.5"
    assert lines["办理地点"][1] == "耒阳市政务服务中心二楼综合窗口"
    assert_error(public.get(f"{API}/catalog/implementations/{editable.code}/diff",
                            {"old": 1, "new": 999}), 422, "catalog.unknown_version")


def test_draft_reject_over_the_api(client_for, catalog_admin, catalog_admin2, editable):
    author = client_for(catalog_admin)
    draft = author.put(f"{API}/catalog/implementations/{editable.code}/draft",
                       _guide_payload(editable), content_type="application/json").json()
    author.post(f"{API}/catalog/drafts/{draft['id']}/submit")
    rejected = client_for(catalog_admin2).post(
        f"{API}/catalog/drafts/{draft['id']}/reject", {"note": "依据不足"},
        content_type="application/json")
    assert rejected.status_code == 200
    assert rejected.json()["state"] == DraftState.REJECTED
    assert rejected.json()["review_note"] == "依据不足"
    editable.refresh_from_db()
    assert editable.place != "耒阳市政务服务中心二楼综合窗口"


def test_draft_writes_are_refused_to_the_wrong_people(client_for, clerk, editable):
    url = f"{API}/catalog/implementations/{editable.code}/draft"
    payload = _guide_payload(editable)
    assert_error(client_for(None).put(url, payload, content_type="application/json"), 401)
    assert_error(client_for(clerk).put(url, payload, content_type="application/json"), 403)
    assert_error(client_for(None).post(f"{API}/catalog/drafts/1/submit"), 401)
    assert not ImplementationDraft.objects.filter(implementation=editable).exists()


def test_bad_draft_bodies_are_422(client_for, catalog_admin, editable):
    author = client_for(catalog_admin)
    url = f"{API}/catalog/implementations/{editable.code}/draft"
    bad = _guide_payload(editable)
    bad["online_depth"] = 9
    assert_error(author.put(url, bad, content_type="application/json"), 422, "invalid_input")
    unknown = {**_guide_payload(editable), "hacker": 1}
    assert_error(author.put(url, unknown, content_type="application/json"), 422)
    assert_error(author.put(url, "not json", content_type="application/json"), 400, "bad_request")
    assert_error(author.post(f"{API}/catalog/drafts/99999999/submit"), 404, "not_found")
    assert_error(author.post(f"{API}/catalog/drafts/0/submit"), 422)
    long_note = {"note": "长" * 2001}
    assert_error(author.post(f"{API}/catalog/drafts/1/reject", long_note,
                             content_type="application/json"), 422)


def test_csrf_is_enforced_on_a_cookie_authenticated_write(catalog_admin, editable):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(catalog_admin)
    url = f"{API}/catalog/implementations/{editable.code}/draft"
    refused = browser.put(url, _guide_payload(editable), content_type="application/json")
    assert refused.status_code == 403
    assert not ImplementationDraft.objects.filter(implementation=editable).exists()

    browser.get("/accounts/login/")  # any page with a form sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.put(url, _guide_payload(editable), content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert accepted.status_code == 200, accepted.content
    assert ImplementationDraft.objects.filter(implementation=editable).exists()


# --- imports over HTTP ----------------------------------------------------------------------


def _exported_rows(client, implementation):
    content = client.get(f"{API}/catalog/lists/services/export",
                         {"format": "csv", "department": implementation.department_id}).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    return [r for r in rows if r["实施编码"] == implementation.code]


def _csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _service_impl():
    return selectors.implementation_list(list_kind="services").filter(
        level=4, legal_limit_workdays__gt=5).first()


def test_a_good_csv_upload_succeeds(client_for, catalog_admin):
    implementation = _service_impl()
    admin = client_for(catalog_admin)
    [row] = _exported_rows(admin, implementation)
    row["办理地点"] = "耒阳市政务服务中心三楼"
    upload = SimpleUploadedFile("good.csv", _csv([row]), content_type="text/csv")
    response = admin.post(f"{API}/catalog/imports", {"file": upload})
    assert response.status_code == 202, response.content
    job = response.json()
    status = admin.get(f"{API}/catalog/imports/{job['id']}")
    assert status.status_code == 200
    body = status.json()
    assert body["status"] == "succeeded", body
    assert (body["created"], body["updated"], body["errors"]) == (0, 1, [])
    implementation.refresh_from_db()
    assert implementation.place == "耒阳市政务服务中心三楼"


def test_a_bad_csv_upload_fails_with_every_error_and_changes_nothing(client_for, catalog_admin):
    implementation = _service_impl()
    admin = client_for(catalog_admin)
    [row] = _exported_rows(admin, implementation)
    good = {**row, "办理地点": "不应写入"}
    bad_type = {**row, "事项类型": "99"}
    bad_depth = {**row, "网上办理深度": "7"}
    upload = SimpleUploadedFile("bad.csv", _csv([good, bad_type, bad_depth]),
                                content_type="text/csv")
    response = admin.post(f"{API}/catalog/imports", {"file": upload})
    assert response.status_code == 202
    body = admin.get(f"{API}/catalog/imports/{response.json()['id']}").json()
    assert body["status"] == "failed"
    assert len(body["errors"]) >= 2
    assert any(e.startswith("第3行「事项类型」") for e in body["errors"]), body["errors"]
    assert any(e.startswith("第4行「网上办理深度」") for e in body["errors"]), body["errors"]
    implementation.refresh_from_db()
    assert implementation.place != "不应写入"


def test_upload_refusals(client_for, catalog_admin, clerk):
    admin = client_for(catalog_admin)
    url = f"{API}/catalog/imports"
    body = assert_error(admin.post(url, {"file": SimpleUploadedFile("a.txt", b"x")}), 422,
                        "catalog.bad_file_type")
    assert ".xlsx" in body["detail"]
    assert_error(admin.post(url, {}), 422, "invalid_input")  # no file at all
    assert_error(client_for(clerk).post(url, {"file": SimpleUploadedFile("a.csv", b"x")}), 403)
    assert_error(client_for(None).post(url, {"file": SimpleUploadedFile("a.csv", b"x")}), 401)
    assert_error(client_for(clerk).get(f"{API}/catalog/imports/1"), 403)
    assert_error(admin.get(f"{API}/catalog/imports/99999999"), 404, "not_found")


def test_an_oversize_upload_is_413(client_for, catalog_admin):
    big = SimpleUploadedFile("big.csv", b"a" * (20 * 1024 * 1024 + 1), content_type="text/csv")
    assert_error(client_for(catalog_admin).post(f"{API}/catalog/imports", {"file": big}), 413,
                 "catalog.file_too_large")


# --- bad input everywhere -------------------------------------------------------------------

HUGE = "99999999999999999999"
BAD_READS = [
    # unknown but well-formed codes
    ("/catalog/items/123456789012", 404),
    ("/catalog/implementations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 404),
    ("/catalog/implementations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/versions", 404),
    ("/catalog/implementations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/diff?old=1&new=2", 404),
    ("/regions/999999999999", 404),
    ("/departments/99999999", 404),
    # bad path patterns
    ("/catalog/items/12", 422),
    ("/catalog/items/abcdefghijkl", 422),
    ("/catalog/implementations/short", 422),
    ("/catalog/implementations/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 422),
    ("/regions/43", 422),
    ("/departments/0", 422),
    ("/departments/-1", 422),
    (f"/departments/{HUGE}", 422),
    # unknown list kind, KPI
    ("/catalog/lists/nope", 422),
    ("/catalog/lists/nope/export", 422),
    ("/catalog/kpis/nope/misses", 422),
    (f"/catalog/kpis/{'k' * 41}/misses", 422),
    # bad filters
    ("/catalog/implementations?level=9", 422),
    ("/catalog/implementations?level=abc", 422),
    ("/catalog/implementations?region=abc", 422),
    ("/catalog/implementations?department=-1", 422),
    ("/catalog/implementations?department=0", 422),
    (f"/catalog/implementations?department={HUGE}", 422),
    ("/catalog/implementations?item_type=99", 422),
    (f"/catalog/implementations?q={'事' * 51}", 422),
    ("/catalog/items?item_type=x", 422),
    (f"/catalog/items?q={'a' * 51}", 422),
    ("/catalog/lists/powers?level=9", 422),
    ("/catalog/lists/powers/export?format=pdf", 422),
    (f"/catalog/kpis/speed_up/misses?department={HUGE}", 422),
    ("/catalog/implementations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/diff?old=0&new=1", 422),
    (f"/catalog/implementations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/diff?old={HUGE}&new=1", 422),
    ("/catalog/implementations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/diff", 422),
    ("/regions?level=planet", 422),
    ("/regions?parent=abc", 422),
    ("/departments?region=abc", 422),
    (f"/departments?q={'a' * 51}", 422),
    # search
    ("/search", 422),
    ("/search?q=", 422),
    (f"/search?q={'社' * 51}", 422),
    ("/search?q=社保卡&level=9", 422),
    ("/search?q=社保卡&region=abc", 422),
    ("/search?q=社保卡&department=-1", 422),
    (f"/search?q=社保卡&department={HUGE}", 422),
    (f"/search?q=社保卡&theme={HUGE}", 422),
    ("/search?q=社保卡&audience=alien", 422),
    ("/search?q=社保卡&limit=0", 422),
    ("/search?q=社保卡&limit=1000", 422),
    ("/search?q=社保卡&offset=-1", 422),
    # pagination everywhere
    ("/catalog/items?limit=0", 422),
    ("/catalog/items?limit=1000", 422),
    ("/catalog/items?offset=-1", 422),
    (f"/catalog/items?limit={HUGE}", 422),
    (f"/catalog/items?offset={HUGE}", 422),
    ("/catalog/implementations?limit=0", 422),
    ("/catalog/implementations?limit=1000", 422),
    ("/catalog/implementations?offset=-1", 422),
    ("/catalog/lists/services?limit=1000", 422),
    ("/catalog/kpis/speed_up/misses?offset=-1", 422),
    ("/regions?limit=1000", 422),
    ("/departments?offset=-1", 422),
    # unknown routes
    ("/catalog/nope", 404),
    ("/nope", 404),
]


@pytest.mark.parametrize(("path", "status"), BAD_READS)
def test_bad_reads_answer_4xx_with_code_and_detail(client, path, status):
    body = assert_error(client.get(API + path), status)
    if status == 404:
        assert body["code"] == "not_found"


@pytest.mark.parametrize("path", [
    "/catalog/quality?limit=0", "/catalog/quality?limit=1000", "/catalog/quality?offset=-1",
    f"/catalog/quality?department={HUGE}", f"/catalog/quality?rule={'r' * 41}",
    "/audit/events?limit=0", f"/audit/events?offset={HUGE}", f"/audit/events?action={'a' * 81}",
    "/catalog/delegation-review", "/catalog/delegation-review?start=x&end=2025-01-01",
    "/catalog/delegation-review?start=2025-02-30&end=2025-03-01",
    "/catalog/delegation-review?start=2025-01-01&end=2025-12-31&limit=0",
])
def test_bad_staff_reads_answer_422(client_for, supervisor, path):
    assert_error(client_for(supervisor).get(API + path), 422)


def test_an_unknown_item_compares_as_absent(client_for, supervisor):
    body = assert_error(client_for(supervisor).get(f"{API}/catalog/items/123456789012/compare"),
                        404)
    assert body["code"] == "not_found"


def test_pagination_edges_are_accepted(client):
    body = client.get(f"{API}/catalog/items", {"limit": 100, "offset": 1_000_000}).json()
    assert body["items"] == []
    assert body["count"] == ServiceItem.objects.count()
    assert len(client.get(f"{API}/catalog/items", {"limit": 1}).json()["items"]) == 1


def test_wrong_methods_are_405_json(client):
    response = client.delete(f"{API}/catalog/themes")
    assert response.status_code == 405


def test_the_kpi_page_charts_the_lowest_departments_each_bar_a_link(client):
    """Issue 16: the indicator chosen, the county departments furthest from it first, each
    bar opening that department's misses."""
    page = client.get("/kpis/", {"kpi": "depth_3_or_more"}).content.decode()
    chart = page.split('<figure class="chart">', 1)[1].split("</figure>", 1)[0]
    assert "网上办理深度Ⅲ级以上占比最低的" in chart
    links = re.findall(r'<a href="([^"]+)">', chart)
    assert links and all(link.startswith("/kpis/depth_3_or_more/misses/?department=")
                         for link in links)
    assert client.get(links[0].replace("&amp;", "&")).status_code == 200
    # An unknown indicator falls back to the first, not an error.
    assert "网上可办率最低的" in client.get("/kpis/", {"kpi": "x"}).content.decode()
