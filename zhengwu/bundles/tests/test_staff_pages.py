"""The 一件事 staff pages through the test client: who may open each one, the window accepting,
asking once (with a department's pre-review request), refusing and delivering, the KPIs of a
finished 企业开办, and definitions edited as JSON and published by a second administrator."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.bundles.models import (
    Bundle,
    BundleCase,
    BundleCaseStatus,
    BundleDraft,
    BundleDraftState,
    BundleNoticeKind,
    BundleVersion,
)
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.bundles.tests.conftest import COMPANY, MORNING, QYKB
from zhengwu.bundles.tests.test_flow import REGISTRATION, decide, members
from zhengwu.regions.models import Region

pytestmark = pytest.mark.django_db

TAX = "市税务局"
MASKED_ID = "430***********123X"


@pytest.fixture(autouse=True)
def tuesday_morning() -> Any:
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def township_clerk(db: Any) -> User:
    """A window clerk of one township: the county's bundle cases are not theirs."""
    township = Region.objects.filter(parent__home=True).order_by("code").first()
    assert township is not None
    user = user_create(username="township-clerk", password="x-demo-2026-x",
                       kind=UserKind.STAFF, display_name="乡镇窗口")
    role_assign(user=user, role=Role.WINDOW_CLERK, region=township)
    return user


def window_url(status: str = "") -> str:
    return reverse("bundles:window") + (f"?status={status}" if status else "")


def move(client: Any, bundle_case: BundleCase, action: str, **data: str) -> Any:
    return client.post(reverse("bundles:window_move", args=[bundle_case.number, action]), data)


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def refreshed(bundle_case: BundleCase) -> BundleCase:
    return BundleCase.objects.get(pk=bundle_case.pk)


def finish_all(bundle_case: BundleCase, reviewers: dict[str, User]) -> None:
    decide(members(bundle_case)[REGISTRATION], reviewers[REGISTRATION])
    for name, member in members(bundle_case).items():
        if name != REGISTRATION:
            decide(member, reviewers[name])


# --- who may open what ------------------------------------------------------------------------


def test_each_page_answers_its_role_and_refuses_the_others(
        client_for: Any, clerk: User, applicant: User, supervisor: User,
        catalog_admin: User, reviewers: dict[str, User]) -> None:
    reviewer = reviewers[TAX]
    pages = {
        reverse("bundles:window"): {clerk: 200, reviewer: 403, applicant: 403,
                                    catalog_admin: 403},
        reverse("bundles:department_members"): {reviewer: 200, clerk: 403, applicant: 403},
        reverse("bundles:kpis"): {supervisor: 200, catalog_admin: 200, clerk: 403,
                                  reviewer: 403, applicant: 403},
        reverse("bundles:definitions"): {catalog_admin: 200, supervisor: 403, clerk: 403,
                                         applicant: 403},
        reverse("bundles:definition_edit", args=[QYKB]): {catalog_admin: 200, clerk: 403},
        reverse("bundles:definition_new"): {catalog_admin: 200, reviewer: 403},
    }
    anonymous = client_for(None)
    for url, expected in pages.items():
        assert anonymous.get(url).status_code == 302, url
        for user, status in expected.items():
            assert client_for(user).get(url).status_code == status, (url, user.username)
    admin = client_for(catalog_admin)
    assert admin.get(reverse("bundles:definition_edit", args=["LY-NOPE"])).status_code == 404
    assert admin.post(reverse("bundles:draft_move", args=[999999, "approve"])).status_code \
        == 404


def test_the_workbench_links_each_role_to_its_bundle_pages(
        client_for: Any, clerk: User, supervisor: User, catalog_admin: User,
        reviewers: dict[str, User]) -> None:
    def links(user: User) -> str:
        return page(client_for(user).get(reverse("staff:workbench")))

    assert reverse("bundles:window") in links(clerk)
    assert reverse("bundles:department_members") not in links(clerk)
    assert reverse("bundles:department_members") in links(reviewers[TAX])
    assert reverse("bundles:kpis") in links(supervisor)
    admin = links(catalog_admin)
    assert reverse("bundles:kpis") in admin
    assert reverse("bundles:definitions") in admin


