"""The case API over HTTP (issue 3, items 9 and 11): the online journey, idempotent
submission, IDOR probes, masking and audited unmasking, bad input, the public progress query,
and the staff work lists (quality.md #2, #9, #10, #11, #12)."""

import datetime as dt
import json
import threading
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.services import role_groups_ensure, user_create
from zhengwu.accounts.tests.consented import consented
from zhengwu.cases import services
from zhengwu.cases.models import Case, CaseStatus
from zhengwu.cases.services import MoveIn, case_submit, case_transition
from zhengwu.cases.tests.conftest import (
    FORM,
    api_answers,
    by_commitment,
    pdf_bytes,
    png_bytes,
    uploads_for,
)
from zhengwu.catalog.models import ItemImplementation, ServiceItem
from zhengwu.core.codes import make_uscc
from zhengwu.core.errors import Conflict
from zhengwu.core.models import AuditEvent
from zhengwu.departments.models import Department
from zhengwu.licences.services import department_keys_ensure
from zhengwu.regions.models import Region
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"
MASKED_ID = "430***********123X"
MASKED_PHONE = "138****0001"


def at(y, m, d, hh=10):
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def required_names(impl: ItemImplementation) -> list[str]:
    return list(impl.materials.filter(source__in=("applicant", "commitment"), required=True)
                .order_by("position").values_list("name", flat=True))


