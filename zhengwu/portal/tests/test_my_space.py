"""我的空间 (issue 10 §2): one page and one API with the person's cases — a 一件事's member
cases grouped under it, not six unrelated rows —, messages, who looked at their data (cases and
一件事 in one list, newest first), profile and addresses; never another's; staff refused."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhengwu.accounts.models import User
from zhengwu.accounts.tests.consented import consented
from zhengwu.bundles.tests.conftest import MORNING
from zhengwu.cases.services import case_access_record
from zhengwu.core import personal_space
from zhengwu.notifications.models import Message
from zhengwu.portal.my_space import access_entries, case_entries

pytestmark = pytest.mark.django_db


def _stranger() -> User:
    return User.objects.get(username="chuangye")


@time_machine.travel(MORNING, tick=False)
def test_bundle_members_are_grouped_under_their_bundle(
        submit_qykb: Any, submit: Any, food: Any, applicant: User, client_for: Any) -> None:
    bundle_case = submit_qykb()
    single = submit(food)
    members = list(bundle_case.members.select_related("case"))
    assert len(members) >= 2

    rows = client_for(applicant).get("/api/v1/me/sections/cases").json()
    assert rows["count"] == 2  # the 一件事 and the case of its own; no member is a row
    numbers = [row["number"] for row in rows["items"]]
    assert sorted(numbers) == sorted([bundle_case.number, single.number])
    bundle_row = next(row for row in rows["items"] if row["kind"] == "bundle")
    assert bundle_row["status_label"] == bundle_case.get_status_display()
    assert bundle_row["url"] == f"/bundles/cases/{bundle_case.number}/"
    assert sorted(m["number"] for m in bundle_row["members"]) == sorted(
        m.case.number for m in members)

    page = client_for(applicant).get("/my/").content.decode()
    assert page.count(f'href="/bundles/cases/{bundle_case.number}/"') == 1
    for member in members:  # listed under the bundle, with no link of their own
        assert f"/cases/{member.case.number}/" not in page
        assert member.case.implementation.item.name in page
    full = client_for(applicant).get("/my/cases/").content.decode()
    assert bundle_case.number in full and single.number in full
    # 我的办件 still lists every case, each member naming its 一件事.
    mine = client_for(applicant).get("/cases/mine/").content.decode()
    assert mine.count(f'href="/bundles/cases/{bundle_case.number}/"') == len(members)


@time_machine.travel(MORNING, tick=False)
def test_cases_list_pages_by_the_database(submit: Any, food: Any, applicant: User) -> None:
    made = [submit(food).number for _ in range(3)]
    entries = case_entries(applicant)
    assert entries.count() == 3
    assert [pk for _, pk, _ in entries[1:3]] and len(list(entries[1:3])) == 2
    section = personal_space.section("cases")
    assert section is not None
    data = section.provide(applicant, 2, 2)
    assert data is not None and data.count == 3 and len(data.items) == 1
    assert {row["number"] for row in data.items} <= set(made)


@time_machine.travel(MORNING, tick=False)
def test_who_looked_lists_case_and_bundle_reads_newest_first(
        submit_qykb: Any, submit: Any, food: Any, applicant: User, clerk: User,
        reviewer: User, client_for: Any) -> None:
    bundle_case = submit_qykb()
    single = submit(food)
    assert client_for(clerk).get(f"/bundles/cases/{bundle_case.number}/").status_code == 200
    with time_machine.travel(MORNING.replace(hour=10), tick=False), transaction.atomic():
        case_access_record(case=single, user=reviewer, purpose="审查办件")

    rows = [dict(r) for r in access_entries(applicant)]
    assert [r["number"] for r in rows] == [single.number, bundle_case.number]
    api = client_for(applicant).get("/api/v1/me/sections/accesses?limit=1").json()
    assert api["count"] == 2 and len(api["items"]) == 1
    assert api["items"][0]["number"] == single.number
    assert api["items"][0]["purpose"] == "审查办件"
    page = client_for(applicant).get("/my/accesses/").content.decode()
    assert single.number in page and bundle_case.number in page
    # The stranger sees none of it.
    stranger = client_for(_stranger()).get("/api/v1/me/sections/accesses").json()
    assert stranger == {"items": [], "count": 0}


@time_machine.travel(MORNING, tick=False)
def test_another_persons_data_is_never_shown(
        submit: Any, food: Any, applicant: User, client_for: Any) -> None:
    case = submit(food)
    Message.objects.create(recipient=applicant, title="张三的消息", body="x", category="case",
                           created_at=MORNING)
    stranger = client_for(_stranger())
    body = stranger.get("/api/v1/me").json()
    sections = {s["key"]: s for s in body["sections"]}
    assert sections["cases"]["count"] == 0 and sections["messages"]["count"] == 0
    page = stranger.get("/my/").content.decode()
    assert case.number not in page and "张三的消息" not in page
    mine = {s["key"]: s for s in client_for(applicant).get("/api/v1/me").json()["sections"]}
    assert mine["cases"]["count"] == 1 and mine["messages"]["items"][0]["title"] == "张三的消息"


def test_api_shape_and_profile(applicant: User, client_for: Any) -> None:
    response = client_for(applicant).get("/api/v1/me")
    assert response.status_code == 200
    sections = response.json()["sections"]
    keys = [s["key"] for s in sections]
    assert keys[0] == "profile"
    assert {"profile", "cases", "messages", "accesses", "addresses"} <= set(keys)
    for section in sections:
        assert set(section) == {"key", "title", "items", "count", "url", "extra"}
        assert len(section["items"]) <= personal_space.OVERVIEW_ROWS
    profile = sections[0]["extra"]["profile"]
    assert profile["name"] == "张三"
    assert profile["id_number"] == "430***********123X"  # masked, as in every list
    assert profile["phone"] == "138****0001"
    assert profile["realname_level"] == applicant.realname_level
    page = client_for(applicant).get("/my/").content.decode()
    assert "430***********123X" in page and "43048119900101123X" not in page
    assert client_for(applicant).get("/api/v1/me/sections/nope").status_code == 404
    bad = client_for(applicant).get("/api/v1/me/sections/cases?limit=0")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"


def test_staff_and_strangers_are_refused(clerk: User, client_for: Any) -> None:
    assert client_for(clerk).get("/my/").status_code == 403
    assert client_for(clerk).get("/my/cases/").status_code == 403
    refused = client_for(clerk).get("/api/v1/me")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert client_for(None).get("/my/").status_code == 302
    assert client_for(None).get("/api/v1/me").status_code == 401


def test_a_section_plugs_in_without_editing_the_page(applicant: User, client_for: Any) -> None:
    """The slot later apps use (drafts, authorizations, …): register a section and a link."""
    def provide(user: Any, limit: int, offset: int) -> personal_space.SectionData:
        return personal_space.SectionData(items=[{"title": "示例草稿", "url": "/"}], count=1)

    personal_space.register(personal_space.Section(key="test-drafts", title="草稿",
                                                   order=15, provide=provide))
    links_before = list(personal_space._LINKS.get("profile", []))
    personal_space.register_link("profile", personal_space.Link("测试链接", "portal:home",
                                                                when=lambda u: True))
    try:
        page = client_for(applicant).get("/my/").content.decode()
        assert "示例草稿" in page and "测试链接" in page
        keys = [s["key"] for s in client_for(applicant).get("/api/v1/me").json()["sections"]]
        assert keys.index("test-drafts") == keys.index("cases") + 1
    finally:
        personal_space._SECTIONS.pop("test-drafts")
        personal_space._LINKS["profile"] = links_before  # the apps' own links stay


def test_the_navigation_offers_my_space_to_applicants_only(
        applicant: User, clerk: User, client_for: Any) -> None:
    assert 'href="/my/"' in client_for(applicant).get("/").content.decode()
    assert 'href="/my/"' not in client_for(clerk).get("/").content.decode()
    assert 'href="/my/"' not in client_for(None).get("/").content.decode()


@time_machine.travel(MORNING, tick=False)
def test_the_page_costs_the_same_queries_however_many_cases(
        submit_qykb: Any, submit: Any, food: Any, applicant: User, client_for: Any) -> None:
    client = client_for(applicant)
    submit_qykb()
    submit(food)
    client.get("/my/")  # sessions, caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/my/").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(3):
        submit_qykb()
        submit(food)
    assert queries() == few


def test_authorizations_and_account_links_are_in_my_space(client_for: Any) -> None:
    """The pack makes 孙创业 the 经办人 of 耒阳某某餐饮有限公司: both see it in 我的空间, the
    enterprise as given, the agent as received; the verify link shows only below L2."""
    agent = client_for(User.objects.get(username="chuangye")).get("/my/").content.decode()
    assert "受托于 耒阳某某餐饮有限公司" in agent
    assert "企业经办人授权 · 全部事项" in agent
    assert "更换手机号" in agent and "注销账号" in agent
    assert "去实名认证" not in agent
    enterprise = client_for(User.objects.get(username="canyin")).get("/my/").content.decode()
    assert "授权给 孙创业" in enterprise
    assert "注销账号" not in enterprise
    newcomer = consented(User.objects.create_user(username="l1-person", password="x-demo-2026-x",
                                                  kind="person", realname_level=1))
    assert "去实名认证" in client_for(newcomer).get("/my/").content.decode()


def test_my_drafts_are_in_my_space(client_for: Any, food: Any) -> None:
    """A draft saved on the apply page is listed in 我的空间 with a link back to it."""
    from zhengwu.cases.drafts import draft_save

    person = User.objects.get(username="zhangsan")
    draft_save(owner=person, implementation=food, kept=[], common={}, answers={}, rows={})
    page = client_for(person).get("/my/").content.decode()
    assert "草稿" in page and food.item.name in page
    assert f"/cases/apply/{food.code}/" in page