# --- the window -------------------------------------------------------------------------------


def test_the_window_lists_bundle_cases_by_status_with_the_applicant_masked(
        client_for: Any, clerk: User, submit_qykb: Any) -> None:
    bundle_case = submit_qykb()
    html = page(client_for(clerk).get(window_url()))
    assert bundle_case.number in html
    assert "企业开办一件事" in html
    assert MASKED_ID in html
    assert COMPANY["id_number"] not in html
    assert "138****0002" in html
    assert f"{len(members(bundle_case))} 个事项" in html
    assert "受理期限" in html
    for tab in ("待受理（1）", "待补正（0）", "已补正（0）", "并联办理中（0）", "已办结待送达（0）"):
        assert tab in html
    # Each member case links to its department's case page.
    for member in members(bundle_case).values():
        assert member.case.get_absolute_url() in html
    assert bundle_case.number not in page(client_for(clerk).get(window_url("in_progress")))


def test_a_clerk_of_another_region_gets_404_and_others_403(
        client_for: Any, submit_qykb: Any, township_clerk: User, applicant: User,
        clerk: User) -> None:
    bundle_case = submit_qykb()
    township = client_for(township_clerk)
    assert bundle_case.number not in page(township.get(window_url()))
    assert move(township, bundle_case, "accept").status_code == 404
    assert move(client_for(applicant), bundle_case, "accept").status_code == 403
    assert move(client_for(clerk), bundle_case, "grant").status_code == 404
    assert client_for(clerk).post(reverse("bundles:window_move", args=["YJ-NOPE", "accept"])) \
        .status_code == 404
    assert refreshed(bundle_case).status == BundleCaseStatus.SUBMITTED


def test_the_window_accepts_for_every_member(client_for: Any, clerk: User,
                                             submit_qykb: Any) -> None:
    bundle_case = submit_qykb()
    client = client_for(clerk)
    response = move(client, bundle_case, "accept")
    assert response.status_code == 302
    assert refreshed(bundle_case).status == BundleCaseStatus.IN_PROGRESS
    assert "已受理" in page(client.get(response["Location"]))
    html = page(client.get(window_url("in_progress")))
    assert bundle_case.number in html
    assert "承诺办结期限" in html
    # Accepted once: a second attempt is answered next to the form, not with a 500.
    html = page(move(client, bundle_case, "accept"))
    assert "不能受理" in html


def test_refusing_needs_a_reason(client_for: Any, clerk: User, submit_qykb: Any) -> None:
    bundle_case = submit_qykb()
    client = client_for(clerk)
    html = page(move(client, bundle_case, "refuse", reason="  "))
    assert "不予受理必须写明理由" in html
    assert 'role="alert"' in html
    assert refreshed(bundle_case).status == BundleCaseStatus.SUBMITTED
    assert move(client, bundle_case, "refuse", reason="经营范围含禁止类项目").status_code == 302
    bundle_case = refreshed(bundle_case)
    assert bundle_case.status == BundleCaseStatus.REFUSED
    assert list(bundle_case.notices.values_list("kind", flat=True)) == [BundleNoticeKind.REFUSAL]


