"""The joint review pages with Django's test client: the lead department schedules through
the form, a department records its opinion on the session page (plain POST and htmx), a bad
answer is explained next to its form, 缺席默认 shows on the session page, the result and the
supervision page, and who may open what."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from zhengwu.jointreviews import sweeps
from zhengwu.jointreviews.models import JointReview, Outcome, ReviewStatus
from zhengwu.jointreviews.tests.conftest import AFTER_DUE, DUE, SESSION

pytestmark = pytest.mark.django_db


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_lead_department_schedules_through_the_form(world, client_of, frozen):
    lead = client_of(world.lead_reviewer)
    form = lead.get(reverse("jointreviews:schedule"))
    assert form.status_code == 200
    page = text(form)
    assert "安排联合审查" in page and world.outsider.name in page  # same county: may be invited
    assert "<script" not in page.split("</head>")[1] and "style=" not in page
    posted = lead.post(reverse("jointreviews:schedule"), {
        "kind": "drawing_review", "title": "联审测试县第一中学教学楼",
        "lead_department": world.lead.pk,
        "required_departments": [world.nature.pk, world.fire.pk],
        "optional_departments": [world.civil.pk], "place": "住建局二楼会议室",
        "starts_at": "2026-03-03T09:30", "answer_workdays": "3", "answer_due_at": "",
        "case_number": "", "bundle_number": ""})
    review = JointReview.objects.get()
    assert posted.status_code == 302 and posted["Location"] == review.get_absolute_url()
    assert review.starts_at == SESSION and review.answer_due_at == DUE
    assert review.kind == "drawing_review"


def test_the_schedule_form_explains_what_is_wrong(world, client_of, frozen):
    lead = client_of(world.lead_reviewer)
    response = lead.post(reverse("jointreviews:schedule"), {
        "kind": "site_survey", "title": "项目", "lead_department": world.lead.pk,
        "required_departments": [world.nature.pk], "place": "现场",
        "starts_at": "2026-03-03T09:30", "answer_workdays": "",
        "answer_due_at": "2026-03-03T08:00"})
    assert response.status_code == 200
    assert "答复截止时间应晚于会议时间。" in text(response)
    missing = lead.post(reverse("jointreviews:schedule"), {
        "kind": "site_survey", "title": "项目", "lead_department": world.lead.pk,
        "place": "现场", "starts_at": "2026-03-03T09:30", "answer_workdays": "3"})
    assert "请至少选择一个必须参加的部门。" in text(missing)
    assert JointReview.objects.count() == 0
    # A department's staff cannot schedule for another department.
    other = client_of(world.nature_reviewer).post(reverse("jointreviews:schedule"), {
        "kind": "site_survey", "title": "项目", "lead_department": world.lead.pk,
        "required_departments": [world.fire.pk], "place": "现场",
        "starts_at": "2026-03-03T09:30", "answer_workdays": "3"})
    assert other.status_code == 200 and JointReview.objects.count() == 0
    assert client_of(world.supervisor).get(reverse("jointreviews:schedule")).status_code == 403


def test_a_department_records_its_opinion_on_the_session_page(world, schedule, client_of,
                                                              frozen):
    review = schedule()
    frozen.move_to(SESSION + dt.timedelta(minutes=5))
    fire = client_of(world.fire_chief)
    page = text(fire.get(review.get_absolute_url()))
    assert f"{world.fire.name}出具意见" in page and f"{world.nature.name}出具意见" not in page
    assert "待答复" in page
    answer_url = reverse("jointreviews:answer", args=[review.pk, world.fire.pk])

    refused = fire.post(answer_url, {"opinion": "conditional", "conditions": "",
                                     "attended": "yes"})
    assert refused.status_code == 200
    assert 'id="err-answer-' in refused.content.decode()
    assert "请填写同意的条件。" in text(refused)

    done = fire.post(answer_url, {"opinion": "conditional", "conditions": "完善疏散通道",
                                  "attended": "yes"})
    assert done.status_code == 302 and done["Location"] == review.get_absolute_url()
    page = text(fire.get(review.get_absolute_url()))
    assert "有条件同意" in page and "完善疏散通道" in page

    nature = client_of(world.nature_reviewer)
    swapped = nature.post(reverse("jointreviews:answer", args=[review.pk, world.nature.pk]),
                          {"opinion": "agree", "attended": "no"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert 'id="session"' in swapped.content.decode() and "<html" not in swapped.content.decode()


def test_absent_departments_are_shown_as_default_no_objection(world, schedule, client_of,
                                                               frozen):
    review = schedule()
    client_of(world.nature_reviewer).post(
        reverse("jointreviews:answer", args=[review.pk, world.nature.pk]),
        {"opinion": "disagree", "reasons": "用地性质不符"})
    frozen.move_to(AFTER_DUE)
    sweeps.run(AFTER_DUE)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED and review.outcome == Outcome.FAILED

    lead = client_of(world.lead_reviewer)
    page = text(lead.get(review.get_absolute_url()))
    assert page.count("缺席默认（视为无意见）") >= 3  # two rows and the legend
    assert "缺席默认 2 个" in page
    result = text(lead.get(reverse("jointreviews:result", args=[review.pk])))
    assert "审查结论" in result and "不通过" in result and "用地性质不符" in result
    assert result.count("缺席默认</span> 视为无意见") == 2
    assert review.result_number in result

    absences = text(client_of(world.supervisor).get(reverse("jointreviews:absences")))
    assert world.fire.name in absences and world.civil.name in absences
    assert "未到场且未答复" in absences
    mine = text(client_of(world.fire_chief).get(reverse("jointreviews:absences")))
    assert world.fire.name in mine and world.civil.name not in mine


def test_the_lead_closes_and_cancels_from_the_page(world, schedule, client_of, frozen):
    review = schedule()
    lead = client_of(world.lead_reviewer)
    early = lead.post(reverse("jointreviews:close", args=[review.pk]), {"text": ""})
    assert early.status_code == 200 and "前不能出具联合审查意见" in text(early)
    cancel = lead.post(reverse("jointreviews:cancel", args=[review.pk]),
                       {"text": "建设单位申请暂缓"})
    assert cancel.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    assert "本次联合审查已取消" in text(lead.get(reverse("jointreviews:result",
                                                          args=[review.pk])))


def test_who_may_open_the_pages(world, schedule, client_of):
    review = schedule(required_department_ids=[world.nature.pk])
    urls = [review.get_absolute_url(), reverse("jointreviews:result", args=[review.pk])]
    for url in urls:
        assert client_of(world.lead_reviewer).get(url).status_code == 200
        assert client_of(world.nature_reviewer).get(url).status_code == 200
        assert client_of(world.supervisor).get(url).status_code == 200
        assert client_of(world.outsider_reviewer).get(url).status_code == 404
        assert client_of(world.applicant).get(url).status_code == 403
        assert client_of(None).get(url).status_code == 302  # to the sign-in page
    outsider = client_of(world.outsider_reviewer)
    assert outsider.post(reverse("jointreviews:answer", args=[review.pk, world.outsider.pk]),
                         {"opinion": "agree"}).status_code == 404
    assert world.outsider.name not in text(outsider.get(reverse("jointreviews:list")))
    listing = text(client_of(world.nature_reviewer).get(reverse("jointreviews:list")))
    assert review.number in listing
    assert client_of(world.applicant).get(reverse("jointreviews:absences")).status_code == 403
    # An invited department posting for another: 404 for one not invited, 403 for one invited.
    fire = client_of(world.nature_reviewer).post(
        reverse("jointreviews:answer", args=[review.pk, world.fire.pk]), {"opinion": "agree"})
    assert fire.status_code == 404


@pytest.mark.parametrize("action", ["attend", "answer"])
def test_the_session_page_offers_what_the_engine_allows(world, schedule, client_of, frozen,
                                                        monkeypatch, action):
    """The page asks the engine's one predicate (ADR 0013), not conditions of its own: a
    guard the table gains hides the button with no change to the page."""
    import dataclasses

    from zhengwu.jointreviews import workflow
    from zhengwu.process.spec import Refusal
    from zhengwu.process.tests.pages import offered

    review = schedule()
    frozen.move_to(SESSION + dt.timedelta(minutes=5))
    fire = client_of(world.fire_chief)
    urls = {a: reverse(f"jointreviews:{a}", args=[review.pk, world.fire.pk])
            for a in ("attend", "answer")}
    _, forms = offered(fire, review.get_absolute_url())
    assert set(urls.values()) <= forms
    move = workflow.MOVES[action]
    closed = dataclasses.replace(move, guards=(*move.guards, lambda review, attempt: Refusal(
        "joint_review.test", "测试：暂不开放。")))
    monkeypatch.setitem(workflow.MOVES, action, closed)
    _, forms = offered(fire, review.get_absolute_url())
    assert urls[action] not in forms
    assert {url for a, url in urls.items() if a != action} <= forms
