"""帮代办 and 创业管家 (issue 12 §4, docs/assistance.md).

- a 帮代办员 files for an enterprise only through an authorization that is confirmed, valid
  today and covers the item — the project's, recorded in accounts.mandates — and the case then
  says 经授权代为申请 and names the agent;
- the enterprise and the manager see the project's progress (items, cases, deadlines, whom
  each waits on);
- a 创业管家 reads the enterprise's cases (each read logged) and writes to it only while
  the assignment lasts; assignment and end are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from zhengwu.accounts import mandates
from zhengwu.accounts.models import IdentityBasis, User
from zhengwu.assistance import selectors, services
from zhengwu.assistance.models import ButlerMessage, ProjectStatus
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.cases.models import Case, CaseAccess
from zhengwu.core import clock
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CANYIN_FORM = {"applicant_name": "耒阳某某餐饮有限公司", "id_number": "91430481MA4L00003J",
               "phone": "13800000002", "address": "耒阳市蔡子池街道"}


@pytest.fixture
def canyin(db: Any) -> User:
    return User.objects.get(username="canyin")


@pytest.fixture
def hallmgr(db: Any) -> User:
    return User.objects.get(username="hallmgr")


@pytest.fixture
def proxy(db: Any) -> User:
    return User.objects.get(username="proxy")


@pytest.fixture
def project(hallmgr, proxy, canyin, food):
    return services.project_create(
        manager=hallmgr, uscc=canyin.uscc, name="餐饮扩建项目代办", agent_id=proxy.pk,
        item_codes=[food.item.basic_code], ends_on=clock.today() + dt.timedelta(days=90))


def _file(submit, food, proxy, canyin, **extra):
    return submit(food, submitted_by=proxy, applicant=canyin, form_data=dict(CANYIN_FORM),
                  channel="proxy", **extra)


# --- the authorization rule ------------------------------------------------------------------


def test_a_proxy_agent_cannot_file_for_an_enterprise_without_its_authorization(
        proxy, canyin, food, submit):
    # Before this issue a 帮代办员 filed for anyone "in person"; for an enterprise that is no
    # longer enough.
    with pytest.raises(NotAllowed) as refused:
        _file(submit, food, proxy, canyin)
    assert refused.value.code == "authorization.missing"


def test_the_project_authorization_waits_for_the_enterprise(project, proxy, canyin, food,
                                                            submit):
    with pytest.raises(NotAllowed) as refused:
        _file(submit, food, proxy, canyin)
    assert refused.value.code == "authorization.unconfirmed"
    # The enterprise confirms on its 授权管理 page (the existing confirm).
    mandates.authorization_confirm(user=canyin, authorization_id=project.authorization_id)
    case = _file(submit, food, proxy, canyin)
    assert (case.applicant, case.submitted_by) == (canyin, proxy)
    assert case.identity_basis == IdentityBasis.AUTHORIZATION
    assert case.get_identity_basis_display() == "经授权代为申请"
    assert case.authorization_id == project.authorization_id
    event = AuditEvent.objects.filter(action="cases.submit", object_id=str(case.pk)).get()
    assert event.actor_id == proxy.pk and "代耒阳某某餐饮有限公司" in event.actor_label
    # The agent follows the case as the applicant's side.
    from zhengwu.cases.access import case_queryset_for

    assert case_queryset_for(proxy).filter(pk=case.pk).exists()


def test_outside_the_scope_or_the_dates_the_agent_is_refused(project, proxy, canyin, food,
                                                             submit):
    from zhengwu.catalog.models import ItemImplementation

    mandates.authorization_confirm(user=canyin, authorization_id=project.authorization_id)
    other = ItemImplementation.objects.filter(status="published", online_depth__gte=2).exclude(
        item=food.item).exclude(item__basic_code__in=project.authorization.item_codes).first()
    assert other is not None
    with pytest.raises(NotAllowed) as refused:
        _file(submit, other, proxy, canyin, answers=None) if False else submit(
            other, submitted_by=proxy, applicant=canyin, form_data=dict(CANYIN_FORM),
            channel="proxy")
    assert refused.value.code == "authorization.out_of_scope"
    with time_machine.travel(clock.now() + dt.timedelta(days=120)), pytest.raises(
            NotAllowed) as refused:
        _file(submit, food, proxy, canyin)
    assert refused.value.code == "authorization.expired"
    mandates.authorization_revoke(user=canyin, authorization_id=project.authorization_id)
    with pytest.raises(NotAllowed) as refused:
        _file(submit, food, proxy, canyin)
    assert refused.value.code == "authorization.missing"


def test_only_the_hall_manager_opens_projects_and_only_with_roster_agents(
        hallmgr, proxy, canyin, food, clerk):
    ends = clock.today() + dt.timedelta(days=30)
    with pytest.raises(NotAllowed):
        services.project_create(manager=clerk, uscc=canyin.uscc, name="x", agent_id=proxy.pk,
                                item_codes=[food.item.basic_code], ends_on=ends)
    with pytest.raises(InvalidInput) as refused:
        services.project_create(manager=hallmgr, uscc=canyin.uscc, name="x", agent_id=clerk.pk,
                                item_codes=[food.item.basic_code], ends_on=ends)
    assert refused.value.code == "assistance.agent"
    with pytest.raises(InvalidInput) as refused:
        services.project_create(manager=hallmgr, uscc=canyin.uscc, name="x", agent_id=proxy.pk,
                                item_codes=["ZZZZ9999"], ends_on=ends)
    assert refused.value.code == "assistance.items"
    services.roster_add(manager=hallmgr, username="clerk")
    assert clerk in selectors.roster(hallmgr)
    assert AuditEvent.objects.filter(action="accounts.role_assign",
                                     object_id=str(clerk.pk)).exists()


# --- progress --------------------------------------------------------------------------------


def test_the_enterprise_and_the_manager_see_the_progress(project, proxy, canyin, hallmgr, food,
                                                         submit, client_for):
    rows = selectors.progress(project)
    assert [(r.basic_code, r.waiting_on) for r in rows] == [(food.item.basic_code,
                                                             "企业确认授权")]
    # The enterprise confirms on its own 授权管理 page, linked from the project's.
    enterprise = client_for(canyin)
    page = enterprise.get(reverse("assistance:project", args=[project.pk])).content.decode()
    assert "待委托人确认" in page and reverse("accounts:authorizations") in page
    assert "刘帮办" in enterprise.get(reverse("accounts:authorizations")).content.decode()
    assert enterprise.post(reverse("accounts:authorization_confirm",
                                   args=[project.authorization_id])).status_code == 302
    project.refresh_from_db()
    assert selectors.progress(project)[0].waiting_on == "代办员申报"
    case = _file(submit, food, proxy, canyin)
    row = selectors.progress(project)[0]
    assert (row.case_number, row.status_label, row.waiting_on) == (case.number, "待受理",
                                                                    "部门受理")
    url = reverse("assistance:project", args=[project.pk])
    for user in (canyin, hallmgr, proxy):
        page = client_for(user).get(url).content.decode()
        assert case.number in page and "部门受理" in page and "免费" in page, user
    # In the enterprise's space.
    space = client_for(canyin).get(reverse("portal:my_space")).content.decode()
    assert "帮代办项目" in space and "餐饮扩建项目代办" in space
    # Nobody else sees it.
    assert client_for(User.objects.get(username="zhangsan")).get(url).status_code == 404
    assert client_for(User.objects.get(username="clerk")).get(url).status_code == 404


def test_closing_a_project_is_audited(project, hallmgr, proxy):
    with pytest.raises(NotAllowed):  # the agent sees it, but does not close it
        services.project_close(manager=proxy, project_id=project.pk)
    with pytest.raises(InvalidInput) as refused:  # absent to whoever may not see it
        services.project_close(manager=User.objects.get(username="reviewer"),
                               project_id=project.pk)
    assert refused.value.http_status == 404
    services.project_close(manager=hallmgr, project_id=project.pk, reason="已全部办结")
    project.refresh_from_db()
    assert project.status == ProjectStatus.CLOSED
    assert AuditEvent.objects.filter(action="assistance.project_close",
                                     object_id=str(project.pk)).exists()


# --- 创业管家 --------------------------------------------------------------------------------


def _registered(enterprise: User, submit, food) -> Case:
    """The enterprise as a 设立登记 granted on the platform leaves it: a case carrying its code
    (cases.registration sets it in the grant's transaction)."""
    case: Case = submit(food)
    Case.objects.filter(pk=case.pk).update(registered_uscc=enterprise.uscc)
    return case


def test_a_butler_only_for_an_enterprise_registered_here(hallmgr, canyin, submit, food):
    with pytest.raises(InvalidInput) as refused:
        services.butler_assign(manager=hallmgr, uscc=canyin.uscc, username="clerk")
    assert refused.value.code == "assistance.not_registered"


def test_the_butler_reads_and_writes_only_while_assigned(hallmgr, canyin, clerk, submit, food,
                                                         client_for):
    _registered(canyin, submit, food)
    own = submit(food, submitted_by=canyin, form_data=dict(CANYIN_FORM))
    butler = services.butler_assign(manager=hallmgr, uscc=canyin.uscc, username="clerk")
    assert AuditEvent.objects.filter(action="assistance.butler_assign",
                                     object_id=str(butler.pk)).exists()
    with pytest.raises(InvalidInput) as refused:
        services.butler_assign(manager=hallmgr, uscc=canyin.uscc, username="reviewer")
    assert refused.value.code == "assistance.butler_present"
    enterprise_cases = list(Case.objects.filter(applicant=canyin))
    assert own in enterprise_cases
    cases = services.butler_cases(user=clerk, butler_id=butler.pk)
    assert set(cases) == set(enterprise_cases)
    # Each read logged, as the enterprise's access log shows it.
    logged = CaseAccess.objects.filter(user=clerk, purpose=services.BUTLER_PURPOSE)
    assert sorted(logged.values_list("case_id", flat=True)) == sorted(
        c.pk for c in enterprise_cases)
    # The page and the thread, both ways.
    url = reverse("assistance:butler", args=[butler.pk])
    client = client_for(clerk)
    assert client.post(url, {"body": "您好，我是您的创业管家。"}).status_code == 302
    mine = client_for(canyin)
    page = mine.get(reverse("assistance:my_butler")).content.decode()
    assert "您好，我是您的创业管家。" in page
    assert mine.post(reverse("assistance:my_butler"), {"body": "谢谢！"}).status_code == 302
    assert list(ButlerMessage.objects.filter(butler=butler).values_list(
        "from_enterprise", flat=True)) == [False, True]
    assert "创业管家" in mine.get(reverse("portal:my_space")).content.decode()
    # The end: no more reads, no more messages; audited.
    services.butler_end(manager=hallmgr, butler_id=butler.pk, reason="企业已步入正轨")
    assert AuditEvent.objects.filter(action="assistance.butler_end",
                                     object_id=str(butler.pk)).exists()
    with pytest.raises(NotAllowed) as refused:
        services.butler_cases(user=clerk, butler_id=butler.pk)
    assert refused.value.code == "assistance.butler_forbidden"
    with pytest.raises(InvalidInput) as refused:
        services.message_send(user=clerk, butler_id=butler.pk, body="还在吗")
    assert refused.value.code == "assistance.state"
    page = client.get(url).content.decode()
    assert "企业办件" not in page
    # Another member of staff never could.
    with pytest.raises(NotAllowed):
        services.butler_cases(user=User.objects.get(username="reviewer"), butler_id=butler.pk)


# --- the API ---------------------------------------------------------------------------------


def test_the_api_shows_the_progress_and_the_thread(project, proxy, canyin, hallmgr, clerk, food,
                                                   submit, client_for):
    mandates.authorization_confirm(user=canyin, authorization_id=project.authorization_id)
    case = _file(submit, food, proxy, canyin)
    for user in (canyin, hallmgr, proxy):
        answer = client_for(user).get(f"/api/v1/assistance/projects/{project.pk}")
        assert answer.status_code == 200, user
        body = answer.json()
        assert body["fee"] == 0 and body["items"][0]["case_number"] == case.number
        assert client_for(user).get("/api/v1/assistance/projects").json()["count"] == 1
    answer = client_for(clerk).get(f"/api/v1/assistance/projects/{project.pk}")
    assert answer.status_code == 404 and answer.json()["code"] == "assistance.unknown"
    assert client_for(clerk).get("/api/v1/assistance/projects").json()["count"] == 0

    _registered(canyin, submit, food)
    butler = services.butler_assign(manager=hallmgr, uscc=canyin.uscc, username="clerk")
    url = f"/api/v1/assistance/butlers/{butler.pk}"
    body = client_for(clerk).get(url).json()
    assert case.number in [c["number"] for c in body["cases"]]
    assert client_for(hallmgr).get(url).json()["cases"] == []  # the manager is no butler
    assert client_for(proxy).get(url).status_code == 404
    mine = client_for(canyin)
    answer = mine.post(f"{url}/messages", {"body": "请问下一步？"}, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["from_enterprise"] is True
    assert mine.get("/api/v1/assistance/my/butler").json()["messages"][0]["body"] == "请问下一步？"
    assert client_for(User.objects.get(username="zhangsan")).get(
        "/api/v1/assistance/my/butler").status_code == 404
    services.butler_end(manager=hallmgr, butler_id=butler.pk)
    assert client_for(clerk).get(url).json()["cases"] == []
    answer = mine.post(f"{url}/messages", {"body": "还在吗"}, content_type="application/json")
    assert answer.status_code == 409 and answer.json()["code"] == "assistance.state"


def test_the_manager_takes_an_agent_off_the_roster_once_free(project, hallmgr, proxy,
                                                             client_for):
    with pytest.raises(InvalidInput) as refused:
        services.roster_remove(manager=hallmgr, agent_id=proxy.pk)
    assert refused.value.code == "assistance.agent_busy"
    services.project_close(manager=hallmgr, project_id=project.pk)
    answer = client_for(hallmgr).post(reverse("assistance:home"),
                                      {"what": "roster_remove", "agent": str(proxy.pk)})
    assert answer.status_code == 302
    assert proxy not in selectors.roster(hallmgr) and not selectors.is_proxy_agent(proxy)
    assert AuditEvent.objects.filter(action="accounts.role_revoke",
                                     object_id=str(proxy.pk)).exists()


@time_machine.travel(MORNING, tick=False)
def test_after_a_real_registration_the_founder_talks_with_the_butler(
        submit_qykb, clerk, reviewers, hallmgr, client_for):
    """End to end: 企业开办 granted on the platform creates the enterprise; the manager names
    its 创业管家; the founder (its legal representative) reads and replies in its space."""
    from zhengwu.bundles.tests.test_registration import _registered as registration_granted

    founder = User.objects.get(username="chuangye")
    case = registration_granted(submit_qykb, clerk, reviewers, founder)
    case.refresh_from_db()
    enterprise = User.objects.get(kind="enterprise", uscc=case.registered_uscc)
    assert selectors.registered_here(enterprise)
    butler = services.butler_assign(manager=hallmgr, uscc=enterprise.uscc, username="clerk")
    services.message_send(user=clerk, butler_id=butler.pk, body="开业后记得办理税务登记。")
    mine = client_for(founder)
    assert mine.post(reverse("portal:my_space_switch"), {"account": enterprise.pk}
                     ).status_code == 302
    page = mine.get(reverse("assistance:my_butler")).content.decode()
    assert "开业后记得办理税务登记。" in page
    assert mine.post(reverse("assistance:my_butler"), {"body": "好的，谢谢"}).status_code == 302
    reply = ButlerMessage.objects.filter(butler=butler).last()
    assert reply is not None and reply.from_enterprise and reply.sender == founder
    # The founder's own space has no 创业管家: it is the enterprise's.
    mine.post(reverse("portal:my_space_switch"), {"account": founder.pk})
    assert "开业后记得办理税务登记。" not in mine.get(reverse("assistance:my_butler")).content.decode()
