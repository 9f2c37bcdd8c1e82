"""Staged uploads in the 一件事 pages (cases.staging): step 3 of the wizard refused keeps the
files that passed their check, they survive going back a step (and a refusal that sends the
applicant back to the one form), and the submission uses them without choosing them again;
the one supplement upload keeps them too."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.bundles.models import Bundle, BundleCase, BundleCaseStatus
from zhengwu.bundles.selectors import bundle_guide
from zhengwu.bundles.services import BundleMoveIn, bundle_move
from zhengwu.bundles.tests.conftest import ALL_YES, MORNING, union_of, union_post
from zhengwu.bundles.tests.test_pages import answers, apply_url, form_values, step3_data, text_of
from zhengwu.cases.models import StagedUpload
from zhengwu.cases.tests.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tuesday_morning() -> Any:
    with time_machine.travel(MORNING, tick=False):
        yield


def tagged_pdf(tag: str) -> bytes:
    return pdf_bytes().replace(b"%PDF-1.4\n", f"%PDF-1.4\n% {tag}\n".encode())


def kept_tokens(page: str) -> list[str]:
    return re.findall(r'name="kept" value="([^"]+)"', page)


def needed(qykb: Bundle) -> list[Any]:
    return list(bundle_guide(qykb, ALL_YES).materials.needed)


def tagged_files(qykb: Bundle) -> dict[str, SimpleUploadedFile]:
    return {f"m_{i}": SimpleUploadedFile(f"材料{i}.pdf", tagged_pdf(f"m{i}"),
                                         content_type="application/pdf")
            for i in range(len(needed(qykb)))}


def no_files(qykb: Bundle) -> dict[str, str]:
    return {f"m_{i}": "" for i in range(len(needed(qykb)))}


def assert_filed_with_kept_files(qykb: Bundle, key: str) -> None:
    bundle_case = BundleCase.objects.get(idempotency_key=key)
    contents = {m.identity: m.file.read() for m in bundle_case.materials.all() if m.file}
    assert contents == {n.identity: tagged_pdf(f"m{i}") for i, n in enumerate(needed(qykb))}
    assert not StagedUpload.objects.exists()


def test_a_refused_step_three_keeps_the_files_and_the_submit_uses_them(
        client_for: Any, applicant: User, qykb: Bundle) -> None:
    # Found in use (issue 9 walk): the confirmation forgotten, five chosen files were gone.
    client = client_for(applicant)
    data = {**step3_data(qykb), **tagged_files(qykb)}
    del data["confirm"]
    page = text_of(client.post(apply_url(), data))
    assert "申请未提交" in page and f"已保留您选择的 {len(needed(qykb))} 个文件" in page
    assert "<strong>已保留：</strong>材料0.pdf（1 KB）" in page
    tokens = kept_tokens(page)
    assert len(tokens) == len(needed(qykb))
    response = client.post(apply_url(), {**step3_data(qykb), **no_files(qykb), "kept": tokens})
    assert response.status_code == 302, text_of(response)[:3000]
    assert_filed_with_kept_files(qykb, "wizard-key-0123456789")


def test_kept_files_survive_going_back_to_the_one_form(client_for: Any, applicant: User,
                                                       qykb: Bundle) -> None:
    client = client_for(applicant)
    back = {**step3_data(qykb), **tagged_files(qykb), "go": "back"}
    second = text_of(client.post(apply_url(), back))
    assert "第2步/共3步" in second
    tokens = kept_tokens(second)
    assert len(tokens) == len(needed(qykb))  # carried in hidden fields through step 2
    third = text_of(client.post(apply_url(), {
        "step": "2", "go": "next", "idempotency_key": "wizard-key-0123456789", **answers(),
        **form_values(), **union_post(union_of(qykb)), "kept": tokens}))
    assert "第3步/共3步" in third and "<strong>已保留：</strong>材料0.pdf" in third
    assert sorted(kept_tokens(third)) == sorted(tokens)
    response = client.post(apply_url(), {**step3_data(qykb), **no_files(qykb),
                                         "kept": kept_tokens(third)})
    assert response.status_code == 302
    assert_filed_with_kept_files(qykb, "wizard-key-0123456789")


def test_a_refusal_that_sends_back_to_the_one_form_keeps_the_files(
        client_for: Any, applicant: User, qykb: Bundle) -> None:
    # The form passes, the service refuses an ID number that is not the account's own.
    client = client_for(applicant)
    data = {**step3_data(qykb), **tagged_files(qykb),
            **form_values(id_number="430481199003154613", applicant_name="孙创业")}
    page = text_of(client.post(apply_url(), data))
    assert "第2步/共3步" in page
    tokens = kept_tokens(page)
    assert len(tokens) == len(needed(qykb))
    response = client.post(apply_url(), {**step3_data(qykb), **no_files(qykb), "kept": tokens})
    assert response.status_code == 302
    assert_filed_with_kept_files(qykb, "wizard-key-0123456789")


def test_the_one_supplement_upload_keeps_a_file_until_the_rest_is_given(
        client_for: Any, submit_qykb: Any, applicant: User, clerk: User) -> None:
    bundle_case = submit_qykb()
    bundle_move(number=bundle_case.number, user=clerk, move=BundleMoveIn(
        action="ask_supplement", supplement_items=[
            {"material": "公司章程", "reason": "缺少全体股东签字"},
            {"material": "经营场所照片", "reason": "无法核实经营场所"}]))
    client = client_for(applicant)
    url = reverse("bundles:supplement", args=[bundle_case.number])
    page = text_of(client.post(url, {"supp_0": SimpleUploadedFile(
        "章程.pdf", tagged_pdf("charter"), content_type="application/pdf")}))
    assert "请上传本项补正材料" in page and "<strong>已保留：</strong>章程.pdf" in page
    response = client.post(url, {"kept": kept_tokens(page), "supp_1": SimpleUploadedFile(
        "照片.pdf", tagged_pdf("photo"), content_type="application/pdf")})
    assert response.status_code == 302
    bundle_case = BundleCase.objects.get(pk=bundle_case.pk)
    assert bundle_case.status == BundleCaseStatus.SUPPLEMENTED
    assert bundle_case.materials.get(supplement=True, identity="公司章程").file.read() == \
        tagged_pdf("charter")
    assert not StagedUpload.objects.exists()
