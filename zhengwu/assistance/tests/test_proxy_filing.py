"""The 代办员 files a project's item for the enterprise on a page (issue 12 §4): the project
page's 代为申报 opens the item's own application form (cases' 帮代办申请 page) with the
enterprise fixed; the case belongs to the enterprise, its channel is 帮代办 and the 代办员
submitted it; a refusal of the filing rule (accounts.mandates) is said on the page with what
was typed and uploaded kept; the enterprise sees the case and that it was filed for it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.accounts import mandates
from zhengwu.accounts.models import IdentityBasis, User
from zhengwu.assistance import services
from zhengwu.assistance.models import Project
from zhengwu.cases import proxy_filing
from zhengwu.cases.models import Case, Channel, StagedUpload
from zhengwu.cases.tests.conftest import page_answers, pdf_bytes
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.codes import make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def canyin(db: Any) -> User:
    return User.objects.get(username="canyin")


@pytest.fixture
def proxy(db: Any) -> User:
    return User.objects.get(username="proxy")


@pytest.fixture
def project(proxy: User, canyin: User, food: ItemImplementation) -> Project:
    return services.project_create(
        manager=User.objects.get(username="hallmgr"), uscc=canyin.uscc, name="餐饮扩建项目代办",
        agent_id=proxy.pk, item_codes=[food.item.basic_code],
        ends_on=clock.today() + dt.timedelta(days=90))


def _confirm(project: Project) -> None:
    """The enterprise confirms the project's authorization (its 授权管理 page's service)."""
    assert project.authorization_id is not None
    mandates.authorization_confirm(user=project.enterprise,
                                   authorization_id=project.authorization_id)


def _form(food: ItemImplementation, canyin: User, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"applicant_name": canyin.display_name, "id_number": canyin.uscc,
                            "phone": "13800000002", "address": "耒阳市蔡子池街道",
                            "description": "代办扩建", **page_answers(food)}
    for material in food.materials.filter(source="applicant", required=True):
        data[f"file_{material.position}"] = SimpleUploadedFile("scan.pdf", pdf_bytes(),
                                                              "application/pdf")
    return {**data, **extra}


def _link(project: Project, food: ItemImplementation) -> str:
    return proxy_filing.apply_url(food, project.enterprise,
                                  reverse("assistance:project", args=[project.pk]))


def test_the_agent_files_from_the_project_page_and_the_enterprise_sees_it(
        client_for: Any, project: Project, proxy: User, canyin: User,
        food: ItemImplementation) -> None:
    _confirm(project)
    agent = client_for(proxy)
    page = agent.get(reverse("assistance:project", args=[project.pk])).content.decode()
    link = _link(project, food)
    assert "代为申报" in page and link.replace("&", "&amp;") in page
    form = agent.get(link)
    assert form.status_code == 200
    text = form.content.decode()
    assert f'value="{canyin.phone}"' in text  # prefilled once the rule allows
    assert "帮代办申请" in text and canyin.uscc in text and "经企业授权代为申请" in text
    answer = agent.post(link, _form(food, canyin))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert answer["Location"] == reverse("assistance:project", args=[project.pk])
    case = Case.objects.get(applicant=canyin, implementation=food)
    assert (case.channel, case.submitted_by, case.identity_basis) == (
        Channel.PROXY, proxy, IdentityBasis.AUTHORIZATION)
    assert case.authorization_id == project.authorization_id
    told = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any(case.number in m for m in told), told
    # The project's progress shows the case, its status and whom it waits on; no more link.
    page = agent.get(reverse("assistance:project", args=[project.pk])).content.decode()
    assert case.number in page and f"<td>{case.get_status_display()}</td>" in page
    assert "<td>部门受理</td>" in page
    assert link.replace("&", "&amp;") not in page
    # The enterprise: in its cases, and the case page says who filed it and how.
    enterprise = client_for(canyin)
    assert case.number in enterprise.get(reverse("cases:mine")).content.decode()
    detail = enterprise.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "经授权代为申请" in detail and "刘帮办" in detail


def test_unconfirmed_the_filing_is_refused_on_the_page_and_nothing_is_lost(
        client_for: Any, project: Project, proxy: User, canyin: User,
        food: ItemImplementation) -> None:
    agent = client_for(proxy)
    link = _link(project, food)
    # Said before the form is filled, and nothing of the enterprise's account shown but its
    # name and code (its phone only once the 代办员 may file for it).
    page = agent.get(link).content.decode()
    assert "尚未确认您的授权申请" in page and canyin.uscc in page
    assert canyin.phone and canyin.phone not in page
    # …and on submission: nothing filed, what was typed and the files kept.
    answer = agent.post(link, _form(food, canyin))
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "尚未确认您的授权申请" in text and "申请未提交" in text
    assert "代办扩建" in text and "已保留您选择的" in text
    assert not Case.objects.filter(applicant=canyin).exists()
    assert StagedUpload.objects.filter(owner=proxy).exists()
    # Once the enterprise confirms, the kept files are enough (no new upload).
    _confirm(project)
    kept = re.findall(r'name="kept" value="([^"]+)"', text)
    again = {k: v for k, v in _form(food, canyin).items() if not k.startswith("file_")}
    assert kept
    answer = agent.post(link, {**again, "kept": kept})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert Case.objects.get(applicant=canyin).submitted_by == proxy


def test_an_item_outside_the_project_is_refused(client_for: Any, project: Project,
                                                proxy: User, canyin: User,
                                                food: ItemImplementation) -> None:
    _confirm(project)
    other = ItemImplementation.objects.filter(status="published", online_depth__gte=2).exclude(
        item__basic_code=food.item.basic_code).order_by("pk").first()
    assert other is not None
    link = proxy_filing.apply_url(other, canyin)
    agent = client_for(proxy)
    assert "授权不包括本事项" in agent.get(link).content.decode()
    answer = agent.post(link, _form(other, canyin))
    assert answer.status_code == 200 and "授权不包括本事项" in answer.content.decode()
    assert not Case.objects.filter(applicant=canyin).exists()


def test_only_a_proxy_agent_opens_the_page(client_for: Any, project: Project, canyin: User,
                                          food: ItemImplementation, clerk: User,
                                          applicant: User) -> None:
    link = _link(project, food)
    assert client_for(clerk).get(link).status_code == 403
    assert client_for(applicant).get(link).status_code == 403
    assert client_for(canyin).post(link, _form(food, canyin)).status_code == 403
    assert client_for(None).get(link).status_code == 302  # to sign in
    assert not Case.objects.filter(applicant=canyin).exists()
    # Another staff member sees no 代为申报 on the project (the manager sees the project).
    manager = client_for(User.objects.get(username="hallmgr"))
    assert "代为申报" not in manager.get(
        reverse("assistance:project", args=[project.pk])).content.decode()


def test_an_unknown_enterprise_or_a_foreign_return_address(client_for: Any, proxy: User,
                                                           food: ItemImplementation) -> None:
    agent = client_for(proxy)
    url = reverse("cases:proxy_apply", args=[food.code])
    assert agent.get(f"{url}?for=91430481MA4L99999X").status_code == 404
    assert agent.get(url).status_code == 404
    page = agent.get(f"{url}?for=91430481MA4L00003J&next=https://evil.example/")
    text = page.content.decode()
    # Neither the crumb back nor the form's address (where it returns after filing) keeps it.
    assert 'href="https://evil.example/"' not in text and "代办项目</a>" not in text
    assert f'action="{url}?for=91430481MA4L00003J"' in text


def test_the_applicant_is_the_enterprise_not_what_is_typed(
        client_for: Any, project: Project, proxy: User, canyin: User,
        food: ItemImplementation) -> None:
    _confirm(project)
    answer = client_for(proxy).post(_link(project, food), _form(
        food, canyin, applicant_name="另一家公司", id_number=make_uscc("9", "1", "430481",
                                                                 "MA4L9999")))
    assert answer.status_code == 200
    assert "申请未提交" in answer.content.decode()
    assert not Case.objects.filter(submitted_by=proxy).exists()


def test_the_agents_draft_is_theirs_for_that_enterprise_and_goes_when_filed(
        client_for: Any, project: Project, proxy: User, canyin: User,
        food: ItemImplementation) -> None:
    from zhengwu.cases import drafts
    from zhengwu.cases.models import ApplicationDraft

    _confirm(project)
    agent = client_for(proxy)
    link = _link(project, food)
    saved = agent.post(link, {**_form(food, canyin), "save_draft": "1"})
    assert saved.status_code == 302 and saved["Location"] == link
    draft = ApplicationDraft.objects.get(owner=proxy)
    assert draft.form == drafts.proxy_form(food, canyin)
    assert "代办扩建" in agent.get(link).content.decode()  # resumed
    assert agent.post(link, _form(food, canyin)).status_code == 302
    assert not ApplicationDraft.objects.filter(owner=proxy).exists()