def submission(impl: ItemImplementation,
               **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A valid payload and its files: each required material uploaded as a real PDF."""
    names = required_names(impl)
    payload = {"implementation_id": impl.pk, "form": dict(FORM), "channel": "online",
               "materials": [{"name": name, "kind": "upload", "file_field": f"file{i}"}
                             for i, name in enumerate(names)]}
    answers, answer_files = api_answers(impl)  # an item with its own form (issue 10)
    if answers is not None:
        payload["answers"] = answers
    payload.update(overrides)
    files = {f"file{i}": SimpleUploadedFile(f"scan{i}.pdf", pdf_bytes(), "application/pdf")
             for i in range(len(names))}
    return payload, {**files, **answer_files}


def post_case(client: Client, payload: dict[str, Any] | str, files: dict[str, Any] | None = None,
              **headers: str) -> Any:
    raw = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return client.post(API, {"payload": raw, **(files or {})}, headers=headers)


def move(client: Client, number: str, action: str, **body):
    return client.post(f"{API}/{number}/moves", {"action": action, **body},
                       content_type="application/json")


def assert_error(response: Any, status: int, code: str | None = None) -> Any:
    assert response.status_code == status, response.content.decode()[:500]
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


def grant(user: User, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(content_type__app_label="cases",
                                                     codename=codename))


# --- the online journey ---------------------------------------------------------------------


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_the_online_journey_over_http(food, applicant, clerk, reviewer, chief):
    citizen, window, back, head = (client_of(u) for u in (applicant, clerk, reviewer, chief))
    payload, files = submission(food)
    response = post_case(citizen, payload, files)
    assert response.status_code == 201, response.content.decode()
    case = response.json()
    number = case["number"]
    assert case["status"] == CaseStatus.SUBMITTED
    assert case["applicant_id_number"] == FORM["id_number"]  # the applicant sees their own
    assert not case["masked"]
    assert len(case["materials"]) == len(required_names(food))
    assert {m["content_type"] for m in case["materials"]} == {"application/pdf"}

    response = move(window, number, "ask_supplement", supplement_items=[
        {"material": "食品安全规章制度目录清单", "reason": "缺少进货查验制度"}])
    assert response.status_code == 200, response.content.decode()
    assert response.json()["status"] == CaseStatus.AWAITING_SUPPLEMENT
    mine = citizen.get(f"{API}/{number}").json()
    assert mine["supplement_items"] == [{"material": "食品安全规章制度目录清单",
                                         "reason": "缺少进货查验制度"}]

    response = citizen.post(f"{API}/{number}/supplement", {
        "payload": json.dumps({"materials": [{"name": "食品安全规章制度目录清单",
                                              "kind": "upload", "file_field": "fix"}]}),
        "fix": SimpleUploadedFile("制度.png", png_bytes(), "image/png")})
    assert response.status_code == 200, response.content.decode()
    assert response.json()["status"] == CaseStatus.SUPPLEMENTED
    assert [m["supplement"] for m in response.json()["materials"]].count(True) == 1

    for client, action in [(window, "accept"), (back, "review_pass"), (head, "review_pass"),
                           (back, "grant"), (window, "close")]:
        response = move(client, number, action)
        assert response.status_code == 200, (action, response.content.decode())
    response = move(window, number, "deliver", delivery_method="postal", tracking_number="SF1")
    assert response.status_code == 200, response.content.decode()
    final = response.json()
    assert (final["status"], final["decision"]) == (CaseStatus.DELIVERED, "granted")
    assert final["due_at"].startswith("2025-10-16")

    events = citizen.get(f"{API}/{number}/events").json()
    assert [e["action"] for e in events["items"]] == [
        "submit", "ask_supplement", "supplement", "accept", "review_pass", "review_pass",
        "grant", "close", "deliver"]
    assert events["count"] == 9
    notices = citizen.get(f"{API}/{number}/notices").json()
    assert [n["kind"] for n in notices["items"]] == ["supplement", "acceptance", "grant"]
    assert [c["number"] for c in citizen.get(f"{API}/mine").json()["items"]] == [number]

    pdf = citizen.get(notices["items"][-1]["pdf_url"])
    assert pdf.status_code == 200, pdf.content[:300]
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert pdf.content.startswith(b"%PDF")


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_reviewer_suspends_resumes_and_extends_once(food, submit, clerk, reviewer):
    case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    back = client_of(reviewer)
    response = move(back, case.number, "suspend", procedure_kind="expert_review",
                    reason="专家评审")
    assert response.json()["status"] == CaseStatus.SUSPENDED
    assert move(back, case.number, "resume", reason="评审结束").json()["status"] == \
        CaseStatus.ACCEPTED
    extended = move(back, case.number, "extend", reason="情况复杂", approver="局长 李某",
                    extra_workdays=5)
    assert extended.status_code == 200, extended.content.decode()
    assert extended.json()["due_at"] > response.json()["due_at"]
    assert_error(move(back, case.number, "extend", reason="再延", approver="局长",
                      extra_workdays=1), 409, "case.second_extension")


def test_a_move_the_state_does_not_allow_is_409(food, submit, clerk, applicant):
    case = submit(food)
    assert_error(move(client_of(clerk), case.number, "close"), 409, "case.move_not_allowed")
    # Seen but not theirs to make: the applicant cannot accept their own application.
    assert_error(move(client_of(applicant), case.number, "accept"), 403, "case.forbidden")
    withdrawn = move(client_of(applicant), case.number, "withdraw", reason="不办了")
    assert withdrawn.json()["status"] == CaseStatus.WITHDRAWN


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_post_verification_of_a_commitment(submit, clerk, staff_of, food):
    impl = ItemImplementation.objects.get(item__name="公共场所卫生许可", level=4)
    case = submit(impl, materials=by_commitment(impl))
    for action in ("accept", "grant"):
        case = case_transition(case_id=case.pk, user=clerk, move=MoveIn(action))
    inspector = client_of(staff_of("市卫健局"))
    url = f"{API}/{case.number}/verification"
    assert_error(inspector.post(url, {"truthful": True, "finding": ""},
                                content_type="application/json"), 422)
    response = inspector.post(url, {"truthful": True, "finding": "现场核查属实"},
                              content_type="application/json")
    assert response.status_code == 200, response.content.decode()
    assert_error(inspector.post(url, {"truthful": False, "finding": "再查"},
                                content_type="application/json"), 409, "verification.move_not_allowed")
    other = submit(food)
    assert_error(client_of(staff_of("市市场监督管理局", username="r2")).post(
        f"{API}/{other.number}/verification", {"truthful": True, "finding": "x"},
        content_type="application/json"), 409, "case.no_verification")


# --- Idempotency-Key (quality.md #2) --------------------------------------------------------


def test_same_idempotency_key_answers_the_same_case(food, applicant):
    citizen = client_of(applicant)
    first = post_case(citizen, *submission(food), **{"Idempotency-Key": "key-1"})
    again = post_case(citizen, *submission(food), **{"Idempotency-Key": "key-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    payload, files = submission(food)
    payload["form"]["address"] = "耒阳市别处"
    assert_error(post_case(citizen, payload, files, **{"Idempotency-Key": "key-1"}), 422,
                 "case.idempotency_conflict")
    assert_error(post_case(citizen, *submission(food), **{"Idempotency-Key": "k" * 81}), 422,
                 "case.idempotency_key")
    assert Case.objects.count() == 1


class LateCase:
    """`Case` as services.case_submit sees it when a concurrent request with the same key
    commits between this request's lookup and its insert: the first lookup misses."""

    def __init__(self) -> None:
        self.missed = False

    def __call__(self, *args, **kwargs):
        return Case(*args, **kwargs)

    @property
    def objects(self):
        return self

    def filter(self, **kwargs):
        rows = Case.objects.filter(**kwargs)
        if "idempotency_key" in kwargs and not self.missed:
            self.missed = True
            return rows.none()
        return rows


def test_a_lost_idempotency_race_answers_the_winners_case(food, applicant, monkeypatch):
    def kwargs():
        return {"implementation_id": food.pk, "submitted_by": applicant,
                "form_data": dict(FORM), "materials": uploads_for(food),
                "idempotency_key": "race", "answers": api_answers(food)[0]}

    winner = case_submit(**kwargs()).case
    monkeypatch.setattr(services, "Case", LateCase())
    with pytest.raises(Conflict) as raised:  # the unique constraint holds
        case_submit(**kwargs())
    assert raised.value.code == "case.idempotency_race"
    monkeypatch.setattr(services, "Case", LateCase())
    response = post_case(client_of(applicant), *submission(food), **{"Idempotency-Key": "race"})
    assert response.status_code == 200, response.content.decode()  # the API asks again
    assert response.json()["number"] == winner.number
    assert Case.objects.count() == 1


# --- IDOR (quality.md #10) ------------------------------------------------------------------


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_not_yours_and_absent_look_the_same(food, submit, clerk, staff_of):
    case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    notice = case.notices.get()
    absent = "43048120250926999999"
    probes = [
        ("get", "{n}", None), ("get", "{n}/events", None), ("get", "{n}/notices", None),
        ("get", "{n}/notices/" + str(notice.pk) + ".pdf", None),
        ("post", "{n}/moves", {"action": "withdraw"}),
        ("post", "{n}/moves", {"action": "review_pass"}),
        ("post", "{n}/unmask", {"reason": "核对"}),
        ("post", "{n}/verification", {"truthful": True, "finding": "x"}),
    ]
    strangers = [client_of(User.objects.get(username="canyin")),
                 client_of(staff_of("市教育局"))]
    for stranger in strangers:
        for method, path, body in probes:
            call = getattr(stranger, method)
            kwargs = {"content_type": "application/json", "data": body} if body else {}
            mine = call(f"{API}/{path.format(n=case.number)}", **kwargs)
            gone = call(f"{API}/{path.format(n=absent)}", **kwargs)
            assert mine.status_code == gone.status_code == 404, (path, mine.content)
            assert mine.json() == gone.json() == {"code": "not_found",
                                                 "detail": mine.json()["detail"]}
        assert stranger.get(f"{API}").json()["count"] == 0
    # A notice of another case through a case one may see is absent too.
    other = submit(food)
    assert_error(client_of(case.applicant).get(
        f"{API}/{other.number}/notices/{notice.pk}.pdf"), 404)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


# --- masking and unmasking (quality.md #8, #11) ---------------------------------------------


def test_staff_see_masked_data_and_unmasking_is_audited(food, submit, clerk, applicant):
    case = submit(food)
    window = client_of(clerk)
    shown = window.get(f"{API}/{case.number}")
    assert shown.json()["applicant_id_number"] == MASKED_ID
    assert shown.json()["applicant_phone"] == MASKED_PHONE
    assert shown.json()["masked"]
    for path in ("", f"/{case.number}", f"/{case.number}/events", "/queue"):
        text = window.get(f"{API}{path}").content.decode()
        assert FORM["id_number"] not in text and FORM["phone"] not in text, path

    url = f"{API}/{case.number}/unmask"
    # Reviewers work on the file, not the person: no unmasking (window clerks check identity).
    reviewer = User.objects.get(username="reviewer")
    assert_error(client_of(reviewer).post(url, {"reason": "核对身份"},
                                          content_type="application/json"),
                 403, "case.unmask_forbidden")
    assert not AuditEvent.objects.filter(action__contains="unmask").exists()
    assert clerk.has_perm("cases.unmask_personal_data")  # the window clerk's role carries it
    assert_error(window.post(url, {"reason": ""}, content_type="application/json"), 422)
    response = window.post(url, {"reason": "核对身份"}, content_type="application/json")
    assert response.status_code == 200, response.content.decode()
    assert (response.json()["applicant_id_number"], response.json()["applicant_phone"]) == (
        FORM["id_number"], FORM["phone"])
    audit = AuditEvent.objects.get(action__contains="unmask")
    assert (audit.actor_id, audit.object_id, audit.reason) == (clerk.pk, str(case.pk), "核对身份")
    assert FORM["id_number"] not in json.dumps(audit.after, ensure_ascii=False)
    # The permission lets one unmask on purpose, not see everything whole by default.
    assert window.get(f"{API}/{case.number}").json()["applicant_id_number"] == MASKED_ID

    own = client_of(applicant).get(f"{API}/{case.number}").json()
    assert (own["applicant_id_number"], own["applicant_phone"], own["masked"]) == (
        FORM["id_number"], FORM["phone"], False)


# --- bad input is a 4xx with {code, detail} -------------------------------------------------


def _bad_submissions(impl: ItemImplementation) -> list[tuple[str, Any, dict[str, Any], int, str]]:
    payload, files = submission(impl)
    exe = {"file0": SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\0" * 64,
                                       "application/octet-stream")}
    many = {f"f{i}": SimpleUploadedFile(f"{i}.pdf", pdf_bytes(), "application/pdf")
            for i in range(51)}
    many_specs = [{"name": f"材料{i}", "kind": "upload", "file_field": f"f{i}"}
                  for i in range(51)]
    return [
        ("bad json", "{not json", files, 422, "case.payload_json"),
        ("json list", "[1, 2]", files, 422, "case.payload_json"),
        ("no payload", "", files, 422, "case.payload_missing"),
        ("unknown implementation", {**payload, "implementation_id": 987654321}, files, 404,
         "case.unknown_item"),
        ("huge implementation id", {**payload, "implementation_id": 2**70}, files, 422,
         "invalid_input"),
        ("unknown form field", {**payload, "form": {**FORM, "salary": "1"}}, files, 422,
         "invalid_input"),
        ("bad id number", {**payload, "form": {**FORM, "id_number": "110105194912310021"}},
         files, 422, "case.form_invalid"),
        ("bad channel", {**payload, "channel": "fax"}, files, 422, "invalid_input"),
        ("window channel by an applicant", {**payload, "channel": "window"}, files, 403,
         "case.filing_forbidden"),
        ("filing for someone else", {**payload, "applicant_id": 1}, files, 403,
         "case.filing_forbidden"),
        ("absent accepting region", {**payload, "accepting_region": "999999999999"}, files, 422,
         "case.accepting_region"),
        ("missing file part", payload, {}, 422, "case.file_missing"),
        ("upload without a file", {**payload, "materials": [{"name": "x", "kind": "upload"}]},
         {}, 422, "case.file_required"),
        ("unreferenced file", {**payload, "materials": []}, files, 422,
         "case.file_unreferenced"),
        ("exe upload", payload, {**files, **exe}, 422, "case.upload_type"),
        ("too many files", {**payload, "materials": many_specs}, many, 413,
         "case.too_many_files"),
        ("too many material entries", {**payload, "materials": many_specs}, {}, 422,
         "invalid_input"),
    ]


