"""The public contract of architecture.md: health, metrics, security headers (quality.md #17),
request ids, error pages, the frozen clock, the CLI commands, and who may open which page
(quality.md #9, #11).
"""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from zhengwu.accounts.models import User
from zhengwu.catalog import selectors
from zhengwu.catalog.models import ItemImplementation
from zhengwu.catalog.rows import COLUMNS
from zhengwu.core import clock, sweeps

HEADER = [label for _, label in COLUMNS]


def _guide_code():
    return ItemImplementation.objects.filter(status="published").order_by("pk").first().code


# --- health, metrics, headers ---------------------------------------------------------------


def test_healthz_answers_json(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in {"sqlite", "postgresql"}


def test_metrics_count_requests(client, db):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "# TYPE zhengwu_http_requests_total counter" in text
    assert re.search(r'zhengwu_http_requests_total\{method="GET",route="healthz",status="200"\} '
                     r"[1-9]", text), text[:2000]
    assert "zhengwu_http_request_seconds_bucket" in text


@pytest.mark.parametrize("path", ["/", "/search/?q=社保卡", "/accounts/login/", "/nope/",
                                  "/api/v1/catalog/themes", "/api/v1/nope"])
def test_security_headers(client, db, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp  # no inline scripts outside the API docs
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_http_only_and_same_site(client, db):
    response = client.post("/accounts/login/", {"username": "clerk", "password": "demo-2026"})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def test_request_id_is_echoed_or_issued(client, db):
    echoed = client.get("/healthz", headers={"X-Request-ID": "contract-req-0001"})
    assert echoed["X-Request-ID"] == "contract-req-0001"
    issued = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", issued["X-Request-ID"])
    unsafe = client.get("/healthz", headers={"X-Request-ID": "x\r\n" * 3})
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe["X-Request-ID"])


def test_unknown_api_path_is_json_404(client, db):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == "not_found"
    assert re.search(r"[\u4e00-\u9fff]", body["detail"])


def test_unknown_page_is_a_chinese_404_page(client, db):
    response = client.get("/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert '<html lang="zh-CN">' in text
    assert '<meta charset="utf-8">' in text
    assert "页面不存在" in text


def test_a_stale_form_is_a_styled_chinese_page_that_leads_back(db):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "x", "password": "y"},
                            headers={"Referer": "http://testserver/accounts/login/?next=/cases/"})
    assert response.status_code == 403
    text = response.content.decode()
    assert '<html lang="zh-CN">' in text
    assert "页面已过期或在另一个窗口中已登录/退出。请返回上一页，刷新后重新提交。" in text
    assert '<a href="/accounts/login/?next=/cases/">返回上一页</a>' in text
    assert "DEBUG" not in text and "CSRF验证失败" not in text


