"""Issue 11's "Done means" story in Chromium: 企业开办 ends with an electronic 营业执照 in the
enterprise's space, its QR opens the verification page, the next application (食品经营许可)
uses it instead of an upload with a preview and consent, the use shows in 谁用了我的证照和数据,
and once revoked the licence shows as revoked online and fails offline after the status
lists are refreshed.

Who does what: the founder 孙创业 (chuangye) files 企业开办 in the browser (the three-step
wizard), opens the enterprise's space, the licence, the next application and the use log in
the browser; anyone opens the verification page in the browser. The window's acceptance and
the six departments' decisions, and the revocation by 市市场监督管理局, are made with the
services through `zhengwu shell -c` (the reviewers' pages are test_bundle_story's): the
browser part is what the applicant and the public see. The offline check runs `zhengwu
licences verify` on the credential the founder downloaded, with the status lists as their
URLs serve them before and after the revocation.

The server runs with its own data and the clock frozen on a working-day morning (as
test_bundle_story). Screenshots at 1280 and 390 px go to ZHENGWU_SHOTS_DIR.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import test_bundle_story as bundle_story
from tests.browser.axe import assert_accessible_at_widths
from tests.browser.conftest import REPO, ZHENGWU, Server
from tests.browser.item_forms import fill_rendered_form
from tests.browser.test_bundle_story import COMPANY, FACTS, REVIEWERS, SETUP, pdf_file

pytestmark = pytest.mark.browser

# This module's own server (fresh data, frozen clock; module scope) and signed-in pages, as the
# bundle story makes them.
frozen = bundle_story.frozen
person = bundle_story.person

CODE = "LY-QYKB"
FOOD = "食品经营许可证核发（新办）"
COMPANY_NAME = FACTS["a.name"]
# The window accepts the bundle; each department passes its member case through its chain
# (two people: 承办 and 审核 by different persons) and grants it — the registration first,
# the others once it is granted. Prints the registered enterprise and its licence.
DECIDE = """
import json
from zhengwu.accounts.models import User
from zhengwu.bundles.models import BundleCase
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.cases.models import Case
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.catalog.models import ItemImplementation
from zhengwu.licences.models import Licence
reviewers = json.loads({reviewers!r})
bundle_case = BundleCase.objects.get(number={number!r})
bundle_move(number=bundle_case.number, user=User.objects.get(username="clerk"),
            move=BundleMoveIn(action="accept"))
members = list(bundle_case.members.select_related("department").order_by("pk"))
for member in members:
    first, second = (User.objects.get(username=u) for u in reviewers[member.department.short_name])
    case = Case.objects.get(pk=member.case_id)
    chain = case.implementation.approval_chain or ["承办", "审核", "批准"]
    for step in range(len(chain) - 1):
        case = case_transition(case_id=case.pk, user=first if step % 2 == 0 else second,
                               move=MoveIn(action="review_pass"))
    case_transition(case_id=case.pk, user=second if len(chain) % 2 == 0 else first,
                    move=MoveIn(action="grant"))
registration = Case.objects.exclude(registered_uscc="").get(bundle_number=bundle_case.number)
licence = Licence.objects.get(source_case=registration.number)
enterprise = User.objects.get(uscc=registration.registered_uscc)
food = ItemImplementation.objects.get(item__name={food!r}, level=4)
print("DECIDED" + json.dumps({{"uscc": registration.registered_uscc, "enterprise": enterprise.pk,
                              "registration": registration.number,
                              "identifier": licence.identifier, "food": food.code,
                              "decided": sorted(Case.objects.filter(
                                  bundle_number=bundle_case.number).values_list(
                                  "decision", flat=True).distinct())}}))
"""
REVOKE = """
from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.licences.models import Licence
from zhengwu.licences.services import licence_revoke
licence = Licence.objects.get(identifier={identifier!r})
licence_revoke(licence_id=licence.pk, actor=actor_for(User.objects.get(username="chief")),
               reason="企业登记机关撤销设立登记（示例）")
