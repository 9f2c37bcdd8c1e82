"""Staged uploads on the case pages (cases.staging): a refused form keeps every file that
passed its check, names it, and the next submission uses it without choosing it again; only
for the account that chose it, only until it expires, a newly chosen file replaces it, a bad
file is never kept, and filing uses the kept files up in its own transaction."""

import datetime as dt
import re
from unittest import mock

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.cases import staging
from zhengwu.cases.models import Case, CaseStatus, StagedUpload
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import FORM, page_answers, pdf_bytes, sample_answers
from zhengwu.cases.tests.test_pages import applicant_materials, apply_data
from zhengwu.core import sweeps
from zhengwu.core.errors import InvalidInput
from zhengwu.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY, tick=False):
        yield


def tagged_pdf(tag: str) -> bytes:
    """A valid PDF whose bytes tell which file it is."""
    return pdf_bytes().replace(b"%PDF-1.4\n", f"%PDF-1.4\n% {tag}\n".encode())


def pdf_file(name: str, tag: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tagged_pdf(tag), content_type="application/pdf")


def kept_tokens(page: str) -> list[str]:
    return re.findall(r'name="kept" value="([^"]+)"', page)


def required(food):
    return [m for m in applicant_materials(food) if m.required]


def chosen(food) -> dict[str, SimpleUploadedFile]:
    return {f"file_{m.position}": pdf_file(f"材料{m.position}.pdf", f"first-{m.position}")
            for m in required(food)}


def no_files(food) -> dict[str, str]:
    return {f"file_{m.position}": "" for m in required(food)}


def refused_once(client, food) -> tuple[str, list[str]]:
    """Apply with the phone left out: refused, the chosen files kept."""
    url = reverse("cases:apply", args=[food.code])
    page = client.post(url, apply_data(food, phone="", **chosen(food))).content.decode()
    assert "请修改以下" in page
    return page, kept_tokens(page)


def test_a_refused_application_keeps_its_files_and_the_next_submit_uses_them(
        client_for, applicant, food, django_capture_on_commit_callbacks):
    # Found in use (issue 9 walk): after a mistake in one field every chosen file was gone.
    client = client_for(applicant)
    page, tokens = refused_once(client, food)
    for material in required(food):
        assert f"<strong>已保留：</strong>材料{material.position}.pdf（1 KB）" in page
        # The file input is described by the kept file and no longer required.
        assert f'aria-describedby="id_file_{material.position}_kept"' in page
    assert f"已保留您选择的 {len(required(food))} 个文件" in page
    assert len(tokens) == len(required(food)) == StagedUpload.objects.filter(
        owner=applicant).count()
    names = list(StagedUpload.objects.values_list("file", flat=True))
    assert all(default_storage.exists(name) for name in names)

    url = reverse("cases:apply", args=[food.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**apply_data(food, **no_files(food)), "kept": tokens})
    assert response.status_code == 302
    case = Case.objects.get(submitted_by=applicant, idempotency_key="page-test-1")
    assert {m.name: m.file.read() for m in case.materials.all()} == {
        m.name: tagged_pdf(f"first-{m.position}") for m in required(food)}
    assert {m.original_name for m in case.materials.all()} == {
        f"材料{m.position}.pdf" for m in required(food)}
    # Used up with the case: no row, and no file left behind.
    assert not StagedUpload.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_another_accounts_token_is_refused_and_tells_nothing(client_for, applicant, food):
    _, tokens = refused_once(client_for(applicant), food)
    other = User.objects.get(username="chuangye")
    url = reverse("cases:apply", args=[food.code])
    page = client_for(other).post(url, {**apply_data(food, **no_files(food)),
                                        "kept": tokens}).content.decode()
    assert f"有 {len(tokens)} 个已保留的文件已失效" in page and "不属于当前账号" in page
    assert "已保留：" not in page and "材料" + str(required(food)[0].position) + ".pdf" not in page
    assert not kept_tokens(page)
    assert not Case.objects.filter(submitted_by=other).exists()
    # Still the applicant's: nothing was used up or deleted.
    assert StagedUpload.objects.filter(owner=applicant).count() == len(tokens)


def test_a_token_of_another_form_is_not_honoured(client_for, applicant, food):
    client = client_for(applicant)
    _, tokens = refused_once(client, food)
    window_like = StagedUpload.objects.filter(token=tokens[0])
    window_like.update(form="cases.apply:SOMETHING-ELSE")
    url = reverse("cases:apply", args=[food.code])
    page = client.post(url, {**apply_data(food, **no_files(food)),
                             "kept": tokens}).content.decode()
    assert "有 1 个已保留的文件已失效" in page
    assert not Case.objects.exists()