def test_a_stale_form_from_elsewhere_leads_home(db):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "x", "password": "y"},
                            headers={"Referer": "https://evil.example/accounts/login/"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "evil.example" not in text
    assert '<a href="/">返回首页</a>' in text
    assert "DEBUG" not in text


def test_a_referer_to_another_host_by_its_path_leads_home(rf, db):
    from zhengwu.core.views import csrf_failure

    request = rf.post("/accounts/login/", headers={"Referer": "http://testserver//evil.example/"})
    request.user = AnonymousUser()
    text = csrf_failure(request).content.decode()
    assert "evil.example" not in text


def test_the_csrf_failure_view_answers_json_under_the_api(rf):
    from zhengwu.core.views import csrf_failure

    response = csrf_failure(rf.post("/api/v1/cases/"), reason="CSRF token missing.")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["code"] == "forbidden" and "刷新" in body["detail"]


def test_a_stale_api_write_is_refused_in_json(applicant):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    response = browser.post("/api/v1/cases", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


# --- the platform clock ---------------------------------------------------------------------


@override_settings(ZHENGWU_NOW="2026-12-01T09:00:00+08:00")
def test_zhengwu_now_freezes_the_clock():
    moment = clock.now()
    assert moment == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
    assert clock.today() == dt.date(2026, 12, 1)


@override_settings(ZHENGWU_NOW="2026-12-31T23:30:00")
def test_a_naive_zhengwu_now_is_beijing_time():
    assert clock.now() == dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC)
    assert clock.today() == dt.date(2026, 12, 31)


@override_settings(ZHENGWU_NOW="2026-12-01T09:00:00+08:00", DEBUG=False,
                   ZHENGWU_ALLOW_FROZEN_CLOCK=False)
def test_a_frozen_clock_is_refused_in_production():
    with pytest.raises(ImproperlyConfigured, match="ZHENGWU_ALLOW_FROZEN_CLOCK"):
        clock.now()


@override_settings(ZHENGWU_NOW="2026-12-01T09:00:00+08:00", DEBUG=True,
                   ZHENGWU_ALLOW_FROZEN_CLOCK=False)
def test_a_frozen_clock_is_allowed_with_debug():
    assert clock.today() == dt.date(2026, 12, 1)


@override_settings(ZHENGWU_NOW="")
def test_without_zhengwu_now_the_clock_runs():
    before = dt.datetime.now(dt.UTC)
    assert before <= clock.now() <= dt.datetime.now(dt.UTC)


# --- commands -------------------------------------------------------------------------------


def test_sweep_runs_every_registered_sweep_as_of_now(monkeypatch, db):
    seen = []

    def probe(now):
        seen.append(now)
        return f"as of {now.isoformat()}"

    monkeypatch.setitem(sweeps.SWEEPS, "contract_probe", probe)
    out = io.StringIO()
    call_command("sweep", "--now", "2026-12-01T09:00:00+08:00", stdout=out)
    assert seen == [dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)]
    assert "contract_probe: as of 2026-12-01T09:00:00+08:00" in out.getvalue()