def test_a_department_request_goes_into_the_window_one_notice(
        client_for: Any, clerk: User, submit_qykb: Any, reviewers: dict[str, User]) -> None:
    bundle_case = submit_qykb()
    tax = members(bundle_case)[TAX]
    department = client_for(reviewers[TAX])
    html = page(department.get(reverse("bundles:department_members")))
    assert f"一件事 {bundle_case.number}" in html
    assert tax.case.get_absolute_url() in html
    assert "等待前置事项" in html
    url = reverse("bundles:supplement_request", args=[tax.case_id])
    assert f'action="{url}"' in html
    # A reason without its material is refused next to the form, with the text kept.
    html = page(department.post(url, {"sup_material_0": "", "sup_reason_0": "无法核实经营场所"}))
    assert "请填写原因“无法核实经营场所”对应的材料名称" in html
    assert 'value="无法核实经营场所"' in html
    response = department.post(url, {"sup_material_0": "经营场所照片",
                                     "sup_reason_0": "无法核实经营场所"})
    assert response.status_code == 302
    # Another department's member case is not this reviewer's: 404.
    police = members(bundle_case)["市公安局"]
    assert department.post(reverse("bundles:supplement_request", args=[police.case_id]), {
        "sup_material_0": "x", "sup_reason_0": "y"}).status_code == 404
    window = client_for(clerk)
    html = page(window.get(window_url()))
    assert "经营场所照片" in html
    assert "无法核实经营场所" in html
    # The clerk's own row without its reason is refused; nothing is issued.
    html = page(move(window, bundle_case, "ask_supplement", sup_material_0="公司章程",
                     sup_reason_0=""))
    assert "请写明“公司章程”需补正的原因" in html
    assert refreshed(bundle_case).status == BundleCaseStatus.SUBMITTED
    registration = members(bundle_case)[REGISTRATION]
    response = move(window, bundle_case, "ask_supplement", sup_material_0="公司章程",
                    sup_reason_0="缺少全体股东签字", sup_item_0=registration.item_code,
                    sup_material_1="", sup_reason_1="", sup_item_1="")
    assert response.status_code == 302
    bundle_case = refreshed(bundle_case)
    assert bundle_case.status == BundleCaseStatus.AWAITING_SUPPLEMENT
    notice = bundle_case.notices.get()
    assert notice.kind == BundleNoticeKind.SUPPLEMENT
    items = {i["material"]: i for i in notice.content["items"]}
    assert set(items) == {"公司章程", "经营场所照片"}
    assert items["公司章程"]["item"] == registration.item_code
    assert items["经营场所照片"]["item"] == tax.item_code
    # Told once: the department can no longer add findings, and says so.
    html = page(department.get(reverse("bundles:department_members")))
    assert f'action="{url}"' not in html
    html = page(department.post(url, {"sup_material_0": "x", "sup_reason_0": "y"}))
    assert "不能再提出补正意见" in html


def test_the_window_delivers_once(client_for: Any, clerk: User, submit_qykb: Any,
                                  reviewers: dict[str, User]) -> None:
    bundle_case = submit_qykb(delivery_method="window")
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    finish_all(bundle_case, reviewers)
    assert refreshed(bundle_case).status == BundleCaseStatus.FINISHED
    client = client_for(clerk)
    html = page(client.get(window_url("finished")))
    assert bundle_case.number in html
    assert "全部准予" in html
    html = page(move(client, bundle_case, "deliver", delivery_method="postal",
                     tracking_number=""))
    assert "邮寄送达须填写邮寄单号" in html
    assert refreshed(bundle_case).status == BundleCaseStatus.FINISHED
    html = page(move(client, bundle_case, "deliver", delivery_method="carrier-pigeon"))
    assert "送达方式" in html
    assert move(client, bundle_case, "deliver", delivery_method="postal",
                tracking_number="SF1234567890").status_code == 302
    bundle_case = refreshed(bundle_case)
    assert bundle_case.status == BundleCaseStatus.DELIVERED
    assert (bundle_case.delivery_method, bundle_case.tracking_number) == \
        ("postal", "SF1234567890")


# --- KPIs -------------------------------------------------------------------------------------


def test_kpis_show_the_plan_limits_met_after_a_finished_qykb(
        client_for: Any, supervisor: User, clerk: User, submit_qykb: Any,
        reviewers: dict[str, User]) -> None:
    client = client_for(supervisor)
    html = page(client.get(reverse("bundles:kpis")))
    assert "企业开办一件事：规划指标" in html
    assert "暂无数据" in html
    assert reverse("bundles:guide", args=[QYKB]) in html
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(action="accept"))
    finish_all(bundle_case, reviewers)
    html = page(client.get(reverse("bundles:kpis")))
    # The 企业开办 section only (a full pack has other bundles with limits).
    section = html[html.index(f'id="limits-{QYKB}"'):]
    section = section[:section.index("</section>")]
    assert "全部达标" in section
    assert "未达标" not in section
    parallel = len(members(bundle_case)) - 1  # everything after registration, in parallel
    for label in ("环节", "申请材料（去重后）", "办结时间（全部办件）", "企业设立登记（公司设立登记）",
                  f"第2阶段 {parallel} 个事项并联办理"):
        assert label in section
    assert section.count("✓ 达标") == 5
    assert "100.0%（1 / 1）" in html