def test_an_expired_token_is_refused_and_the_sweep_deletes_it(
        client_for, applicant, food, django_capture_on_commit_callbacks):
    client = client_for(applicant)
    _, tokens = refused_once(client, food)
    names = list(StagedUpload.objects.values_list("file", flat=True))
    later = MONDAY + staging.KEEP_FOR + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        url = reverse("cases:apply", args=[food.code])
        page = client_for(applicant).post(url, {**apply_data(food, **no_files(food)),
                                                "kept": tokens}).content.decode()
        assert "已失效（保留超过 24 小时" in page and "已保留：" not in page
        assert not Case.objects.exists()
        # Not yet expired is not swept.
        assert sweeps.SWEEPS["cases.staged_uploads"](MONDAY) == "清理过期暂存上传文件 0 个"
        with django_capture_on_commit_callbacks(execute=True):
            summary = sweeps.SWEEPS["cases.staged_uploads"](later)
    assert summary == f"清理过期暂存上传文件 {len(tokens)} 个"
    assert not StagedUpload.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_a_newly_chosen_file_replaces_the_kept_one(client_for, applicant, food):
    client = client_for(applicant)
    _, tokens = refused_once(client, food)
    first = required(food)[0]
    url = reverse("cases:apply", args=[food.code])
    response = client.post(url, {**apply_data(food, **{
        **no_files(food), f"file_{first.position}": pdf_file("新版.pdf", "second")}),
        "kept": tokens})
    assert response.status_code == 302
    material = Case.objects.get().materials.get(name=first.name)
    assert (material.original_name, material.file.read()) == ("新版.pdf", tagged_pdf("second"))
    assert not StagedUpload.objects.exists()


def test_a_replacement_chosen_on_a_refused_form_is_kept_instead(client_for, applicant, food):
    client = client_for(applicant)
    _, tokens = refused_once(client, food)
    first = required(food)[0]
    url = reverse("cases:apply", args=[food.code])
    page = client.post(url, {**apply_data(food, phone="", **{
        **no_files(food), f"file_{first.position}": pdf_file("新版.pdf", "second")}),
        "kept": tokens}).content.decode()
    assert "<strong>已保留：</strong>新版.pdf" in page
    assert f"<strong>已保留：</strong>材料{first.position}.pdf" not in page
    again = kept_tokens(page)
    assert len(again) == len(tokens) and tokens[0] not in again
    assert StagedUpload.objects.count() == len(tokens)  # the replaced one is deleted
    assert client.post(url, {**apply_data(food, **no_files(food)),
                             "kept": again}).status_code == 302
    assert Case.objects.get().materials.get(name=first.name).file.read() == tagged_pdf("second")


def test_a_bad_file_is_not_kept_and_the_message_names_it(client_for, applicant, food):
    first, *others = required(food)
    files = {**chosen(food), f"file_{first.position}": SimpleUploadedFile(
        "营业执照.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")}
    url = reverse("cases:apply", args=[food.code])
    page = client_for(applicant).post(url, apply_data(food, **files)).content.decode()
    assert f"所选文件“营业执照.pdf”未保留：材料“{first.name}”不是 PDF、JPG 或 PNG 文件" in page
    assert "已保留：</strong>营业执照.pdf" not in page
    assert StagedUpload.objects.count() == len(others)
    assert set(StagedUpload.objects.values_list("slot", flat=True)) == {
        f"file_{m.position}" for m in others}


def test_a_kept_file_can_be_removed(client_for, applicant, food):
    client = client_for(applicant)
    _, tokens = refused_once(client, food)
    url = reverse("cases:apply", args=[food.code])
    page = client.post(url, {**apply_data(food, **no_files(food)), "kept": tokens,
                             "drop": tokens[0]}).content.decode()
    assert "请上传本材料" in page
    assert not StagedUpload.objects.filter(token=tokens[0]).exists()
    assert set(kept_tokens(page)) == set(tokens[1:])


def test_a_refusal_by_the_service_keeps_the_files_too(client_for, applicant, food):
    client = client_for(applicant)
    url = reverse("cases:apply", args=[food.code])
    # The form passes; the service refuses.
    with mock.patch("zhengwu.cases.services.case_submit",
                    side_effect=InvalidInput("系统繁忙，请稍后再试。")):
        page = client.post(url, apply_data(food, **chosen(food))).content.decode()
    assert "系统繁忙" in page
    tokens = kept_tokens(page)
    assert len(tokens) == len(required(food))
    assert client.post(url, {**apply_data(food, **no_files(food)),
                             "kept": tokens}).status_code == 302