def test_bad_submissions_answer_4xx_with_code_and_detail(food, applicant):
    citizen = client_of(applicant)
    for label, payload, files, status, code in _bad_submissions(food):
        body = assert_error(post_case(citizen, payload, files), status, code)
        assert body, label
    assert_error(client_of(None).post(API, {"payload": "{}"}), 401, "unauthenticated")
    assert Case.objects.count() == 0


def test_oversized_and_overfull_requests_are_refused_before_use(food, applicant):
    citizen = client_of(applicant)
    payload, files = submission(food)
    too_big = citizen.post(API, {"payload": json.dumps(payload), **files},
                           CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert_error(too_big, 413, "case.request_too_large")
    # More parts than Django parses at all (DATA_UPLOAD_MAX_NUMBER_FILES): JSON, not HTML.
    flood = {f"f{i}": SimpleUploadedFile(f"{i}.pdf", b"%PDF-", "application/pdf")
             for i in range(101)}
    assert_error(citizen.post(API, {"payload": json.dumps(payload), **flood}), 413,
                 "case.too_many_parts")
    assert Case.objects.count() == 0


def test_bad_moves_and_paths_answer_4xx(food, submit, clerk, supervisor):
    case = submit(food)
    window = client_of(clerk)
    for body, code in [
        ({"action": "fly"}, "invalid_input"),
        ({"action": "deem_approved"}, "invalid_input"),
        ({"action": "refuse", "reason": "x" * 2001}, "invalid_input"),
        ({"action": "extend", "extra_workdays": -1}, "invalid_input"),
        ({"action": "accept", "extra": 1}, "invalid_input"),
        ({"action": "ask_supplement", "supplement_items": [{"material": ""}]}, "invalid_input"),
        ({"action": "ask_supplement"}, "case.supplement_items"),
        ({"action": "refuse"}, "case.reason_required"),
    ]:
        assert_error(window.post(f"{API}/{case.number}/moves", body,
                                 content_type="application/json"), 422, code)
    assert_error(window.post(f"{API}/{case.number}/moves", "{oops",
                             content_type="application/json"), 400, "bad_request")
    for path in ["abc", "1" * 33, f"{case.number}/notices/0.pdf",
                 f"{case.number}/notices/{2**64}.pdf", f"{case.number}/notices/x.pdf"]:
        assert_error(window.get(f"{API}/{path}"), 422)
    for query in ["status=nope", "limit=0", "limit=101", "offset=-1", "department=0",
                  "q=" + "长" * 51, "card=green"]:
        assert_error(window.get(f"{API}?{query}"), 422)
    grant(supervisor, "view_all_cases")
    for query in ["since=2025-13-01", "since=yesterday", "department=-3"]:
        assert_error(client_of(supervisor).get(f"{API}/monitoring?{query}"), 422)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


# --- the public progress query --------------------------------------------------------------


@time_machine.travel(at(2025, 9, 26), tick=False)
def test_progress_by_number_and_id_without_login(food, submit, clerk):
    case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    anonymous = client_of(None)

    def ask(number, id_number):
        return anonymous.post(f"{API}/progress", {"number": number, "id_number": id_number},
                              content_type="application/json")

    response = ask(case.number, FORM["id_number"].lower())
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["applicant_id_number"], body["applicant_name"]) == (MASKED_ID, "张*")
    assert body["status"] == CaseStatus.ACCEPTED
    assert [s["action"] for s in body["steps"]] == ["submit", "accept"]
    assert clerk.display_name not in response.content.decode()
    assert FORM["phone"] not in response.content.decode()
    wrong_id = ask(case.number, "11010519491231001X")
    wrong_number = ask("43048120250926999999", FORM["id_number"])
    assert_error(wrong_id, 404)
    assert wrong_id.json() == wrong_number.json()
    assert_error(ask("abc", "x"), 422)
    # The rate limit and its atomicity: zhengwu/cases/tests/test_progress.py.


