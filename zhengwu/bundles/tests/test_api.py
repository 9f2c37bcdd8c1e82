"""The 一件事 API over HTTP (issue 4): guides and guided questions, the 企业开办 journey from an
idempotent application to one delivery, one supplement notice gathering the departments'
findings, error shapes, IDOR probes, masking, KPIs, and definitions with four eyes."""

import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.services import user_create
from zhengwu.accounts.tests.consented import consented
from zhengwu.bundles.models import Bundle, BundleCase, BundleCaseStatus, MemberState
from zhengwu.bundles.tests.conftest import ALL_YES, COMPANY, MORNING, QYKB, item_answers_for
from zhengwu.bundles.tests.test_flow import _second
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.cases.tests.conftest import pdf_bytes
from zhengwu.departments.models import Department

pytestmark = pytest.mark.django_db

API = "/api/v1/bundles"
REGISTRATION = "市市场监督管理局"
SOME = {"need_seal": "no", "need_invoice": "yes", "has_employees": "no"}


def member_count() -> int:
    return len(Bundle.objects.get(code=QYKB).definition["members"])


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, str]:
    assert response.status_code == status, response.content.decode()[:800]
    body: dict[str, str] = response.json()
    assert set(body) == {"code", "detail"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    if code is not None:
        assert body["code"] == code, body
    return body


def post_json(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def needed(answers: dict[str, str]) -> list[str]:
    response = post_json(Client(), f"{API}/{QYKB}/evaluate", {"answers": answers})
    assert response.status_code == 200, response.content.decode()
    return [m["identity"] for m in response.json()["materials"]["needed"]]


def application(answers: dict[str, str] | None = None,
                **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A valid payload and its files: each needed material once, as a real PDF."""
    answers = dict(ALL_YES if answers is None else answers)
    names = needed(answers)
    payload = {"answers": answers, "form": dict(COMPANY),
               "materials": [{"name": name, "kind": "upload", "file_field": f"f{i}"}
                             for i, name in enumerate(names)],
               # The members' one form (required: their items have forms of their own).
               "item_answers": item_answers_for(Bundle.objects.get(code=QYKB), answers)}
    payload.update(overrides)
    files = {f"f{i}": SimpleUploadedFile(f"scan{i}.pdf", pdf_bytes(), "application/pdf")
             for i in range(len(names))}
    return payload, files


def apply(client: Client, payload: dict[str, Any], files: dict[str, Any] | None = None,
          code: str = QYKB, **headers: str) -> Any:
    for upload in (files or {}).values():
        upload.seek(0)
    return client.post(f"{API}/{code}/applications",
                       {"payload": json.dumps(payload, ensure_ascii=False), **(files or {})},
                       headers=headers)


def move(client: Client, number: str, action: str, **body: Any) -> Any:
    return post_json(client, f"{API}/applications/{number}/moves/{action}", body)


def decide_over_cases_api(case_number: str, reviewer: User) -> None:
    """Walk a member case through its approval chain and grant it, through the cases API
    (consecutive steps by different people)."""
    case = Case.objects.get(number=case_number)
    chain = case.implementation.approval_chain or ["承办", "审核", "批准"]
    for step in range(len(chain) - 1):
        user = reviewer if step % 2 == 0 else _second(reviewer)
        response = post_json(client_of(user), f"/api/v1/cases/{case_number}/moves",
                             {"action": "review_pass"})
        assert response.status_code == 200, response.content.decode()
    last = _second(reviewer) if len(chain) % 2 == 0 else reviewer
    response = post_json(client_of(last), f"/api/v1/cases/{case_number}/moves",
                         {"action": "grant"})
    assert response.status_code == 200, response.content.decode()


@pytest.fixture
def stranger(db: Any) -> User:
    return consented(user_create(username="lisi-bundles", password="x-demo-2026-x",
                                 kind=UserKind.PERSON, display_name="李四"))


# --- guides and guided questions ----------------------------------------------------------------


def test_the_list_filters_and_paginates() -> None:
    anyone = Client()
    everything = anyone.get(API).json()
    assert everything["count"] == Bundle.objects.filter(version__gt=0).count()
    assert len(everything["items"]) == min(everything["count"], 100)
    body = anyone.get(API, {"q": QYKB}).json()  # by code
    assert [b["code"] for b in body["items"]] == [QYKB]
    qykb = body["items"][0]
    assert qykb["guide_url"] == f"/bundles/{QYKB}/"
    assert qykb["member_count"] == member_count() >= 6
    for query, found in [({"q": "企业开办"}, True), ({"audience": "person"}, False),
                         ({"audience": "enterprise", "hall_level": "city"}, True),
                         ({"theme": "企业开办"}, True), ({"theme": "出生"}, False)]:
        codes = [b["code"] for b in anyone.get(API, query).json()["items"]]
        assert (QYKB in codes) is found, query
    second = anyone.get(API, {"limit": 1, "offset": 1}).json()
    assert [b["code"] for b in second["items"]] == [everything["items"][1]["code"]]
    assert_error(anyone.get(API, {"limit": 0}), 422, "invalid_input")
    assert_error(anyone.get(API, {"audience": "alien"}), 422, "invalid_input")


def test_the_guide_shows_members_materials_steps_and_promise() -> None:
    guide = Client().get(f"{API}/{QYKB}").json()
    assert guide["name"] == "企业开办一件事"
    members = {m["department"]: m for m in guide["members"]}
    assert len(members) == member_count()
    registration = members["耒阳市市场监督管理局"]
    assert registration["stage"] == 1 and registration["depends_on"] == []
    assert registration["implementation_guide_url"].startswith("/guide/")
    seal = next(m for m in guide["members"] if m["when"] == {"need_seal": "yes"})
    assert seal["conditions"] == "是否需要刻制印章：是"
    assert seal["depends_on"] == [registration["item"]]
    assert seal["depends_on_names"] == [registration["item_name"]]
    assert Decimal(seal["promised_workdays"]) == Decimal("0.5")
    assert guide["stages"][0] == [registration["item"]]
    assert [q["key"] for q in guide["questions"]] == ["need_seal", "need_invoice",
                                                      "has_employees"]
    assert {"value": "yes", "label": "是"} in guide["questions"][0]["answers"]
    keys = [f["key"] for f in guide["form_fields"]]
    assert keys[:2] == ["applicant_name", "id_number"] and "company_name" in keys
    materials = guide["materials"]
    assert materials["before"] > materials["after"] > 0
    assert materials["after"] <= guide["materials_limit"] == 6
    shared = [n for n in materials["needed"] + materials["fetched"] if len(n["shared_by"]) > 1]
    assert shared, "at least one material is collected once for several departments"
    assert guide["steps"] <= guide["steps_limit"] == 3
    assert Decimal(guide["promised_workdays"]) == 1
    assert Decimal(guide["critical_path_workdays"]) <= 1
    assert guide["qr_url"] == f"/bundles/{QYKB}/qr.svg"
    assert guide["notice_pdf_url"] == f"/bundles/{QYKB}/notice.pdf"
    assert guide["applications_url"] == f"{API}/{QYKB}/applications"


def test_unknown_bundles_answer_404() -> None:
    anyone = Client()
    assert_error(anyone.get(f"{API}/NO-SUCH"), 404, "not_found")
    assert_error(post_json(anyone, f"{API}/NO-SUCH/evaluate", {"answers": {}}), 404)
    assert_error(anyone.get(f"{API}/NO-SUCH/versions"), 404)
    assert_error(client_of(User.objects.get(username="supervisor")).get(
        f"{API}/NO-SUCH/kpis"), 404)
    assert_error(anyone.get(f"{API}/bad%20code!"), 422, "invalid_input")


def test_evaluate_answers_without_applying() -> None:
    anyone = Client()
    url = f"{API}/{QYKB}/evaluate"
    partial = post_json(anyone, url, {"answers": {"need_seal": "no"}}).json()
    assert not partial["complete"]
    assert set(partial["errors"]) == {"need_invoice", "has_employees"}
    assert partial["errors"]["need_invoice"] == "请回答：是否申领发票"
    every = post_json(anyone, url, {"answers": ALL_YES}).json()
    assert every["complete"] and every["errors"] == {}
    assert len(every["members"]) == member_count()
    assert every["steps"] == 3 and Decimal(every["promised_workdays"]) == 1
    some = post_json(anyone, url, {"answers": SOME}).json()
    assert some["complete"]
    assert set(Department.objects.filter(pk__in=[m["department_id"] for m in some["members"]])
               .values_list("short_name", flat=True)) == {REGISTRATION, "市税务局",
                                                          "人民银行耒阳支行"}
    assert some["materials"]["before"] < every["materials"]["before"]
    wrong = post_json(anyone, url, {"answers": {**ALL_YES, "need_seal": "maybe",
                                                "colour": "red"}}).json()
    assert not wrong["complete"]
    assert "回答无效" in wrong["errors"]["need_seal"]
    assert "colour" in wrong["errors"]["__all__"]
    assert_error(post_json(anyone, url, {"answers": {"need_seal": "x" * 41}}), 422,
                 "invalid_input")
    assert_error(post_json(anyone, url, {"answers": [], "extra": 1}), 422, "invalid_input")


# --- the 企业开办 journey -------------------------------------------------------------------------


@time_machine.travel(MORNING, tick=False)
def test_the_qykb_journey_over_http(applicant: User, clerk: User, reviewers: Any,
                                    supervisor: User) -> None:
    citizen, window = client_of(applicant), client_of(clerk)
    payload, files = application(delivery_method="window")
    response = apply(citizen, payload, files, **{"Idempotency-Key": "qykb-1"})
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    number = body["number"]
    assert number.startswith("YJ430481")
    assert body["status"] == BundleCaseStatus.SUBMITTED
    assert body["bundle_code"] == QYKB and body["item_count"] == member_count()
    assert not body["masked"]
    assert body["applicant_id_number"] == COMPANY["id_number"]
    assert body["materials_before"] > body["materials_after"]
    assert len(body["members"]) == member_count()
    assert {m["state"] for m in body["members"]} == {MemberState.WAITING}
    assert all(m["case_number"] and m["department"] for m in body["members"])
    assert [e["action"] for e in body["events"]] == ["submit"]

    # The same key and body: the same bundle case (200); another body: 422.
    again = apply(citizen, payload, files, **{"Idempotency-Key": "qykb-1"})
    assert again.status_code == 200, again.content.decode()
    assert again.json()["number"] == number
    other, other_files = application(delivery_method="postal")
    assert_error(apply(citizen, other, other_files, **{"Idempotency-Key": "qykb-1"}), 422,
                 "bundle.idempotency_conflict")
    assert BundleCase.objects.filter(applicant=applicant).count() == 1

    # Each department sees its member case in the cases API at once.
    registration = next(m for m in body["members"] if m["department"].endswith("市场监督管理局"))
    reviewer = reviewers[REGISTRATION]
    assert client_of(reviewer).get(f"/api/v1/cases/{registration['case_number']}") \
        .status_code == 200

    # The 一件事 window accepts once for every member: registration starts, the rest wait.
    response = move(window, number, "accept")
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["status"] == BundleCaseStatus.IN_PROGRESS
    assert body["due_at"].startswith("2026-12-02")
    assert body["masked"]  # the clerk is not the applicant
    states = {m["item"]: m["state"] for m in body["members"]}
    assert states[registration["item"]] == MemberState.RUNNING
    assert sorted(set(states.values())) == [MemberState.RUNNING, MemberState.WAITING]
    assert [n["kind"] for n in body["notices"]] == ["acceptance"]

    # Members are decided through the cases API; the bundle moves on by itself.
    decide_over_cases_api(registration["case_number"], reviewer)
    body = citizen.get(f"{API}/applications/{number}").json()
    assert all(m["state"] == MemberState.RUNNING for m in body["members"]
               if m["item"] != registration["item"])
    for member in body["members"]:
        if member["item"] != registration["item"]:
            short = Department.objects.get(pk=member["department_id"]).short_name
            decide_over_cases_api(member["case_number"], reviewers[short])
    body = citizen.get(f"{API}/applications/{number}").json()
    assert body["status"] == BundleCaseStatus.FINISHED
    assert body["result"] == "all_granted"
    assert {m["decision"] for m in body["members"]} == {"granted"}
    assert {m["case_status"] for m in body["members"]} == {CaseStatus.CLOSED}

    # One delivery for every member's result, at the window.
    assert_error(move(citizen, number, "deliver"), 403, "bundle.forbidden")
    response = move(window, number, "deliver", delivery_method="window")
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["status"] == BundleCaseStatus.DELIVERED
    assert {m["case_status"] for m in body["members"]} == {CaseStatus.DELIVERED}
    assert [e["action"] for e in body["events"]] == ["submit", "accept", "finish", "deliver"]
    assert [n["kind"] for n in body["notices"]] == ["acceptance", "completion"]

    # The KPIs now have a finished case: the plan's limits pass.
    kpi = client_of(supervisor).get(f"{API}/{QYKB}/kpis").json()
    assert kpi["finished"] == 1 and kpi["in_time"] == 1
    assert {c["result"] for c in kpi["checks"]} == {"pass"}
    assert kpi["result"] == "pass"
    overall = client_of(supervisor).get(f"{API}/kpis").json()
    assert overall["overall"]["finished"] >= 1
    assert QYKB in [k["code"] for k in overall["items"]]

    # The applicant's list, the supervisor's view.
    mine = citizen.get(f"{API}/applications").json()
    assert [c["number"] for c in mine["items"]] == [number] and mine["count"] == 1
    assert client_of(supervisor).get(f"{API}/applications/{number}").json()["masked"]


@time_machine.travel(MORNING, tick=False)
def test_one_supplement_notice_over_http(applicant: User, clerk: User, reviewers: Any) -> None:
    citizen, window = client_of(applicant), client_of(clerk)
    payload, files = application(SOME)
    body = apply(citizen, payload, files).json()
    number = body["number"]
    tax = next(m for m in body["members"] if m["department"].endswith("税务局"))
    tax_reviewer = client_of(reviewers["市税务局"])
    url = f"{API}/member-cases/{tax['case_id']}/supplement-requests"
    response = post_json(tax_reviewer, url, {"items": [{"material": "发票专用章印模",
                                                         "reason": "印模不清晰"}]})
    assert response.status_code == 201, response.content.decode()
    assert response.json()["bundle_number"] == number
    assert response.json()["items"] == [{"material": "发票专用章印模", "reason": "印模不清晰"}]
    # Only the member's own department may do that; to others the member case is absent.
    assert_error(post_json(client_of(reviewers["市公安局"]), url,
                           {"items": [{"material": "x", "reason": "y"}]}), 404,
                 "bundle.member_not_found")
    assert_error(post_json(tax_reviewer, f"{API}/member-cases/99999999/supplement-requests",
                           {"items": [{"material": "x", "reason": "y"}]}), 404)
    assert_error(post_json(tax_reviewer, url, {"items": [{"material": "x"}]}), 422,
                 "bundle.supplement_items")
    # The window sees the departments' findings, the applicant does not (yet).
    assert window.get(f"{API}/applications/{number}").json()["department_requests"]
    assert citizen.get(f"{API}/applications/{number}").json()["department_requests"] == []

    response = move(window, number, "ask_supplement", supplement_items=[
        {"material": "公司章程", "reason": "缺少全体股东签字"}])
    assert response.status_code == 200, response.content.decode()
    body = citizen.get(f"{API}/applications/{number}").json()
    assert body["status"] == BundleCaseStatus.AWAITING_SUPPLEMENT
    assert [i["material"] for i in body["supplement_items"]] == ["公司章程", "发票专用章印模"]
    assert body["supplement_items"][1]["department"].endswith("税务局")
    # Asked once: the departments cannot add findings any more.
    assert_error(post_json(tax_reviewer, url, {"items": [{"material": "x", "reason": "y"}]}),
                 409, "bundle.supplement_closed")

    response = citizen.post(f"{API}/applications/{number}/moves/supplement", {
        "payload": json.dumps({"materials": [
            {"name": "公司章程", "kind": "upload", "file_field": "fix1"},
            {"name": "发票专用章印模", "kind": "upload", "file_field": "fix2"}]}),
        "fix1": SimpleUploadedFile("章程.pdf", pdf_bytes(), "application/pdf"),
        "fix2": SimpleUploadedFile("印模.pdf", pdf_bytes(), "application/pdf")})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["status"] == BundleCaseStatus.SUPPLEMENTED
    assert [m["supplement"] for m in body["materials"]].count(True) == 2
    assert move(window, number, "accept").json()["status"] == BundleCaseStatus.IN_PROGRESS
    assert [n["kind"] for n in body["notices"]] == ["supplement"]


@time_machine.travel(MORNING, tick=False)
def test_refusal_and_withdrawal(applicant: User, clerk: User) -> None:
    citizen, window = client_of(applicant), client_of(clerk)
    payload, files = application(SOME)
    first = apply(citizen, payload, files).json()["number"]
    assert_error(move(window, first, "refuse"), 422, "bundle.reason_required")
    body = move(window, first, "refuse", reason="经营范围涉及前置许可，不属于一件事").json()
    assert body["status"] == BundleCaseStatus.REFUSED
    assert {m["case_status"] for m in body["members"]} == {CaseStatus.REFUSED}
    assert_error(move(window, first, "accept"), 409, "bundle.move_not_allowed")

    second = apply(citizen, payload, files).json()["number"]
    assert_error(move(window, second, "withdraw"), 403, "bundle.forbidden")
    body = move(citizen, second, "withdraw", reason="信息填错").json()
    assert body["status"] == BundleCaseStatus.WITHDRAWN
    assert {m["state"] for m in body["members"]} == {MemberState.CANCELLED}


# --- errors, probes, masking ----------------------------------------------------------------------


@time_machine.travel(MORNING, tick=False)
def test_bad_applications_are_refused_whole(applicant: User) -> None:
    citizen = client_of(applicant)
    before = BundleCase.objects.count(), Case.objects.count()
    payload, files = application()
    assert_error(apply(citizen, {**payload, "answers": {"need_seal": "maybe"}}, files), 422,
                 "bundle.answers_invalid")
    body = assert_error(apply(citizen, {**payload, "form": {"applicant_name": "孙创业"}}, files),
                        422, "bundle.form_invalid")
    # Each bundle field the form asks; not the facts item_answers gives (企业名称 …).
    assert "address" in body["detail"] and "company_name" not in body["detail"]
    assert_error(apply(citizen, {**payload, "form": {**COMPANY, "phone": "12"}}, files), 422,
                 "bundle.form_invalid")
    assert_error(apply(citizen, {**payload, "materials": []}), 422,
                 "bundle.materials_missing")
    assert_error(apply(citizen, payload, files, code="NO-SUCH"), 404, "bundle.unknown")
    assert_error(apply(citizen, {**payload, "colour": "red"}, files), 422, "invalid_input")
    assert_error(apply(citizen, payload, {}), 422, "case.file_missing")
    assert_error(apply(citizen, {**payload, "channel": "window"}, files), 403)
    assert_error(citizen.post(f"{API}/{QYKB}/applications", {"payload": "{"}), 422,
                 "case.payload_json")
    assert_error(apply(citizen, payload, files, **{"Idempotency-Key": "坏"}), 422,
                 "case.idempotency_key")
    assert (BundleCase.objects.count(), Case.objects.count()) == before
    assert_error(apply(Client(), payload, files), 401, "unauthenticated")


@time_machine.travel(MORNING, tick=False)
def test_not_yours_answers_404_and_personal_data_is_masked(applicant: User, stranger: User,
                                                          clerk: User, reviewers: Any) -> None:
    payload, files = application(SOME)
    number = apply(client_of(applicant), payload, files).json()["number"]
    other = client_of(stranger)
    assert_error(other.get(f"{API}/applications/{number}"), 404, "not_found")
    assert_error(move(other, number, "withdraw"), 404, "not_found")
    assert_error(move(other, number, "fly"), 404, "not_found")
    assert other.get(f"{API}/applications").json() == {"items": [], "count": 0}
    assert_error(other.get(f"{API}/applications/YJ999"), 404, "not_found")
    assert_error(other.get(f"{API}/applications/not-a-number"), 422, "invalid_input")
    assert_error(Client().get(f"{API}/applications/{number}"), 401, "unauthenticated")
    # An unknown action on a visible case.
    assert_error(move(client_of(clerk), number, "fly"), 409, "bundle.unknown_action")
    assert_error(move(client_of(clerk), number, "finish"), 409, "bundle.unknown_action")

    for staff in (clerk, reviewers["市税务局"]):
        body = client_of(staff).get(f"{API}/applications/{number}").json()
        assert body["masked"]
        assert body["applicant_id_number"] == "430***********123X"
        assert body["applicant_phone"] == "138****0002"
        assert body["form"]["legal_rep_id_number"] == "430***********123X"
        assert body["form"]["id_number"] == "430***********123X"
        assert body["form"]["address"].endswith("****")
        assert body["form"]["company_name"] == COMPANY["company_name"]
    mine = client_of(applicant).get(f"{API}/applications/{number}").json()
    assert not mine["masked"]
    assert mine["form"]["legal_rep_id_number"] == COMPANY["legal_rep_id_number"]


def test_kpis_check_the_plan_limits_before_any_case(supervisor: User) -> None:
    # For supervisors and catalogue administrators, as the page (issue 8, finding 8).
    assert_error(Client().get(f"{API}/kpis"), 401, "unauthenticated")
    assert_error(client_of(User.objects.get(username="clerk")).get(f"{API}/kpis"), 403)
    body = client_of(supervisor).get(f"{API}/kpis").json()
    assert set(body["overall"]) >= {"bundles", "submitted", "finished", "in_time_share",
                                    "materials_saved_share"}
    qykb = next(k for k in body["items"] if k["code"] == QYKB)
    results = {c["label"]: c["result"] for c in qykb["checks"]}
    assert results["环节"] == "pass"
    assert results["申请材料（去重后）"] == "pass"
    assert results["办结时间（全部办件）"] == "none"  # no finished case: never a pass
    assert qykb["result"] == "none"
    assert body["count"] >= 1


# --- definitions ----------------------------------------------------------------------------------


def test_a_bad_definition_lists_every_problem(catalog_admin: User) -> None:
    admin = client_of(catalog_admin)
    definition = {**Bundle.objects.get(code=QYKB).definition, "lead_department": "无此部门"}
    members = [dict(m) for m in definition["members"]]
    members[0]["depends_on"] = [members[1]["item"]]  # a cycle with the seal member
    members.append({"item": "999999999999", "item_name": "不存在的事项"})
    definition["members"] = members
    definition["questions"] = [*definition["questions"], {
        "key": "useless", "text": "无去向的问题",
        "answers": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]}]
    body = assert_error(post_json(admin, f"{API}/drafts", {"code": "LY-BAD",
                                                            "definition": definition}),
                        422, "bundle.definition_invalid")
    for reason in ("牵头部门“无此部门”不存在", "不存在的事项", "循环依赖", "无去向的问题"):
        assert reason in body["detail"], body["detail"]
    body = assert_error(post_json(admin, f"{API}/drafts", {"code": "LY-BAD",
                                                           "definition": {"name": "x"}}),
                        422, "bundle.definition_invalid")
    assert "audience" in body["detail"] and "members" in body["detail"]
    assert_error(post_json(admin, f"{API}/drafts", {"code": "坏 编码", "definition": {}}), 422,
                 "invalid_input")


def test_drafts_are_published_by_a_second_administrator(catalog_admin: User,
                                                        catalog_admin2: User,
                                                        applicant: User) -> None:
    author, second = client_of(catalog_admin), client_of(catalog_admin2)
    definition = {**Bundle.objects.get(code=QYKB).definition,
                  "description": "营业执照、印章、发票、社保、公积金、银行开户一次办"}
    assert_error(post_json(client_of(applicant), f"{API}/drafts",
                           {"code": QYKB, "definition": definition}), 403, "bundle.forbidden")
    response = post_json(author, f"{API}/drafts", {"code": QYKB, "definition": definition})
    assert response.status_code == 201, response.content.decode()
    draft = response.json()
    assert (draft["state"], draft["bundle_code"]) == ("draft", QYKB)
    assert author.get(f"{API}/drafts", {"state": "draft"}).json()["count"] >= 1
    assert_error(client_of(applicant).get(f"{API}/drafts"), 403, "bundle.forbidden")
    base = f"{API}/drafts/{draft['id']}"
    assert post_json(author, f"{base}/submit").json()["state"] == "submitted"
    assert_error(post_json(author, f"{base}/submit"), 409, "bundle.draft_state")
    assert_error(post_json(author, f"{base}/approve", {"note": "自己审"}), 403,
                 "bundle.four_eyes")
    published = post_json(second, f"{base}/approve", {"note": "同意"}).json()
    assert published["state"] == "published" and published["published_version"] == 2
    guide = Client().get(f"{API}/{QYKB}").json()
    assert guide["version"] == 2 and guide["description"].startswith("营业执照")
    versions = Client().get(f"{API}/{QYKB}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1] and versions["count"] == 2
    assert versions["items"][0]["approved_by"] == str(catalog_admin2)

    # Sent back: only with a reason.
    draft = post_json(author, f"{API}/drafts", {"code": QYKB, "definition": {
        **definition, "description": "再改一次"}}).json()
    post_json(author, f"{API}/drafts/{draft['id']}/submit")
    assert_error(post_json(second, f"{API}/drafts/{draft['id']}/reject"), 422,
                 "bundle.reason_required")
    rejected = post_json(second, f"{API}/drafts/{draft['id']}/reject", {"note": "说明不规范"})
    assert rejected.json()["state"] == "rejected"
    assert_error(post_json(second, f"{API}/drafts/99999999/approve"), 404, "not_found")
    assert_error(post_json(Client(), f"{API}/drafts/{draft['id']}/approve"), 401)
