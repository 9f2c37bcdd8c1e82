"""The 惠企政策 pages as their users use them: a department publishes a benefit (a mistake in
the rules first: refused line by line, nothing typed lost), sees who qualifies and why,
prepares the list, a colleague confirms it, and the enterprise reads the grant it never
applied for."""

from __future__ import annotations

from typing import Any

from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.policies.models import Benefit, PolicyDocument

CANYIN = "91430481MA4L00003J"


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _form(**changes: Any) -> dict[str, Any]:
    data = {"code": "JY-2026", "name": "小微企业吸纳就业奖补（测试）", "kind": "award",
            "mode": "no_application", "subject_kind": "enterprise",
            "document": PolicyDocument.objects.get(doc_number="耒人社发〔2026〕1号（示例）").pk,
            "description": "吸纳就业的小微企业给予一次性奖补。",
            "lines": "size_class in small,micro | 小型或微型企业\n"
                     "dishonest is_false | 未列入失信名单",
            "effective_from": "2026-01-01", "effective_to": "", "amount": "1000",
            "max_fact_age_days": ""}
    data.update(changes)
    return data


def test_publish_refuses_bad_lines_keeping_everything_then_publishes(db: Any) -> None:
    renshe = _client("renshe")
    bad = renshe.post("/policies/staff/new/", _form(
        lines="size_class in small,micro | 小型或微型企业\nrevenue gte lots | 营收\n"
              "layoff_rate lte abc | 裁员率"))
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "第2行：未知的信息项“revenue”" in page and "第3行：“abc”不是数字" in page
    assert "小微企业吸纳就业奖补（测试）" in page and "revenue gte lots | 营收" in page
    assert not Benefit.objects.filter(code="JY-2026").exists()
    made = renshe.post("/policies/staff/new/", _form())
    assert made.status_code == 302 and made["Location"] == "/policies/staff/JY-2026/"
    staff_page = renshe.get("/policies/staff/JY-2026/").content.decode()
    assert "耒阳某某餐饮有限公司" in staff_page and "符合：小型或微型企业" in staff_page
    assert "耒阳示例建材有限公司" not in staff_page  # large


def test_other_departments_neither_see_nor_publish(db: Any) -> None:
    market = _client("chief")
    assert market.get("/policies/staff/WG-2026/").status_code == 404
    assert _client("canyin").get("/policies/staff/new/").status_code == 403


def test_prepared_confirmed_and_the_enterprise_reads_it(db: Any) -> None:
    renshe, chief = _client("renshe"), _client("chief_renshe")
    assert renshe.post("/policies/staff/WG-2026/grant-lists/").status_code == 302
    page = renshe.get("/policies/staff/WG-2026/").content.decode()
    assert "待复核" in page and "须由本部门其他工作人员复核确认" in page
    assert ">复核确认</button>" not in page  # the guard: never to the one who prepared it
    assert ">复核确认</button>" in chief.get("/policies/staff/WG-2026/").content.decode()
    number = page.split("MS2026", 1)[1][:5]
    refused = renshe.post(f"/policies/staff/WG-2026/grant-lists/MS2026{number}/",
                          {"action": "confirm"}, follow=True).content.decode()
    assert "名单须由拟定人以外的工作人员复核确认" in refused
    chief.post(f"/policies/staff/WG-2026/grant-lists/MS2026{number}/", {"action": "confirm"})
    mine = _client("canyin").get("/policies/mine/").content.decode()
    assert "已兑现" in mine and "2160.00" in mine and "待拨付" in mine
    assert "符合：上年度裁员率不高于5.5%" in mine
    library = Client().get("/policies/").content.decode()
    assert "耒阳市失业保险稳岗返还“免申即享”实施办法（示例）" in library


def test_a_department_imports_a_file_whole_or_not_at_all(db: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengwu.policies.models import FactBatch, FactRecord

    shuiwu = _client("shuiwu")  # 市税务局
    department = User.objects.get(username="shuiwu")
    before = FactRecord.objects.count()
    bad = SimpleUploadedFile("tax.csv", "统一社会信用代码,名称,截至日期,上年度纳税额\n"
                             f"{CANYIN},餐饮,2026-01-31,12.5\n"
                             f"{CANYIN[:-1]}X,坏码,2026-01-31,八\n".encode())
    page = shuiwu.post("/policies/staff/facts/", {
        "department": _department_of(department), "source": "市税务局 2025年度纳税（测试）",
        "file": bad})
    assert page.status_code == 422
    text = page.content.decode()
    assert "文件未导入（未保存任何数据）" in text and "第3行" in text
    assert "市税务局 2025年度纳税（测试）" in text  # the source typed is kept
    assert FactRecord.objects.count() == before
    good = SimpleUploadedFile("tax.csv", "统一社会信用代码,名称,截至日期,上年度纳税额\n"
                              f"{CANYIN},餐饮,2026-01-31,12.5\n".encode())
    done = shuiwu.post("/policies/staff/facts/", {
        "department": _department_of(department), "source": "市税务局 2025年度纳税（测试）",
        "file": good}, follow=True)
    assert "已导入“市税务局 2025年度纳税（测试）”：1 家企业的数据" in done.content.decode()
    batch = FactBatch.objects.get(source="市税务局 2025年度纳税（测试）")
    assert batch.facts.get().value == "12.5" and batch.imported_by == department


def _department_of(user: User) -> int:
    from zhengwu.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(user=user).values_list(
        "department_id", flat=True).get()


def test_one_click_benefit_links_the_eligible_enterprise_to_its_item(db: Any) -> None:
    from zhengwu.catalog.models import ItemImplementation

    item = ItemImplementation.objects.get(item__name="失业保险稳岗返还",
                                          department__short_name="市人社局")
    renshe = _client("renshe")
    refused = renshe.post("/policies/staff/new/", _form(code="YJ-1", mode="one_click"))
    assert refused.status_code == 422 and "即申即享须选择申请事项" in refused.content.decode()
    made = renshe.post("/policies/staff/new/", _form(code="YJ-1", mode="one_click",
                                                     implementation=item.pk))
    assert made.status_code == 302
    canyin = _client("canyin")
    mine = canyin.get("/policies/mine/").content.decode()
    assert f'href="/cases/apply/{item.code}/"' in mine and "一键申请（即申即享）" in mine
    apply = canyin.get(f"/cases/apply/{item.code}/").content.decode()
    assert 'value="91430481MA4L00003J"' in apply  # the item's form, prefilled for it