# --- work lists and monitoring --------------------------------------------------------------


def test_window_queue_and_reviewer_todo_by_remaining_time(food, submit, clerk, reviewer,
                                                          applicant):
    with time_machine.travel(at(2025, 9, 26), tick=False):
        first = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
        waiting = submit(food)
    with time_machine.travel(at(2025, 9, 29), tick=False):
        second = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
        queue = client_of(clerk).get(f"{API}/queue").json()
        todo = client_of(reviewer).get(f"{API}/todo").json()
    assert [c["number"] for c in queue["items"]] == [waiting.number]
    assert [c["number"] for c in todo["items"]] == [first.number, second.number]
    # Due Thu 10/16; after Mon 9/29: 9/30, 10/9, 10/10, 10/11 (调休), 10/13–10/16.
    assert todo["items"][0]["remaining_workdays"] == 8
    assert todo["items"][1]["remaining_workdays"] > 8
    assert_error(client_of(applicant).get(f"{API}/queue"), 403)
    assert_error(client_of(applicant).get(f"{API}/todo"), 403)
    assert_error(client_of(clerk).get(f"{API}/todo"), 403)
    page = client_of(clerk).get(f"{API}?limit=1&offset=1&status=accepted").json()
    assert page["count"] == 2 and len(page["items"]) == 1


