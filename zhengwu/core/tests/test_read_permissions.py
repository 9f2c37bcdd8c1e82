"""Pages and API agree on who may read what (issue 8, finding 8; quality.md #9, #11).

Every GET operation of the API is classified here: either it has a page counterpart, and then
for every demo role the API shows data exactly when the page does, or it is public (the
catalogue, guides, regions…), or it is the applicant's own access log. A new GET operation
that is not classified fails `test_every_api_read_is_classified`. `/metrics` answers only a
loopback client or the bearer token of ZHENGWU_METRICS_TOKEN.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.test import Client, override_settings

from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.bundles.services import SubmitIn, bundle_submit
from zhengwu.bundles.tests.conftest import (
    ALL_YES,
    CHUANGYE_COMPANY,
    QYKB,
    item_answers_for,
    materials_for,
)
from zhengwu.cases.models import NoticeKind
from zhengwu.cases.services import MoveIn, case_submit, case_transition
from zhengwu.cases.tests.conftest import FORM, sample_answers, uploads_for
from zhengwu.catalog import importing, selectors
from zhengwu.catalog.models import ItemImplementation
from zhengwu.departments.models import Department
from zhengwu.jointreviews.services import ScheduleIn, joint_review_schedule
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

# Anonymous, then one demo user of every role (packs/leiyang/people.csv).
ROLES = [None, "zhangsan", "canyin", "clerk", "reviewer", "chief", "proxy", "catalog",
         "supervisor", "hotline", "admin", "hallmgr"]
APPLICANTS = {"zhangsan", "canyin"}

# (API path, page path). For a list API whose page differs by who asks, the page is a tuple of
# alternatives: the API may show data when any of them does. The case list is 我的办件 for an
# applicant and 办件查询 for staff; the bundle case list is 我的一件事 for an applicant, the
# 一件事 window or the departments' member list for staff, and 电子监察 (cases.view_all_cases)
# reads every case, bundle member cases included, through 办件查询.
PAIRS: list[tuple[str, str | tuple[str, ...]]] = [
    ("/api/v1/catalog/quality", "/staff/catalog/quality/"),
    ("/api/v1/catalog/delegation-review?start=2020-01-01&end=2026-12-31",
     "/staff/catalog/delegation/"),
    ("/api/v1/catalog/items/{basic_code}/compare", "/staff/catalog/compare/{basic_code}/"),
    ("/api/v1/catalog/imports/{import_id}", "/staff/catalog/import/{import_id}/"),
    ("/api/v1/cases", ("/cases/mine/", "/cases/staff/list/")),
    ("/api/v1/cases/mine", "/cases/mine/"),
    ("/api/v1/cases/queue", "/cases/staff/window/"),
    ("/api/v1/cases/todo", "/cases/staff/todo/"),
    ("/api/v1/cases/monitoring", "/cases/staff/monitoring/"),
    ("/api/v1/cases/{case}", "/cases/{case}/"),
    ("/api/v1/cases/{case}/events", "/cases/{case}/"),
    ("/api/v1/cases/{case}/notices", "/cases/{case}/"),
    ("/api/v1/cases/{case}/notices/{notice}.pdf", "/cases/{case}/notices/{notice}.pdf"),
    ("/api/v1/bundles/applications", ("/bundles/mine/", "/bundles/staff/window/",
                                      "/bundles/staff/departments/", "/cases/staff/list/")),
    ("/api/v1/bundles/applications/{bundle}", "/bundles/cases/{bundle}/"),
    ("/api/v1/bundles/kpis", "/bundles/staff/kpis/"),
    ("/api/v1/bundles/{bundle_code}/kpis", "/bundles/staff/kpis/"),
    ("/api/v1/bundles/drafts", "/bundles/staff/definitions/"),
    ("/api/v1/licences/kpis", "/cases/staff/licence-kpis/"),
    ("/api/v1/joint-reviews", "/staff/joint-reviews/"),
    ("/api/v1/joint-reviews/absences", "/staff/joint-reviews/absences/"),
    ("/api/v1/joint-reviews/{review}", "/staff/joint-reviews/{review}/"),
    ("/api/v1/joint-reviews/{review}/events", "/staff/joint-reviews/{review}/"),
    ("/api/v1/audit/events", "/staff/audit/"),
    ("/api/v1/notifications/messages", "/notifications/"),
    ("/api/v1/notifications/messages/unread-count", "/notifications/"),
    ("/api/v1/me", "/my/"),
    ("/api/v1/me/addresses", "/accounts/addresses/"),
    ("/api/v1/accounts/identity", "/accounts/verify/"),
    ("/api/v1/accounts/authorizations", "/accounts/authorizations/"),
    ("/api/v1/sharing/uses", "/my/data-uses/"),
    # 好差评: the staff worklist and a rectification, without who rated.
    ("/api/v1/evaluations/rectifications", "/evaluations/staff/"),
    ("/api/v1/evaluations/rectifications/{rectification}", "/evaluations/staff/{rectification}/"),
    # A hall's waiting numbers (no names, IDs or phones): its staff, as the staff hall page.
    ("/api/v1/hall/queue", "/hall/staff/LY-ZWFW/"),
    # 取号叫号统计: the hall's managers (docs/hall.md).
    ("/api/v1/hall/queue-figures?hall=LY-ZWFW", "/hall/manage/LY-ZWFW/queue/"),
    # 办不成事反映: the officer's and the centre's list and a ticket (each read logged).
    ("/api/v1/unresolved/tickets", "/unresolved/staff/"),
    ("/api/v1/unresolved/tickets/{ticket}", "/unresolved/staff/{ticket}/"),
    # 依申请公开: one's own requests or the agency's worklist, and a request (staff reads logged).
    ("/api/v1/openness/requests", ("/openness/requests/", "/openness/staff/")),
    ("/api/v1/openness/requests/{openness}", ("/openness/requests/{openness}/",
                                              "/openness/staff/{openness}/")),
    # 帮代办: the staff home (hall manager, 代办员) or the enterprise's list in its space; a
    # project's progress; a 创业管家's assignment (zhengwu/assistance/tests/test_access.py).
    ("/api/v1/assistance/projects", ("/assistance/", "/assistance/my/projects/")),
    ("/api/v1/assistance/projects/{project}", "/assistance/projects/{project}/"),
    ("/api/v1/assistance/butlers/{butler}", "/assistance/butlers/{butler}/"),
    # 12345: the staff list (the department's inbox for its staff) or 我的诉求 for a caller;
    # an order (404 to others); the routing table (the centre: operators, 电子监察, admins).
    ("/api/v1/hotline/orders", ("/hotline/orders/", "/hotline/mine/")),
    ("/api/v1/hotline/orders/{order}", "/hotline/orders/{order}/"),
    ("/api/v1/hotline/rules", "/hotline/rules/"),
    ("/api/v1/hotline/results", "/hotline/results/"),
    # An order's duplicate candidates name other orders: the centre only (operators, 电子监察,
    # admins), the audience of the routing table's page (the order page shows the box to
    # operators only, but is open to the department's staff too).
    ("/api/v1/hotline/orders/{order}/duplicates", "/hotline/rules/"),
    # 反馈 to the provincial platform: 12345 operators (the exchange's account), the desk's.
    ("/api/v1/hotline/upstream/feedback", "/hotline/desk/"),
    # 惠企政策: the department's list of eligible enterprises (its staff, 电子监察); one
    # enterprise's answer with its figures — the enterprise itself (我能享受的政策) or the
    # department's staff and 电子监察 (the benefit's staff page).
    # 执法检查人员名录库 with names: the departments' officers and 电子监察 (its page).
    ("/api/v1/inspections/inspectors", "/inspections/staff/inspectors/"),
    # 中介超市 投诉: the complainant, the 审改办 and 电子监察; others find it absent.
    ("/api/v1/market/complaints/{complaint}", "/market/complaints/{complaint}/"),
    # 双随机 inspections: the department's plans (its officers, 电子监察) or one's own tasks;
    # one inspection as its plan's staff page or its result page (the drawn inspector).
    ("/api/v1/inspections/inspections", ("/inspections/staff/plans/", "/inspections/staff/mine/")),
    ("/api/v1/inspections/inspections/{inspection}",
     ("/inspections/staff/plans/{plan}/", "/inspections/staff/inspections/{inspection}/result/")),
    ("/api/v1/policies/benefits/{benefit}/eligible", "/policies/staff/{benefit}/"),
    ("/api/v1/policies/benefits/{benefit}/eligibility?enterprise={enterprise}",
     ("/policies/staff/{benefit}/", "/policies/mine/?benefit={benefit}")),
]
# Open to everyone, as their pages are (the catalogue, guides, lists, KPIs, search, regions,
# departments, bundle guides, the public progress query).
PUBLIC = {
    "/api/v1/catalog/themes", "/api/v1/catalog/items", "/api/v1/catalog/items/{basic_code}",
    "/api/v1/catalog/implementations", "/api/v1/catalog/implementations/{code}",
    "/api/v1/catalog/implementations/{code}/versions",
    "/api/v1/catalog/implementations/{code}/diff", "/api/v1/catalog/lists/{kind}",
    "/api/v1/catalog/implementations/{code}/form",
    "/api/v1/catalog/implementations/{code}/form-schema",
    "/api/v1/catalog/lists/{kind}/export", "/api/v1/catalog/kpis",
    "/api/v1/catalog/kpis/{key}/misses", "/api/v1/search", "/api/v1/cases/progress",
    "/api/v1/bundles", "/api/v1/bundles/{code}", "/api/v1/bundles/{code}/versions",
    "/api/v1/regions", "/api/v1/regions/{code}", "/api/v1/departments",
    "/api/v1/departments/{department_id}", "/api/v1/accounts/privacy",
    "/api/v1/sharing/items",
    # 好差评公开: monthly figures, no personal data (evaluations/tests/test_pages.py).
    "/api/v1/evaluations/public",
    # The service halls and the appointment slots of a day (docs/hall.md).
    "/api/v1/hall/halls", "/api/v1/hall/slots",
    # The hall screen's state: numbers, windows and counts, no personal data
    # (hall/tests/test_queue.py, test_display_state_has_no_personal_data_and_is_cheap).
    "/api/v1/hall/display/{hall}",
    # 办不成事反映公示: the monthly list, no personal data (unresolved/tests/test_pages.py).
    "/api/v1/unresolved/public",
    # 惠企政策事项: what was published (policies/tests/test_grants.py).
    "/api/v1/policies/benefits",
    # 兑现指标: counts, amounts and working days per benefit, no enterprise named.
    "/api/v1/policies/kpis",
    # 免申即享占比: two counts and their share, no enterprise named (policies/tests/test_kpis.py).
    "/api/v1/policies/kpis/share",
    # 督查督办: the plan's measures, live figures and statuses, no personal data
    # (plan/tests/test_reports.py, docs/plan.md).
    "/api/v1/plan/measures",
    # 互动交流: answers published with the caller's consent, no personal data
    # (hotline/tests/test_publication.py).
    "/api/v1/hotline/published",
    # 透明日志: public by design — checkpoints, entries with proofs, consistency proofs, the
    # log's key; entries carry no personal data (ledger/tests, cases/tests/test_case_flow.py).
    "/api/v1/ledger/checkpoint", "/api/v1/ledger/entries/{}", "/api/v1/ledger/proof/consistency",
    "/api/v1/ledger/public-key",
    # 可验证抽取: a draw's published data, secrets only once revealed (draws/tests).
    "/api/v1/draws/{}",
    # 中介超市: listed agencies (an enterprise's USCC, name, 资质, credit — no staff named or
    # phoned), a project's public parts (owner as department or enterprise name, the number of
    # registrations only), who is selectable today (market/tests/test_api.py, test_pages.py).
    "/api/v1/market/agencies", "/api/v1/market/agencies/{}", "/api/v1/market/projects/{}",
    "/api/v1/market/service-types/{}/selectable",
    # 监管事项清单: the supervision items, no personal data (inspections/tests).
    "/api/v1/inspections/items", "/api/v1/inspections/items/{code}",
    # 双随机一公开: published plans (pool, count, draws; inspectors by draw only) and published
    # results (enterprise, item, result; no inspector) (inspections/tests).
    "/api/v1/inspections/plans", "/api/v1/inspections/plans/{number}",
    "/api/v1/inspections/results",
    # 政务新媒体名录: accounts, statuses and flags, office phones only, no person named
    # (openness/tests/test_new_media.py).
    "/api/v1/openness/new-media",
}
# The applicant's own access log: the page shows it only to the applicant, as a section of the
# case page (cases/tests/test_staff_reads.py, bundles/tests/test_access.py).
APPLICANT_ONLY = {"/api/v1/cases/{number}/accesses",
                  "/api/v1/bundles/applications/{number}/accesses",
                  # 我的空间's sections a page at a time: portal/tests/test_my_space.py.
                  "/api/v1/me/sections/{key}",
                  # 我的证照: the holder's own licences only (licences/tests/test_views.py).
                  "/api/v1/licences/mine",
                  # A shared data item fetched for the applicant's own case:
                  # sharing/tests/test_sharing.py.
                  "/api/v1/sharing/requests/{request_id}",
                  # 我的评价: one's own ratings (evaluations/tests/test_api.py).
                  "/api/v1/evaluations/ratings/mine",
                  # 我的预约: one's own appointments (hall/tests/test_api.py).
                  "/api/v1/hall/appointments",
                  # 我的反映: one's own tickets (unresolved/tests/test_api.py).
                  "/api/v1/unresolved/tickets/mine",
                  # The enterprise's 创业管家 and thread, in its space (assistance/tests).
                  "/api/v1/assistance/my/butler"}


def _template(path: str) -> str:
    """A PAIRS path as the OpenAPI schema writes it."""
    path = path.split("?", maxsplit=1)[0]
    return re.sub(r"\{[a-z_]+\}", "{}", path)


def test_every_api_read_is_classified() -> None:
    from config.api import api

    schema = api.get_openapi_schema()
    gets = {_template(path) for path, operations in schema["paths"].items()
            if "get" in operations}
    known = {_template(api_path) for api_path, _ in PAIRS} | {
        _template(p) for p in PUBLIC | APPLICANT_ONLY}
    assert gets - known == set(), "classify these GET operations in this file"


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def world(monday: Any) -> dict[str, Any]:
    """One object of each kind the paired paths name: a case with a notice, a bundle case, a
    joint review session, a catalogue import, an item with several implementations."""
    applicant, clerk = User.objects.get(username="zhangsan"), User.objects.get(username="clerk")
    food = ItemImplementation.objects.get(item__name="食品经营许可证核发（新办）", level=4)
    case = case_submit(implementation_id=food.pk, submitted_by=applicant,
                       form_data=dict(FORM), materials=uploads_for(food),
                       answers=sample_answers(food)).case
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    notice = case.notices.get(kind=NoticeKind.ACCEPTANCE)
    from zhengwu.bundles.models import Bundle

    bundle_case = bundle_submit(submitted_by=User.objects.get(username="chuangye"),
                                submission=SubmitIn(
        code=QYKB, answers=dict(ALL_YES), form=dict(CHUANGYE_COMPANY),
        materials=materials_for(Bundle.objects.get(code=QYKB)),
        item_answers=item_answers_for(Bundle.objects.get(code=QYKB)))).bundle_case
    reviewer = User.objects.get(username="reviewer")
    market = Department.objects.get(short_name="市市场监督管理局")
    review = joint_review_schedule(user=reviewer, data=ScheduleIn(
        kind="acceptance", title="联审测试", lead_department_id=market.pk,
        required_department_ids=[Department.objects.get(short_name="市公安局").pk],
        place="现场", starts_at=dt.datetime(2026, 3, 4, 10, tzinfo=SHANGHAI),
        answer_workdays=Decimal(3)))
    job = importing.import_create(file_name="x.csv", content=b"a,b\n",
                                  actor=actor_for(User.objects.get(username="catalog")))
    item = selectors.items_with_several_implementations().first()
    assert item is not None
    # A 差评 of a service of the demo applicant at 市场监管, under rectification.
    from zhengwu.evaluations.events import event_record
    from zhengwu.evaluations.models import Rectification
    from zhengwu.evaluations.services import RatingIn, rating_submit

    event = event_record(kind="case", key="RP-1", person_id=applicant.pk, phone="",
                         department_id=market.pk, item_code="", item_name="食品经营许可",
                         staff_id=None, at=dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI))
    rating = rating_submit(user=applicant, data=RatingIn(kind="case", key=event.key, level=5,
                                                         reasons=["A05"])).rating
    rectification = Rectification.objects.get(rating=rating)
    # A 办不成事 ticket of the demo applicant for 市场监管 (its 首席代表 answers it).
    from zhengwu.unresolved.services import OpenIn, ticket_open

    ticket = ticket_open(data=OpenIn(asked="食品经营许可", told="不能受理", where="window",
                                     department_id=market.pk), user=applicant, channel="web")
    # A 政府信息公开 request of the demo applicant to 市场监管.
    from zhengwu.openness.services import SubmitIn as OpennessIn
    from zhengwu.openness.services import request_submit

    openness = request_submit(data=OpennessIn(information="食品抽检结果",
                                              department_id=market.pk), user=applicant)
    # A 帮代办 project of 餐饮 and its 创业管家 (李窗口), as if it had registered here.
    from zhengwu.assistance import services as assistance
    from zhengwu.cases.models import Case

    manager, canyin = User.objects.get(username="hallmgr"), User.objects.get(username="canyin")
    project = assistance.project_create(
        manager=manager, uscc=canyin.uscc, name="代办项目", agent_id=User.objects.get(
            username="proxy").pk, item_codes=[food.item.basic_code],
        ends_on=dt.date(2026, 4, 30))
    Case.objects.filter(pk=case.pk).update(registered_uscc=canyin.uscc)
    butler = assistance.butler_assign(manager=manager, uscc=canyin.uscc, username="clerk")
    # A 12345 call taken by the operator and sent to 市场监管 (its staff see it).
    from zhengwu.hotline import services as hotline

    order = hotline.order_open(user=User.objects.get(username="hotline"), channel="phone",
                               data=hotline.OrderIn(kind="complaint", title="过期食品",
                                                    content="超市销售过期牛奶", caller_name="王五",
                                                    caller_phone="13912345678"))
    hotline.order_move(number=order.number, user=User.objects.get(username="hotline"),
                       move=hotline.OrderMoveIn(action="dispatch", department_id=market.pk))
    # A 双随机 inspection of 市场监管 whose drawn inspectors are its two officers.
    from zhengwu.inspections import services as inspections
    from zhengwu.inspections.models import Inspection, Plan, SupervisionItem

    officer = User.objects.get(username="reviewer")
    pair = [inspections.inspector_register(user=officer, username=u, certificate=f"ZF{u}")
            for u in ("reviewer", "chief")]
    plan = Plan.objects.create(number="CC202600001", name="抽查", department=market,
                               item=SupervisionItem.objects.get(code="LY-JG-001"), percent=10,
                               due_workdays=10, status="drawn", created_by=officer,
                               created_at=dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI))
    inspection = Inspection.objects.create(plan=plan, uscc=canyin.uscc, enterprise="餐饮",
                                           status="assigned")
    inspection.inspectors.set(pair)
    # A complaint of a person about the demo pack's 中介超市 project.
    from zhengwu.market import complaints
    from zhengwu.market.models import Project as MarketProject

    complaint = complaints.complaint_file(user=applicant, data=complaints.ComplaintIn(
        text="报名截止时间过短", project=MarketProject.objects.filter(
            illustrative=True).values_list("number", flat=True).first() or ""))
    return {"complaint": complaint.number,"inspection": inspection.pk, "plan": plan.number,
            "openness": openness.number, "order": order.number, "project": project.pk, "butler": butler.pk, "ticket": ticket.number,
            "case": case.number, "rectification": rectification.pk, "notice": notice.pk, "bundle": bundle_case.number,
            "bundle_code": QYKB, "review": review.pk, "import_id": job.pk,
            "basic_code": item.basic_code,
            # The pack's illustrative 稳岗返还 and the demo enterprise (docs/policies.md).
            "benefit": "WG-2026", "enterprise": canyin.uscc}


def _shows(response: Any) -> bool:
    """The API showed something: 200 with a body that is not an empty list."""
    if response.status_code != 200:
        return False
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        if isinstance(body, dict) and "items" in body and "count" in body:
            return bool(body["count"])
        if isinstance(body, list):
            return bool(body)
    return True


def test_pages_and_api_agree_on_who_may_read_what(world: dict[str, Any]) -> None:
    mismatches = []
    checked = 0
    with mock.patch("zhengwu.cases.views.notices.notice_pdf", return_value=b"%PDF-1.4"), \
            mock.patch("zhengwu.cases.api.notice_pdf", return_value=b"%PDF-1.4"):
        for username in ROLES:
            client = Client()
            if username is not None:
                client.force_login(User.objects.get(username=username))
            for api_path, pages in PAIRS:
                alternatives = (pages,) if isinstance(pages, str) else pages
                page_ok = any(client.get(page.format(**world)).status_code == 200
                              for page in alternatives)
                response = client.get(api_path.format(**world))
                checked += 1
                assert response.status_code < 500, (username, api_path, response.content[:300])
                if page_ok and response.status_code != 200:
                    mismatches.append((username, api_path, "page shows, API refuses",
                                       response.status_code))
                if not page_ok and _shows(response):
                    mismatches.append((username, api_path, "API shows what the page refuses",
                                       response.status_code))
    assert checked == len(ROLES) * len(PAIRS)
    assert mismatches == [], "\n".join(map(str, mismatches))


def test_staff_only_catalogue_reads_are_refused_anonymously(client: Client) -> None:
    """The reproductions of finding 8: 200 (64 KB) to anyone before."""
    response = client.get("/api/v1/catalog/delegation-review",
                          {"start": "2020-01-01", "end": "2026-12-31"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    item = selectors.items_with_several_implementations().first()
    assert item is not None
    assert client.get(f"/api/v1/catalog/items/{item.basic_code}/compare").status_code == 401
    assert client.get("/api/v1/bundles/kpis").status_code == 401
    assert client.get(f"/api/v1/bundles/{QYKB}/kpis").status_code == 401


# --- /metrics --------------------------------------------------------------------------------


def test_metrics_answer_a_loopback_client_only(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"
    assert b"zhengwu_http" not in refused.content
    # Behind a reverse proxy on the same host, a loopback address is not the client's.
    proxied = client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                         HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert proxied.status_code == 401
    with override_settings(ZHENGWU_TRUSTED_PROXIES=1):
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                          HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 401
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                          HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


@override_settings(ZHENGWU_METRICS_TOKEN="s3cret-metrics-token-0123456789")
def test_metrics_answer_the_bearer_token(client: Client) -> None:
    outside = "203.0.113.7"
    good = client.get("/metrics", REMOTE_ADDR=outside,
                      HTTP_AUTHORIZATION="Bearer s3cret-metrics-token-0123456789")
    assert good.status_code == 200
    assert b"zhengwu_http_requests_total" in good.content
    for header in ("Bearer wrong", "Bearer ", "Basic czNjcmV0", "s3cret-metrics-token-0123456789"):
        refused = client.get("/metrics", REMOTE_ADDR=outside, HTTP_AUTHORIZATION=header)
        assert refused.status_code == 401, header
    assert client.get("/metrics", REMOTE_ADDR=outside)["WWW-Authenticate"].startswith("Bearer")
