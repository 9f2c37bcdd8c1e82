"""Drafts of the 一件事 wizard (bundles.drafts on cases.drafts, issue 10 §3): every step posted
is saved as the person's draft of that bundle, 保存草稿 saves it without JavaScript (keeping
the files chosen at step 3), htmx saves it a moment after a change; reopening the wizard from
any browser of the same account resumes it at the step reached; 我的空间 lists it with a link
back; filing the bundle deletes it; the sweep deletes it after cases.drafts.KEEP_FOR."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.bundles.models import Bundle, BundleCase
from zhengwu.bundles.services import SubmitIn, bundle_submit
from zhengwu.bundles.tests.conftest import (
    ALL_YES,
    COMPANY,
    MORNING,
    QYKB,
    SHARED,
    materials_for,
    union_answers,
    union_of,
    union_post,
)
from zhengwu.bundles.tests.test_pages import answers, apply_url, form_values, step3_data, text_of
from zhengwu.bundles.tests.test_staging import kept_tokens, needed, no_files, tagged_files
from zhengwu.cases import drafts
from zhengwu.cases.models import ApplicationDraft, StagedUpload
from zhengwu.core import sweeps

pytestmark = pytest.mark.django_db

KEY = "wizard-key-0123456789"


@pytest.fixture(autouse=True)
def tuesday_morning() -> Any:
    with time_machine.travel(MORNING, tick=False):
        yield


def draft_of(user: User) -> ApplicationDraft:
    return ApplicationDraft.objects.get(owner=user, form=f"bundles.apply:{QYKB}")


def step2_data(qykb: Bundle, **extra: Any) -> dict[str, Any]:
    return {"step": "2", "go": "next", "idempotency_key": KEY, **answers(), **form_values(),
            **union_post(union_of(qykb)), **extra}


def test_each_step_is_saved_and_resumes_on_another_device_at_the_step_reached(
        client_for: Any, applicant: User, qykb: Bundle) -> None:
    phone = client_for(applicant)
    phone.post(apply_url(), {"step": "1", "go": "next", "idempotency_key": KEY, **answers()})
    draft = draft_of(applicant)
    assert draft.data["step"] == 2 and draft.data["situation"] == ALL_YES
    assert draft.expires_at == MORNING + drafts.KEEP_FOR
    third = text_of(phone.post(apply_url(), step2_data(qykb)))
    assert "第3步/共3步" in third
    draft.refresh_from_db()
    assert draft.data["step"] == 3
    assert draft.data["common"]["company_name"] == COMPANY["company_name"]
    assert ["a." + SHARED, "孙创业"] in draft.data["inputs"]
    # Another browser of the same account (a fresh session) opens the wizard: step 3 again,
    # with the one form's answers and the members' forms as they were.
    laptop = Client()
    laptop.force_login(applicant)
    page = text_of(laptop.get(apply_url()))
    assert "已恢复您于" in page and "第3步/共3步" in page
    assert COMPANY["company_name"] in page and "孙创业" in page
    assert 'name="q_need_seal" value="yes"' in page
    # 我的空间 and 我的办件 list it with a link back to the wizard.
    rows = drafts.drafts_for(applicant)
    assert [(r.code, r.item_name, r.url) for r in rows] == [(QYKB, f"一件事：{qykb.name}", apply_url())]
    space = text_of(laptop.get("/my/"))
    assert qykb.name in space and f'href="{apply_url()}"' in space
    # Filing from the resumed page deletes the draft.
    response = laptop.post(apply_url(), step3_data(qykb, key="resumed-key-0123456789"))
    assert response.status_code == 302, text_of(response)[:3000]
    assert not ApplicationDraft.objects.filter(owner=applicant).exists()
    assert drafts.drafts_for(applicant) == []
    # An automatic save arriving after the submission does not bring it back.
    late = laptop.post(reverse("bundles:apply_draft", args=[QYKB]),
                       step2_data(qykb, idempotency_key="resumed-key-0123456789"),
                       HTTP_HX_REQUEST="true")
    assert "申请已提交" in text_of(late)
    assert not ApplicationDraft.objects.filter(owner=applicant).exists()
    # A new visit starts at step 1.
    assert "第1步/共3步" in text_of(laptop.get(apply_url()))


def test_save_draft_without_javascript_keeps_the_files_chosen_at_step_three(
        client_for: Any, applicant: User, qykb: Bundle) -> None:
    client = client_for(applicant)
    data = {**step3_data(qykb), **tagged_files(qykb), "go": "save"}
    response = client.post(apply_url(), data)
    assert response.status_code == 302 and response["Location"] == apply_url()
    draft = draft_of(applicant)
    assert draft.data["step"] == 3 and len(draft.data["kept"]) == len(needed(qykb))
    staged = StagedUpload.objects.filter(owner=applicant)
    assert staged.count() == len(needed(qykb))
    assert all(row.expires_at == draft.expires_at for row in staged)
    page = text_of(client.get(apply_url()))
    assert "草稿已保存" in page and "第3步/共3步" in page
    assert "<strong>已保留：</strong>材料0.pdf" in page
    assert not BundleCase.objects.filter(submitted_by=applicant).exists()
    # The files kept by the draft file the bundle without being chosen again.
    response = client.post(apply_url(), {**step3_data(qykb), **no_files(qykb),
                                         "kept": kept_tokens(page)})
    assert response.status_code == 302, text_of(response)[:3000]
    assert not StagedUpload.objects.exists()
    assert not ApplicationDraft.objects.exists()


def test_htmx_saves_the_draft_and_only_the_applicant_has_one(
        client_for: Any, applicant: User, clerk: User, qykb: Bundle) -> None:
    url = reverse("bundles:apply_draft", args=[QYKB])
    assert client_for(clerk).post(url, step2_data(qykb)).status_code == 403
    assert Client().post(url, step2_data(qykb)).status_code == 302  # sign in first
    client = client_for(applicant)
    page = text_of(client.post(apply_url(), {"step": "1", "go": "next", **answers()}))
    assert f'hx-post="{url}"' in page and 'name="go" value="save"' in page
    half = {**step2_data(qykb), "f_agent_name": "半途的经办人"}
    response = client.post(url, half, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "草稿已自动保存" in text_of(response)
    assert draft_of(applicant).data["common"]["agent_name"] == "半途的经办人"
    resumed = text_of(client.get(apply_url()))
    assert "第2步/共3步" in resumed and 'value="半途的经办人"' in resumed
    assert not ApplicationDraft.objects.filter(owner=clerk).exists()


def test_the_draft_expires_with_the_sweep_and_can_be_discarded(
        client_for: Any, applicant: User, qykb: Bundle) -> None:
    client = client_for(applicant)
    client.post(apply_url(), step2_data(qykb))
    draft = draft_of(applicant)
    sweeps.run_all(MORNING + drafts.KEEP_FOR - dt.timedelta(minutes=1))
    assert ApplicationDraft.objects.filter(pk=draft.pk).exists()
    sweeps.run_all(MORNING + drafts.KEEP_FOR)
    assert not ApplicationDraft.objects.filter(pk=draft.pk).exists()
    client.post(apply_url(), step2_data(qykb))
    assert 'name="discard_confirm"' in client.get(apply_url()).content.decode()
    response = client.post(apply_url(), {"discard_draft": "1"})
    assert response.status_code == 302
    assert ApplicationDraft.objects.filter(owner=applicant).exists()  # not confirmed
    response = client.post(apply_url(), {"discard_draft": "1", "discard_confirm": "1"})
    assert response.status_code == 302
    assert not ApplicationDraft.objects.filter(owner=applicant).exists()
    assert "第1步/共3步" in text_of(client.get(apply_url()))


def test_an_oversized_draft_keeps_its_files_and_forgets_the_bulk(applicant: User) -> None:
    """One size rule for every draft (cases.drafts.MAX_BYTES)."""
    big = {"step": 2, "situation": dict(ALL_YES), "common": {"x": "y"},
           "inputs": [["a.notes", "字" * drafts.MAX_BYTES]]}
    draft = drafts.form_draft_save(owner=applicant, form=f"bundles.apply:{QYKB}", data=big,
                                   kept=[])
    assert draft.data["inputs"] == [] and draft.data["situation"] == ALL_YES


def test_filing_through_the_service_deletes_the_wizard_draft(
        client_for: Any, applicant: User, qykb: Bundle) -> None:
    client_for(applicant).post(apply_url(), step2_data(qykb))
    assert draft_of(applicant)
    bundle_submit(submitted_by=applicant, submission=SubmitIn(
        code=QYKB, answers=dict(ALL_YES), form=dict(COMPANY), materials=materials_for(qykb),
        item_answers=union_answers(union_of(qykb))))
    assert not ApplicationDraft.objects.filter(owner=applicant).exists()


def test_kept_tokens_in_the_draft_are_the_owners_only(
        client_for: Any, applicant: User, qykb: Bundle) -> None:
    """A token posted by someone else is never kept alive by another's draft."""
    other_applicant = User.objects.get(username="canyin")
    client_for(applicant).post(apply_url(), {**step3_data(qykb), **tagged_files(qykb),
                                             "go": "save"})
    tokens = draft_of(applicant).data["kept"]
    before = {row.token: row.expires_at for row in StagedUpload.objects.all()}
    client_for(other_applicant).post(reverse("bundles:apply_draft", args=[QYKB]),
                                     {**step2_data(qykb), "step": "3", "kept": tokens})
    assert {row.token: row.expires_at for row in StagedUpload.objects.all()} == before
    assert re.fullmatch(r"[\w-]+", tokens[0])


def test_an_agents_draft_resumes_in_the_enterprises_name(client_for: Any, qykb: Bundle) -> None:
    agent, enterprise = User.objects.get(username="chuangye"), User.objects.get(username="canyin")
    client = client_for(agent)
    client.post(apply_url(), {"step": "1", "go": "next", "as": str(enterprise.pk), **answers()})
    assert draft_of(agent).data["as"] == enterprise.pk
    page = text_of(client.get(apply_url()))
    assert "第2步/共3步" in page and f'name="as" value="{enterprise.pk}"' in page