def test_one_failing_sweep_does_not_stop_the_others(monkeypatch, db, caplog):
    """The worker (`zhengwu serve` runs `sweep --every`) must survive a sweep's exception:
    the other sweeps of the run still run, the failure is logged with its traceback and named
    in the output; a single run then ends as a command error (non-zero exit)."""
    seen = []

    def broken(now):
        raise ValueError("boom")

    def after(now):
        seen.append(now)
        return "ran"

    monkeypatch.setitem(sweeps.SWEEPS, "contract_broken", broken)
    monkeypatch.setitem(sweeps.SWEEPS, "contract_after", after)
    out = io.StringIO()
    with pytest.raises(CommandError, match="contract_broken"):
        call_command("sweep", "--now", "2026-12-01T09:00:00+08:00", stdout=out)
    assert seen and "contract_after: ran" in out.getvalue()
    assert "contract_broken: 失败（ValueError，详见日志）" in out.getvalue()
    assert any(r.exc_info and "contract_broken" in r.getMessage() for r in caplog.records)
    with pytest.raises(ValueError, match="boom"):  # callers of run_all see the exception
        sweeps.run_all(dt.datetime(2026, 12, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01", "2026-12-01T25:00"])
def test_sweep_with_a_bad_now_is_a_command_error(bad):
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("sweep", "--now", bad)


def test_export_catalog_writes_a_csv(tmp_path, db):
    target = tmp_path / "public.csv"
    call_command("export_catalog", "--list", "public", "--format", "csv", "-o", str(target),
                 stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert len(rows) - 1 == selectors.implementation_list(list_kind="public").count() > 0


def test_import_catalog_with_a_bad_file_lists_every_row_error(tmp_path, db):
    path = tmp_path / "bad.csv"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerow({"事项名称": "坏行一", "事项类型": "99", "实施主体": "市公安局",
                     "行政区划代码": "430481000000", "行使层级": "4", "承诺办结时限(工作日)": "1",
                     "网上办理深度": "3", "到办事现场次数": "1"})
    writer.writerow({"事项名称": "坏行二", "事项类型": "01", "实施主体": "市公安局",
                     "行政区划代码": "430481000000", "行使层级": "4", "承诺办结时限(工作日)": "abc",
                     "网上办理深度": "3", "到办事现场次数": "1"})
    path.write_text(out.getvalue(), encoding="utf-8")
    before = ItemImplementation.objects.count()
    errors = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_catalog", str(path), stderr=errors)
    listed = errors.getvalue()
    assert "第2行「事项类型」" in listed
    assert "第3行「承诺办结时限(工作日)」" in listed
    assert ItemImplementation.objects.count() == before


def test_import_catalog_with_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_catalog", str(tmp_path / "absent.csv"))


# --- who may open which page ----------------------------------------------------------------

STAFF_PAGES = {
    "/staff/": "clerk",
    "/staff/catalog/quality/": "supervisor",
    "/staff/catalog/compare/": "clerk",
    "/staff/catalog/delegation/": "supervisor",
    "/staff/catalog/drafts/": "catalog",
    "/staff/catalog/import/": "catalog",
    "/staff/audit/": "supervisor",
}


@pytest.mark.parametrize(("path", "username"), STAFF_PAGES.items())
def test_staff_pages_by_role(client_for, applicant, path, username):
    anonymous = client_for(None).get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(f"/accounts/login/?next={path}")
    refused = client_for(applicant).get(path)
    assert refused.status_code == 403
    assert "没有权限" in refused.content.decode()
    allowed = client_for(User.objects.get(username=username)).get(path)
    assert allowed.status_code == 200


@pytest.mark.parametrize(("path", "username"), [
    ("/staff/catalog/quality/", "clerk"),
    ("/staff/catalog/drafts/", "supervisor"),
    ("/staff/catalog/import/", "clerk"),
    ("/staff/audit/", "catalog"),
])
def test_staff_pages_refuse_the_wrong_staff_role(client_for, path, username):
    assert client_for(User.objects.get(username=username)).get(path).status_code == 403


def test_a_staff_compare_page(client_for, clerk, applicant):
    item = selectors.items_with_several_implementations().first()
    path = f"/staff/catalog/compare/{item.basic_code}/"
    assert client_for(clerk).get(path).status_code == 200
    assert client_for(applicant).get(path).status_code == 403
    assert client_for(clerk).get("/staff/catalog/compare/123456789012/").status_code == 404


def _public_pages():
    code = _guide_code()
    return ["/", "/search/?q=社保卡", f"/guide/{code}/", "/lists/", "/lists/powers/",
            "/kpis/", "/kpis/speed_up/misses/", f"/guide/{code}/versions/"]


def test_public_pages_are_open_to_everyone(client_for, applicant):
    for user in (None, applicant):
        client = client_for(user)
        for path in _public_pages():
            response = client.get(path)
            assert response.status_code == 200, path
            assert response["Content-Type"] == "text/html; charset=utf-8", path
            assert '<meta charset="utf-8">' in response.content.decode(), path


def test_search_page_finds_the_social_security_card(client, db):
    text = client.get("/search/", {"q": "社保卡"}).content.decode()
    assert "社会保障卡" in text


def test_list_page_exports_csv(client, db):
    response = client.get("/lists/powers/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert len(rows) - 1 == selectors.implementation_list(list_kind="powers").count()


@pytest.mark.parametrize("path", ["/guide/NOPE/", "/guide/NOPE/versions/", "/lists/nope/",
                                  "/kpis/nope/misses/"])
def test_unknown_public_objects_are_404_pages(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_a_guide_page_never_shows_demo_peoples_phone_or_id_numbers(client_for, applicant):
    secrets = []
    for user in User.objects.all():
        secrets += [s for s in (user.phone, user.citizen_id) if s]
    assert any(s.startswith("138") for s in secrets)  # the demo pack has mobile numbers
    for viewer in (None, applicant):
        text = client_for(viewer).get(f"/guide/{_guide_code()}/").content.decode()
        leaked = [s for s in secrets if s in text]
        assert leaked == []


@pytest.mark.django_db
def test_an_unparseable_json_body_is_refused_in_chinese(client_for, catalog_admin):
    response = client_for(catalog_admin).post("/api/v1/catalog/drafts/1/approve", "{not json",
                                              content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "detail": "请求内容无法解析：请提交正确的 JSON。"}


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    from zhengwu.core.http import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.5", REMOTE_ADDR="127.0.0.1")
    settings.ZHENGWU_TRUSTED_PROXIES = 0
    assert client_ip(request) == "127.0.0.1"
    settings.ZHENGWU_TRUSTED_PROXIES = 1
    assert client_ip(request) == "10.0.0.5"  # what our proxy saw; the first hop is forgeable
