"""我的证照: the holder's licences in 我的空间 (core.personal_space) and in `GET
/api/v1/licences/mine` — the same rows, masked: the holder's name and ID number as every list
shows them; the whole licence is in the PDF and the signed JSON the holder downloads."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.core import personal_space
from zhengwu.licences.models import Licence, LicenceStatus
from zhengwu.licences.pdf import verify_url
from zhengwu.licences.selectors import licences_of_holder, status_now


def licence_row(licence: Licence) -> dict[str, Any]:
    status = status_now(licence)
    until = f"{licence.valid_until:%Y-%m-%d}" if licence.valid_until else "长期"
    return {
        "identifier": licence.identifier, "title": licence.licence_type.name,
        "type_code": licence.licence_type.code, "version": licence.version,
        "holder_name": licence.holder_name, "holder_id": licence.holder_id_display,
        "issuer": licence.issuer_department.name, "status": status,
        "status_label": LicenceStatus(status).label,
        "valid_from": licence.valid_from, "valid_until": licence.valid_until,
        "meta": f"{licence.issuer_department.name} · {LicenceStatus(status).label} · "
                f"有效期至 {until}",
        "url": reverse("licences:mine", args=[licence.identifier]),
        "pdf_url": reverse("licences:pdf", args=[licence.identifier]),
        "credential_url": reverse("licences:credential", args=[licence.identifier]),
        "verify_url": verify_url(licence),
    }


def licences_section(user: Any, limit: int, offset: int) -> personal_space.SectionData | None:
    """The account's licences, newest first; None for staff (no section)."""
    if getattr(user, "is_staff_user", False):
        return None
    licences = licences_of_holder(user)
    return personal_space.SectionData(
        items=[licence_row(licence) for licence in licences[offset:offset + limit]],
        count=licences.count())


def register() -> None:
    personal_space.register(personal_space.Section(
        key="licences", title="我的证照", order=25, provide=licences_section,
        template="licences/_my_licences.html",
        empty="还没有电子证照。事项办结准予后，颁发的电子证照会出现在这里。"))
