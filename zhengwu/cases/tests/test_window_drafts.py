"""The window clerk's draft (cases.drafts, issue 10 §3): a walk-in's application interrupted at
the window (another person at the counter, the idle sign-out of staff) is kept for the clerk
who typed it, and for the rest of that day only — it holds a walk-in's personal data, so it is
nobody else's, listed nowhere, and gone at midnight (the sweep) or when the case is filed."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases import drafts
from zhengwu.cases.models import ApplicationDraft, Case, StagedUpload
from zhengwu.cases.tests.conftest import FORM
from zhengwu.cases.tests.test_item_form import FOOD_FORM, GOOD, MONDAY, form_set, layout_file
from zhengwu.core import sweeps
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

MIDNIGHT = dt.datetime(2026, 3, 3, 0, 0, tzinfo=SHANGHAI)  # the end of MONDAY


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def food_form(food):
    form_set(food, FOOD_FORM)
    return FOOD_FORM


def window_url(food) -> str:
    return reverse("cases:window_apply", args=[food.code])


def window_data(applicant, **extra):
    return {**FORM, **GOOD, "idempotency_key": "window-draft-1",
            "account_phone": applicant.phone, **extra}


def test_an_interrupted_window_form_resumes_for_the_same_clerk_the_same_day(
        client_for, clerk, applicant, food, food_form):
    client = client_for(clerk)
    response = client.post(window_url(food), window_data(applicant, save_draft="1",
                                                          **{"a.layout": layout_file("w")}))
    assert response.status_code == 302 and response["Location"] == window_url(food)
    draft = ApplicationDraft.objects.get(owner=clerk)
    assert draft.form == f"cases.window:{food.code}" and draft.implementation is None
    assert draft.expires_at == MIDNIGHT
    assert all(row.expires_at == MIDNIGHT for row in StagedUpload.objects.filter(owner=clerk))
    # The clerk signed out by the idle timeout signs in again (a new session): resumed.
    again = Client()
    again.force_login(clerk)
    page = again.get(window_url(food)).content.decode()
    assert "已恢复您于" in page and "当天 24:00 前有效" in page
    assert f'value="{applicant.phone}"' in page and 'value="李四"' in page
    assert "<strong>已保留：</strong>平面图.pdf" in page
    # Listed nowhere: not in the clerk's drafts, not in the walk-in's.
    assert drafts.drafts_for(clerk) == [] and drafts.drafts_for(applicant) == []
    # Filing it deletes the draft.
    tokens = re.findall(r'name="kept" value="([^"]+)"', page)
    response = again.post(window_url(food), {**window_data(applicant), "kept": tokens})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Case.objects.filter(applicant=applicant, implementation=food).exists()
    assert not ApplicationDraft.objects.exists()


def test_another_clerk_never_sees_it_and_midnight_ends_it(client_for, clerk, applicant, food,
                                                         food_form):
    client_for(clerk).post(window_url(food), window_data(applicant, save_draft="1"))
    other = User.objects.create_user(username="clerk-2", password="x-demo-2026-x",
                                     kind="staff", is_staff=True)
    from zhengwu.accounts.roles import Role
    from zhengwu.accounts.services import role_assign

    role_assign(user=other, role=Role.WINDOW_CLERK, region=clerk.role_assignments.first().region)
    page = client_for(other).get(window_url(food)).content.decode()
    assert "已恢复您于" not in page and applicant.phone not in page
    sweeps.run_all(MIDNIGHT - dt.timedelta(minutes=1))
    assert ApplicationDraft.objects.filter(owner=clerk).exists()
    sweeps.run_all(MIDNIGHT)
    assert not ApplicationDraft.objects.exists()


def test_a_refused_window_form_is_kept_and_htmx_saves_it(client_for, clerk, applicant, food,
                                                         food_form):
    client = client_for(clerk)
    page = client.post(window_url(food), window_data(applicant, **{"a.opening": "2026-02-30"})
                       ).content.decode()
    assert "申请未提交" in page
    assert ApplicationDraft.objects.get(owner=clerk).data["answers"]["opening"] == "2026-02-30"
    url = reverse("cases:window_apply_draft", args=[food.code])
    assert f'hx-post="{url}"' in page
    assert client_for(applicant).post(url, {"a.operator_name": "x"}).status_code == 403
    response = client.post(url, {"a.operator_name": "半途的名称", "account_phone": applicant.phone},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "草稿已自动保存" in response.content.decode()
    draft = ApplicationDraft.objects.get(owner=clerk)
    assert draft.data["answers"] == {"operator_name": "半途的名称"}
    assert draft.data["common"]["account_phone"] == applicant.phone
    client.post(window_url(food), {"discard_draft": "1"})
    assert ApplicationDraft.objects.exists()  # not without the confirmation
    client.post(window_url(food), {"discard_draft": "1", "discard_confirm": "1"})
    assert not ApplicationDraft.objects.exists()
    assert MONDAY < MIDNIGHT


def test_a_draft_keeps_no_nul_character_which_postgresql_json_cannot_store(
        db: None, applicant: User) -> None:
    """A NUL typed into a field (the form refuses it on submission) would make saving the
    draft a 500 on PostgreSQL; the draft keeps the rest of the text."""
    drafts.form_draft_save(owner=applicant, form="test:nul",
                           data={"answers": {"name\x00": "张\x00三", "rows": ["a\x00"]}},
                           kept=[])
    saved = ApplicationDraft.objects.get(owner=applicant, form="test:nul").data
    assert saved["answers"] == {"name": "张三", "rows": ["a"]}
