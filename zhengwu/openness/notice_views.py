"""The answer notice of a 依申请公开 request (政府信息公开申请答复告知书): its PDF, for the
requester or the agency's staff (a staff download is a logged read: it prints the requester's
name), and its public verification page (no personal data), which the printed QR code opens.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zhengwu.accounts.models import User
from zhengwu.core.http import private_attachment
from zhengwu.openness import notices, selectors, services
from zhengwu.openness.models import OpennessRequest, RequestNotice


@login_required
def notice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    user = cast(User, request.user)
    try:
        row = (selectors.request_for_staff(user, number) if user.is_staff
               else selectors.request_for_person(user, number))
    except OpennessRequest.DoesNotExist:
        raise Http404("申请不存在") from None
    notice = row.notices.first()
    if notice is None:
        raise Http404("该申请尚未答复")
    if user.is_staff:
        services.request_read(row=row, user=user, purpose="下载答复告知书")
    return private_attachment(notices.notice_pdf(notice), "application/pdf",
                              f"政府信息公开申请答复告知书-{row.number}.pdf")


def notice_verify(request: HttpRequest, code: str) -> HttpResponse:
    """文书核验: what the printed QR code opens; no sign-in, no personal data."""
    if len(code) > 32 or not code.isalnum():
        raise Http404("文书不存在")
    notice = RequestNotice.objects.select_related("application__department").filter(
        verify_code=code).first()
    if notice is None:
        raise Http404("文书不存在")
    return render(request, "openness/notice_verify.html", {
        "notice": notice, "signature": notices.signature_of(notice)})
