"""The joint review API over HTTP: the whole journey, IDOR probes, and error shapes — every
refusal is a 4xx `{"code", "detail"}` in Chinese, never a 500 (quality.md #9, #10, #12)."""

import datetime as dt
import json

import pytest

from zhengwu.jointreviews.models import JointReview, ReviewStatus
from zhengwu.jointreviews.tests.conftest import AFTER_DUE, DUE, SESSION

pytestmark = pytest.mark.django_db

API = "/api/v1/joint-reviews"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def error_of(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == code, body
    assert body["detail"]
    return body["detail"]


@pytest.fixture
def body(world):
    return {"kind": "acceptance", "title": "联审测试县人民医院门诊楼",
            "lead_department_id": world.lead.pk,
            "required_department_ids": [world.nature.pk, world.fire.pk],
            "optional_department_ids": [world.civil.pk], "place": "门诊楼工地",
            "starts_at": SESSION.isoformat(), "answer_workdays": "3"}


def test_the_journey_over_http(world, body, client_of, frozen):
    lead = client_of(world.lead_reviewer)
    created = post(lead, API, body)
    assert created.status_code == 201, created.content
    review = created.json()
    assert review["kind_label"] == "联合验收" and review["status"] == "scheduled"
    # The end of the third working day after the session (JSON keeps milliseconds).
    assert DUE - dt.datetime.fromisoformat(review["answer_due_at"]) < dt.timedelta(
        milliseconds=1)
    assert review["progress"] == {"required": 2, "answered": 0, "defaulted": 0, "pending": 2}
    assert review["can_cancel"] is True and review["can_close"] is False
    url = f"{API}/{review['id']}"

    fire = client_of(world.fire_chief)
    listed = fire.get(API).json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == review["number"]
    assert fire.get(url).json()["my_departments"] == [world.fire.pk]

    frozen.move_to(SESSION)
    fire = client_of(world.fire_chief)  # staff sessions time out when idle: sign in again
    signed = post(fire, f"{url}/participants/{world.fire.pk}/attendance", {})
    assert signed.status_code == 200
    answered = post(fire, f"{url}/participants/{world.fire.pk}/opinion",
                    {"opinion": "conditional", "conditions": "补充消防检测报告"})
    assert answered.status_code == 200
    row = next(p for p in answered.json()["participants"] if p["department_id"] == world.fire.pk)
    assert (row["opinion_label"], row["attended"], row["conditions"]) == (
        "有条件同意", True, "补充消防检测报告")

    frozen.move_to(AFTER_DUE)
    lead = client_of(world.lead_reviewer)
    closed = post(lead, f"{url}/close", {"note": "自然资源局逾期未答复"})
    assert closed.status_code == 200
    result = closed.json()
    assert result["status"] == "concluded" and result["outcome_label"] == "有条件通过"
    assert result["result_number"].startswith("测联联审〔2026〕")
    assert result["progress"] == {"required": 2, "answered": 1, "defaulted": 1, "pending": 0}
    nature = next(p for p in result["participants"] if p["department_id"] == world.nature.pk)
    assert nature["defaulted"] is True and nature["state_label"] == "缺席默认（视为无意见）"
    civil = next(p for p in result["participants"] if p["department_id"] == world.civil.pk)
    assert civil["state_label"] == "未答复（列席部门）" and civil["defaulted"] is False

    events = lead.get(f"{url}/events").json()
    assert [e["action"] for e in events["items"]] == ["schedule", "attend", "answer", "default",
                                                      "conclude"]
    assert events["items"][3]["department"] == world.nature.name

    watcher = client_of(world.supervisor)
    absences = watcher.get(f"{API}/absences").json()
    assert absences["count"] == 1 and absences["items"][0]["department"] == world.nature.name
    assert absences["items"][0]["kind_label"] == "未到场且未答复"
    assert absences["by_department"] == [{"department_id": world.nature.pk,
                                          "department": world.nature.name, "count": 1}]


def test_a_department_not_invited_gets_404(world, body, client_of, frozen):
    created = post(client_of(world.lead_reviewer), API, body).json()
    outsider = client_of(world.outsider_reviewer)
    url = f"{API}/{created['id']}"
    error_of(outsider.get(url), 404, "not_found")
    error_of(outsider.get(f"{url}/events"), 404, "not_found")
    error_of(post(outsider, f"{url}/participants/{world.outsider.pk}/opinion",
                  {"opinion": "agree"}), 404, "not_found")
    error_of(post(outsider, f"{url}/close", {}), 404, "not_found")
    assert outsider.get(API).json() == {"items": [], "count": 0}
    # A session that does not exist looks the same.
    error_of(client_of(world.lead_reviewer).get(f"{API}/{created['id'] + 10_000}"), 404,
             "not_found")
    # An invited department posting for one that is not invited: 404 too.
    error_of(post(client_of(world.fire_chief),
                  f"{url}/participants/{world.outsider.pk}/opinion", {"opinion": "agree"}),
             404, "not_found")


def test_error_shapes(world, body, client_of, frozen):
    lead = client_of(world.lead_reviewer)
    error_of(post(client_of(None), API, body), 401, "unauthenticated")
    error_of(post(lead, API, {**body, "required_department_ids": []}), 422,
             "joint_review.no_required")
    error_of(post(lead, API, {**body, "lead_department_id": 987654321}), 422,
             "joint_review.lead_department")
    error_of(post(lead, API, {**body, "answer_workdays": None,
                              "answer_due_at": SESSION.isoformat()}), 422,
             "joint_review.deadline_before_session")
    error_of(post(client_of(world.nature_reviewer), API, body), 403, "joint_review.forbidden")
    for bad in ({**body, "kind": "party"}, {**body, "title": "x" * 201},
                {**body, "starts_at": "明天上午"}, {**body, "answer_workdays": "NaN"},
                {**body, "required_department_ids": [0]}, {**body, "unknown": 1},
                {**body, "required_department_ids": list(range(1, 60))},
                {**body, "starts_at": "9999-12-31T23:59:59+14:00"}):
        assert post(lead, API, bad).status_code == 422, bad
    bad_json = lead.post(API, data="{not json", content_type="application/json")
    assert bad_json.status_code in (400, 422) and set(bad_json.json()) == {"code", "detail"}
    error_of(lead.get(f"{API}/0"), 422, "invalid_input")
    error_of(lead.get(f"{API}?limit=1000"), 422, "invalid_input")
    assert JointReview.objects.count() == 0  # nothing half-written

    review = post(lead, API, body).json()
    url = f"{API}/{review['id']}"
    fire = client_of(world.fire_chief)
    opinion = f"{url}/participants/{world.fire.pk}/opinion"
    detail = error_of(post(fire, opinion, {"opinion": "disagree"}), 422, "joint_review.reasons")
    assert "不同意的理由" in detail
    error_of(post(fire, opinion, {"opinion": "no_objection"}), 422, "invalid_input")
    error_of(post(fire, f"{url}/participants/{world.fire.pk}/attendance", {}), 409,
             "joint_review.not_started")
    assert post(fire, opinion, {"opinion": "agree"}).status_code == 200
    error_of(post(fire, opinion, {"opinion": "agree"}), 409, "joint_review.already_answered")
    error_of(post(lead, f"{url}/close", {}), 409, "joint_review.awaiting_answers")
    error_of(post(lead, f"{url}/cancel", {"reason": ""}), 422, "joint_review.reason")
    error_of(post(fire, f"{url}/cancel", {"reason": "x"}), 403, "joint_review.forbidden")
    error_of(post(client_of(world.supervisor), opinion, {"opinion": "agree"}), 403,
             "joint_review.forbidden")
    assert post(lead, f"{url}/cancel", {"reason": "项目暂停"}).status_code == 200
    error_of(post(client_of(world.nature_reviewer),
                  f"{url}/participants/{world.nature.pk}/opinion", {"opinion": "agree"}),
             409, "joint_review.move_not_allowed")
    assert JointReview.objects.get().status == ReviewStatus.CANCELLED


def test_absences_are_for_supervisors_and_department_staff(world, client_of):
    error_of(client_of(world.applicant).get(f"{API}/absences"), 403, "forbidden")
    assert client_of(world.outsider_reviewer).get(f"{API}/absences").json()["count"] == 0
    error_of(client_of(world.supervisor).get(f"{API}/absences?since=soon"), 422,
             "invalid_input")