def test_monitoring_needs_the_supervision_permission(food, submit, supervisor, clerk):
    submit(food)
    assert_error(client_of(clerk).get(f"{API}/monitoring"), 403, "forbidden")
    assert supervisor.has_perm("cases.view_all_cases")  # the supervisor role carries it
    response = client_of(supervisor).get(f"{API}/monitoring?since=2025-01-01")
    assert response.status_code == 200, response.content.decode()
    assert set(response.json()) >= {"open_cases", "yellow", "red", "by_department", "weekly"}
    assert response.json()["open_cases"] == 0  # submitted, not yet accepted
    assert client_of(supervisor).get(API).json()["count"] == 1


# --- 20 concurrent submissions with one key (quality.md #2), committing for real -------------
# pytest-django runs transactional tests after all the others, and their flush removes the
# session's pack, so this test builds its own small world (as test_concurrency.py does).


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submissions_with_one_key_make_one_case() -> None:
    role_groups_ensure()
    county, _ = Region.objects.get_or_create(code="430481000000", defaults={
        "name": "耒阳市", "level": "county", "prefix": "430481"})
    department = Department.objects.create(
        name="耒阳市幂等测试局", short_name="幂等测试局",
        uscc=make_uscc("1", "1", "430481", "MB4890T2"), region=county)
    department_keys_ensure([department])  # its notices are signed (issue 11 item 9)
    item = ServiceItem.objects.create(basic_code="430199999001", name="幂等测试许可",
                                      item_type="01", audience=["1"], legal_basis="《测试条例》")
    impl = ItemImplementation.objects.create(
        item=item, code=department.uscc + "4" + item.basic_code, department=department,
        region=county, level=4, status="published", version=1,
        promised_limit_workdays=Decimal(1), legal_limit_workdays=Decimal(20), online_depth=4,
        trips=0, approval_chain=["批准"])
    # Not zhangsan's number: the pack may still be there, and one number is one account.
    form = {**FORM, "id_number": "430481198808081031"}
    person = consented(user_create(username="idem", password="x-demo-2026-x",
                                   kind=UserKind.PERSON, phone="13900000002",
                                   display_name=form["applicant_name"],
                                   citizen_id=form["id_number"]))
    payload = json.dumps({"implementation_id": impl.pk, "form": form, "materials": []})
    clients = [client_of(person) for _ in range(20)]
    barrier = threading.Barrier(len(clients))
    answers: list[Any] = []

    def submit(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(API, {"payload": payload},
                                   headers={"Idempotency-Key": "twenty"})
            answers.append((response.status_code, response.json().get("number")))
        except Exception as error:  # reported by the assertion below
            answers.append((error, None))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(str(status) for status, _ in answers)
    assert statuses == ["200"] * 19 + ["201"], answers
    assert len({number for _, number in answers}) == 1
    assert Case.objects.filter(submitted_by=person).count() == 1