def test_kpi_charts_and_figures_link_to_the_bundles_cases(
        client_for: Any, supervisor: User, clerk: User, submit_qykb: Any,
        reviewers: dict[str, User]) -> None:
    from zhengwu.bundles.models import BundleAccess

    done, waiting = submit_qykb(), submit_qykb()
    bundle_move(number=done.number, user=clerk, move=BundleMoveIn(action="accept"))
    finish_all(done, reviewers)
    client = client_for(supervisor)
    html = page(client.get(reverse("bundles:kpis")))
    cases = reverse("bundles:kpi_cases", args=[QYKB])
    assert html.count('<figure class="chart">') == 2
    assert f'<a href="{cases}?state=late">' in html  # the in-time bar: the late ones behind it
    assert f'<a href="{cases}?state=">' in html  # the applications bar
    assert f'href="{cases}?state=finished">1</a>' in html  # the table's figure
    listed = page(client.get(cases))
    assert done.number in listed and waiting.number in listed
    assert done.applicant_name not in listed  # masked
    assert BundleAccess.objects.filter(bundle_case=waiting, user=supervisor).count() == 1
    in_time = page(client.get(cases, {"state": "in_time"}))
    assert done.number in in_time and waiting.number not in in_time
    assert "按时" in in_time
    assert done.number not in page(client.get(cases, {"state": "late"}))
    assert waiting.number in page(client.get(cases, {"state": "open"}))
    assert waiting.number in page(client.get(cases, {"state": "nonsense"}))  # all of them
    assert client.get(reverse("bundles:kpi_cases", args=["LY-NONE"])).status_code == 404
    assert client_for(clerk).get(cases).status_code == 403


# --- definitions ------------------------------------------------------------------------------


def qykb_definition() -> dict[str, Any]:
    return dict(Bundle.objects.get(code=QYKB).definition)