print("REVOKED")
"""


def shots_at(page: Page, shots: Path, name: str) -> None:
    """A full-page screenshot at desktop width and at 390 px (a phone)."""
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    size = page.viewport_size or {"width": 1280, "height": 900}
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(shots / f"{name}-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.set_viewport_size(size)


def offline_verify(server: Server, folder: Path, credential: bytes,
                   lists: list[bytes]) -> subprocess.CompletedProcess[str]:
    """`zhengwu licences verify` on the exported credential with these status lists."""
    (folder / "licence.json").write_bytes(credential)
    args = [str(ZHENGWU), "licences", "verify", str(folder / "licence.json")]
    for n, body in enumerate(lists):
        path = folder / f"status-{n}.json"
        path.write_bytes(body)
        args += ["--status-list", str(path)]
    return subprocess.run(args, env=server.env, cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)


def test_business_licence_from_registration_to_revocation(
        person: Callable[..., Page], frozen: Server, shots: Path, tmp_path: Path) -> None:
    frozen.zhengwu("shell", "-c", SETUP.format(
        reviewers=json.dumps(REVIEWERS, ensure_ascii=False), password="demo-2026"))

    # --- the founder files 企业开办 in three steps -------------------------------------------
    founder = person("chuangye")
    founder.goto(f"/bundles/{CODE}/apply/")
    title = founder.locator("#step-title")
    expect(title).to_have_text("第1步/共3步：情形引导")
    for question in ("是否需要刻制印章", "是否申领发票", "是否招用员工"):
        group = founder.get_by_role("group", name=re.compile(question))
        group.get_by_label("是").check()
        expect(group.get_by_label("是")).to_be_checked()
    founder.get_by_role("button", name="下一步：填写一张表单").click()
    expect(title).to_have_text("第2步/共3步：填写一张表单")
    for key, value in COMPANY.items():
        founder.locator(f"#id_f_{key}").fill(value)
    for name, value in FACTS.items():
        founder.locator(f"#wizard [name='{name}']").fill(value)
    address = founder.locator("#wizard [name='a.address']")
    if address.count():  # 住所, printed on the 营业执照
        address.fill(COMPANY["address"])
    fill_rendered_form(founder, "#wizard")
    founder.get_by_role("button", name="下一步：提交材料并确认").click()
    expect(title).to_have_text("第3步/共3步：提交材料并确认")
    files = founder.locator("#wizard input[type=file]")
    for i in range(files.count()):
        files.nth(i).set_input_files(pdf_file(f"material-{i + 1}.pdf"))
    founder.get_by_role("checkbox", name=re.compile("^我确认所填信息真实")).check()
    with founder.expect_navigation(url=re.compile(r"/bundles/cases/YJ\d+/$")):
        founder.get_by_role("button", name="提交申请").click()
    number = founder.locator("#case-title").inner_text().split()[-1]

    # --- the window accepts, the six departments grant (services) ---------------------------
    output = frozen.zhengwu("shell", "-c", DECIDE.format(
        reviewers=json.dumps(REVIEWERS, ensure_ascii=False), number=number, food=FOOD))
    decided = json.loads(output.split("DECIDED", 1)[1])
    assert decided["decided"] == ["granted"], decided
    uscc, identifier = decided["uscc"], decided["identifier"]
    assert re.fullmatch(r"91430481[0-9A-HJ-NPQRTUWXY]{10}", uscc), uscc

    # --- the registration's decision carries the code it assigned ---------------------------
    founder.goto(f"/cases/{decided['registration']}/")
    expect(founder.locator("#registered-uscc")).to_have_text(uscc)

    # --- the 营业执照 is in the enterprise's space, not in the founder's own --------------------
    founder.goto("/my/")
    expect(founder.locator("#my-licences")).not_to_contain_text("营业执照")
    founder.get_by_label("切换到").select_option(str(decided["enterprise"]))
    with founder.expect_navigation():
        founder.get_by_role("button", name="进入该空间").click()
    expect(founder.locator("#space-current")).to_contain_text(f"当前为企业空间：{COMPANY_NAME}")
    expect(founder.locator("#space-current")).to_contain_text(uscc)
    licences = founder.locator("#my-licences")
    expect(licences).to_contain_text("营业执照")
    expect(licences).to_contain_text(identifier)
    expect(founder.locator("#my-profile")).to_contain_text(uscc)
    shots_at(founder, shots, "40-enterprise-space")
    assert_accessible_at_widths(founder, "我的空间（企业空间）")

    # --- the holder's licence page: both QR codes, the short address ------------------------
    with founder.expect_navigation():
        licences.get_by_role("link", name="营业执照").first.click()
    expect(founder.locator("h1")).to_have_text("营业执照")
    expect(founder.locator("#licence-title .badge")).to_have_text("有效")
    short = founder.locator("figcaption a.mono").first
    verify_url = str(short.get_attribute("href"))
    assert re.fullmatch(rf"{re.escape(frozen.url)}/V/[A-Z2-7]{{12}}", verify_url), verify_url
    shots_at(founder, shots, "41-licence-holder-page")
    assert_accessible_at_widths(founder, "我的证照（营业执照）")
    credential = founder.request.get(f"/licences/{identifier}/credential.json")
    assert credential.ok, credential.status
    exported = credential.body()
    status_urls = [entry["statusListCredential"] for entry in json.loads(
        base64.b64decode(json.loads(exported)["credential"]))["credentialStatus"]]

    # --- its QR (upper-case scheme and host, as the code holds it) opens the public page ----
    public = person()
    scheme, rest = verify_url.split("://", 1)
    host, path = rest.split("/", 1)
    public.goto(f"{scheme.upper()}://{host.upper()}/{path}")
    expect(public.locator("h1")).to_have_text("电子证照核验")
    expect(public.locator("#verify-title .badge")).to_have_text("有效")
    page_text = public.locator("main").inner_text()
    assert COMPANY_NAME in page_text and uscc in page_text  # an enterprise's are public
    assert "孙创业" not in page_text and FACTS["a.business_scope"] not in page_text
    shots_at(public, shots, "42-verify-valid")
    assert_accessible_at_widths(public, "证照核验（有效）")
    lists_before = [public.request.get(url).body() for url in status_urls]
    checked = offline_verify(frozen, tmp_path, exported, lists_before)
    assert checked.returncode == 0 and checked.stdout.startswith("有效"), checked

    # --- the next application for the enterprise offers the licence instead of an upload ---
    founder.goto(f"/cases/apply/{decided['food']}/?as={decided['enterprise']}")
    expect(founder.locator("h1")).to_have_text(f"在线申请：{FOOD}")
    expect(founder.locator("nav.on-behalf")).to_contain_text(f"{COMPANY_NAME}（您任法定代表人）")
    expect(founder.locator("nav.on-behalf")).to_contain_text("您作为法定代表人提交")
    offer = founder.locator("div.offer").filter(has_text="营业执照")
    expect(offer).to_have_count(1)
    expect(offer).to_contain_text(identifier)
    offer.locator("summary", has_text="预览证照信息").click()
    expect(offer.locator("dl.facts")).to_contain_text(COMPANY_NAME)
    expect(offer.locator("label", has=founder.locator("input[value=use]"))).to_contain_text(
        "我已预览并同意本次使用")
    offer.locator("input[type=radio][value=use]").check()
    fill_rendered_form(founder, "#apply-form")
    for field, value in (("#id_phone", "13800000018"), ("#id_address", "耒阳市蔡子池街道五一路8号")):
        if not founder.locator(field).input_value():
            founder.fill(field, value)
    for material in founder.locator("div.material").filter(
            has=founder.locator(".badge", has_text=re.compile(r"^必要$"))).all():
        if not material.locator("div.offer").count():
            material.locator("input[type=file]").set_input_files(pdf_file("material.pdf"))
    shots_at(founder, shots, "43-food-apply-offer")
    assert_accessible_at_widths(founder, "在线申请（电子证照代替材料）")
    with founder.expect_navigation():
        founder.get_by_role("button", name="提交申请").click()
    expect(founder.locator(".error-summary")).to_have_count(0)
    food_number = founder.locator("#case-title").inner_text().split()[-1]
    expect(founder.locator("main")).to_contain_text(f"电子证照 {identifier}")

    # --- the use is in 谁用了我的证照和数据 of the enterprise ----------------------------------
    founder.goto("/my/data-uses/")
    expect(founder.locator("#space-of")).to_contain_text(COMPANY_NAME)
    used = founder.locator("main table.grid tbody tr").filter(has_text=food_number)
    expect(used).to_have_count(1)
    expect(used).to_contain_text(identifier)
    expect(used).to_contain_text("办件中使用")
    expect(used).to_contain_text("孙创业（代耒阳市创业科技有限公司）")
    expect(founder.locator("main table.grid tbody")).to_contain_text("扫码")
    shots_at(founder, shots, "44-data-uses")
    assert_accessible_at_widths(founder, "谁用了我的证照和数据（企业）")

    # --- revoked by 市市场监督管理局: revoked online, and offline once the lists are refreshed
    assert "REVOKED" in frozen.zhengwu("shell", "-c", REVOKE.format(identifier=identifier))
    public.reload()
    expect(public.locator("#verify-title .badge")).to_have_text("已撤销")
    expect(public.locator("main")).to_contain_text("企业登记机关撤销设立登记")
    shots_at(public, shots, "45-verify-revoked")
    assert_accessible_at_widths(public, "证照核验（已撤销）")
    lists_after = [public.request.get(url).body() for url in status_urls]
    assert lists_after != lists_before
    refused = offline_verify(frozen, tmp_path, exported, lists_after)
    assert refused.returncode == 1 and refused.stdout.startswith("无效"), refused
    assert "撤销" in refused.stdout, refused.stdout