def test_filing_uses_up_the_files_kept_by_an_attempt_whose_page_was_reloaded(
        client_for, applicant, food):
    client = client_for(applicant)
    refused_once(client, food)
    url = reverse("cases:apply", args=[food.code])
    assert client.post(url, apply_data(food)).status_code == 302  # files chosen again
    assert not StagedUpload.objects.exists()


def test_the_window_keeps_the_clerks_files(client_for, clerk, applicant, food):
    client = client_for(clerk)
    url = reverse("cases:window_apply", args=[food.code])
    first = required(food)[0]
    data = {**FORM, **page_answers(food), "idempotency_key": "window-kept", "account_phone": "",
            f"file_{first.position}": pdf_file("窗口扫描.pdf", "window")}
    page = client.post(url, data).content.decode()
    assert "请填写申请人注册账号的手机号" in page and "已保留：</strong>窗口扫描.pdf" in page
    assert StagedUpload.objects.get().owner == clerk
    data.update({"account_phone": applicant.phone, f"file_{first.position}": "",
                 "kept": kept_tokens(page)})
    assert client.post(url, data).status_code == 302
    case = Case.objects.get(applicant=applicant)
    assert case.materials.get(name=first.name).file.read() == tagged_pdf("window")
    assert not StagedUpload.objects.exists()


def test_the_supplement_upload_keeps_a_file_until_the_rest_is_given(
        client_for, food, submit, clerk, applicant):
    case = submit(food)
    case_transition(case_id=case.pk, user=clerk, move=MoveIn(
        action="ask_supplement", supplement_items=[
            {"material": "申请书", "reason": "未签字"}, {"material": "平面图", "reason": "缺少"}]))
    client = client_for(applicant)
    url = reverse("cases:move", args=[case.number, "supplement"])
    page = client.post(url, {"supp_0": pdf_file("签字版.pdf", "signed")}).content.decode()
    assert "请上传本项补正材料" in page and "已保留：</strong>签字版.pdf" in page
    response = client.post(url, {"kept": kept_tokens(page),
                                 "supp_1": pdf_file("平面图.pdf", "plan")})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENTED
    assert case.materials.get(supplement=True, name="申请书").file.read() == tagged_pdf("signed")
    assert not StagedUpload.objects.exists()


def test_the_orphan_sweep_leaves_kept_files_alone(settings, tmp_path, client_for, applicant,
                                                  food):
    import os

    from zhengwu.cases.sweeps import remove_orphan_uploads

    settings.MEDIA_ROOT = tmp_path
    refused_once(client_for(applicant), food)
    names = list(StagedUpload.objects.values_list("file", flat=True))
    assert names and all(name.startswith("cases/staged/") for name in names)
    old = (MONDAY - dt.timedelta(days=3)).timestamp()
    for name in names:
        os.utime(tmp_path / name, (old, old))
    assert remove_orphan_uploads(MONDAY) == 0
    StagedUpload.objects.filter(file=names[0]).delete()  # its row gone: now an orphan
    assert remove_orphan_uploads(MONDAY) == 1
    assert not (tmp_path / names[0]).exists()
    assert all((tmp_path / name).exists() for name in names[1:])


def test_an_account_keeps_a_bounded_number_of_files(monkeypatch, client_for, applicant, food):
    monkeypatch.setattr(staging, "MAX_KEPT", 2)
    _, tokens = refused_once(client_for(applicant), food)
    assert len(tokens) == 3  # shown on the page that kept them …
    # … but only the two newest stay: refusing a form on purpose cannot fill the disk.
    assert StagedUpload.objects.filter(owner=applicant).count() == 2


def test_a_filing_that_fails_after_using_the_kept_files_keeps_them(
        client_for, applicant, food, django_capture_on_commit_callbacks):
    from django.db import transaction

    from zhengwu.cases.services import case_submit
    from zhengwu.cases.tests.conftest import uploads_for

    refused_once(client_for(applicant), food)
    names = list(StagedUpload.objects.values_list("file", flat=True))
    used_up = []

    def file_then_fail() -> None:
        with transaction.atomic():
            case_submit(implementation_id=food.pk, submitted_by=applicant,
                        form_data=dict(FORM), materials=uploads_for(food),
                        staged=f"cases.apply:{food.code}", answers=sample_answers(food))
            used_up.append(not StagedUpload.objects.exists())
            raise RuntimeError("the enclosing step fails")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        file_then_fail()
    assert used_up == [True]  # used up inside the filing's transaction
    assert not Case.objects.exists()
    assert StagedUpload.objects.count() == len(names)
    assert all(default_storage.exists(name) for name in names)
