"""Case pages. The detail page shows the timeline and the notices of a case to whoever may
see it (the applicant, the window, the department, supervisors)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengwu.cases import selectors
from zhengwu.cases.access import may_unmask
from zhengwu.core.masking import mask_citizen_id, mask_phone


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    case = selectors.case_get(user=user, number=number)  # type: ignore[arg-type]
    unmasked = case.applicant_id == user.pk or may_unmask(user)  # type: ignore[arg-type]
    return render(request, "cases/detail.html", {
        "case": case, "events": selectors.case_timeline(case),
        "notices": case.notices.all(), "materials": case.materials.all(),
        "id_number": case.applicant_id_number if unmasked else mask_citizen_id(
            case.applicant_id_number),
        "phone": case.applicant_phone if unmasked else mask_phone(case.applicant_phone),
    })