def save(client: Any, data: Any, *, bundle: str = QYKB, submit: bool = False,
         new_code: str = "") -> Any:
    """Post a definition to the editor of `bundle` ("" for a new bundle)."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    url = reverse("bundles:definition_edit", args=[bundle]) if bundle else \
        reverse("bundles:definition_new")
    posted = {"definition": text, "submit" if submit else "save": "1"}
    if new_code:
        posted["code"] = new_code
    return client.post(url, posted)


def test_the_editor_starts_from_the_published_definition(client_for: Any,
                                                         catalog_admin: User) -> None:
    html = page(client_for(catalog_admin).get(reverse("bundles:definition_edit", args=[QYKB])))
    assert "企业开办一件事" in html
    assert "&quot;lead_department&quot;: &quot;市市场监督管理局&quot;" in html  # not \\u escapes
    assert "版本记录" in html
    assert "定义格式说明" in html
    listing = page(client_for(catalog_admin).get(reverse("bundles:definitions"), {"q": "QYKB"}))
    assert reverse("bundles:definition_edit", args=[QYKB]) in listing
    assert "第 1 版" in listing


def test_a_bad_definition_shows_every_reason_and_saves_nothing(client_for: Any,
                                                               catalog_admin: User) -> None:
    data = qykb_definition()
    registration, seal = data["members"][0], data["members"][1]
    registration["depends_on"] = [seal["item"]]  # seal already depends on registration
    data["members"].append({"item": "999999999999", "promised_workdays": "0.5",
                            "position": 9})
    data["questions"].append({"key": "unused", "text": "是否需要纸质营业执照",
                              "answers": [{"value": "yes", "label": "是"},
                                          {"value": "no", "label": "否"}]})
    client = client_for(catalog_admin)
    html = page(save(client, data))
    assert "定义有 3 处问题，未保存" in html
    assert "成员事项之间存在循环依赖：企业设立登记（公司设立登记） → 公章刻制备案（印章刻制）" in html
    assert "成员事项“999999999999”在事项库中不存在" in html
    assert "问题“是否需要纸质营业执照”不影响任何成员事项、后续问题或承诺时限（问题无去向）" in html
    assert html.count("<li>成员事项") + html.count("<li>问题") >= 3
    assert "999999999999" in html  # what was typed is kept
    assert not BundleDraft.objects.exists()
    html = page(save(client, '{"name": "企业开办", "members": [}'))
    assert "JSON 格式有误：第 1 行第 30 列，缺少值" in html
    html = page(save(client, "[1, 2]"))
    assert "定义必须是一个 JSON 对象" in html
    html = page(save(client, {"name": "x", "audience": "nobody"}))
    assert "audience：取值应为以下之一：person、enterprise" in html
    assert not BundleDraft.objects.exists()


def test_four_eyes_publish_by_a_second_admin_makes_version_two(
        client_for: Any, catalog_admin: User, catalog_admin2: User) -> None:
    data = qykb_definition()
    data["description"] = "企业开办全程网办，一个工作日办结。"
    author = client_for(catalog_admin)
    response = save(author, data, submit=True)
    assert response.status_code == 302
    draft = BundleDraft.objects.get()
    assert draft.state == BundleDraftState.SUBMITTED
    html = page(author.get(response["Location"]))
    assert "已保存并提交审核" in html
    assert "待另一位事项管理员审核发布" in html
    assert "审核发布</button>" not in html
    # Submitted drafts are not edited meanwhile.
    assert "该一件事已有待审核的修改" in page(save(author, data))
    # The author may not publish their own change (双人复核).
    html = page(author.post(reverse("bundles:draft_move", args=[draft.pk, "approve"])))
    assert "提交人不能审核自己提交的修改" in html
    assert Bundle.objects.get(code=QYKB).version == 1
    reviewer = client_for(catalog_admin2)
    html = page(reviewer.get(reverse("bundles:definition_edit", args=[QYKB])))
    assert "草稿与第 1 版的差异" in html
    assert "<ins>" in html
    assert "企业开办全程网办，一个工作日办结。" in html
    assert "审核发布</button>" in html
    # Sending back needs a reason.
    html = page(reviewer.post(reverse("bundles:draft_move", args=[draft.pk, "reject"])))
    assert "退回时必须写明理由" in html
    response = reviewer.post(reverse("bundles:draft_move", args=[draft.pk, "approve"]),
                             {"note": "符合实施方案"})
    assert response.status_code == 302
    bundle = Bundle.objects.get(code=QYKB)
    assert bundle.version == 2
    assert bundle.definition["description"] == "企业开办全程网办，一个工作日办结。"
    version = BundleVersion.objects.get(bundle=bundle, number=2)
    assert version.approved_by == catalog_admin2
    html = page(reviewer.get(response["Location"]))
    assert "已审核发布为第 2 版" in html
    assert "第 2 版" in html
    assert "符合实施方案" in html
    compare = page(reviewer.get(reverse("bundles:definition_edit", args=[QYKB]),
                                {"old": "1", "new": "2"}))
    assert "第 1 版 → 第 2 版" in compare
    assert "<ins>" in compare


def test_a_new_bundle_checks_its_code(client_for: Any, catalog_admin: User) -> None:
    client = client_for(catalog_admin)
    data = qykb_definition()
    html = page(save(client, data, bundle="", new_code="企业 开办"))
    assert "编码只能由字母、数字、短横线和下划线组成" in html
    html = page(save(client, data, bundle="", new_code=QYKB))
    assert "该编码的一件事已存在或已有草稿" in html
    response = save(client, data, bundle="", new_code="LY-QYKB2")
    assert response.status_code == 302
    draft = BundleDraft.objects.get(code="LY-QYKB2")
    assert draft.bundle is None
    html = page(client.get(response["Location"]))
    assert "一件事草稿：LY-QYKB2" in html
    assert "提交审核</button>" in html
