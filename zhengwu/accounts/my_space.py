"""The sections of 我的空间 that accounts owns: the profile (who the platform knows the person
to be, at which real-name level) and the addresses kept to prefill forms. Registered in
AccountsConfig.ready() (core.personal_space)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.accounts.models import Address, RealNameLevel, User, UserKind
from zhengwu.accounts.selectors import addresses_for
from zhengwu.accounts.services import ADDRESS_LIMIT
from zhengwu.core import personal_space
from zhengwu.core.masking import mask_citizen_id, mask_phone


def profile_section(user: User, limit: int, offset: int) -> personal_space.SectionData:
    """Name, masked ID number and phone (as in every list: the whole number is on the
    person's own case pages), and the real-name level with how and when it was reached."""
    enterprise = user.kind == UserKind.ENTERPRISE
    profile: dict[str, Any] = {
        "name": user.display_name or user.username,
        "kind": user.kind, "kind_label": user.get_kind_display(),
        "id_label": "统一社会信用代码" if enterprise else "身份证号码",
        "id_number": mask_citizen_id(user.citizen_id) if not enterprise and user.citizen_id
        else user.uscc if enterprise else "",
        "phone": mask_phone(user.phone) if user.phone else "",
        "realname_level": user.realname_level,
        "realname_label": RealNameLevel(user.realname_level).label,
        "identity_method": user.get_identity_method_display() if user.identity_method else "",
        "identity_verified_at": user.identity_verified_at,
    }
    return personal_space.SectionData(items=[], count=0, extra={"profile": profile})


def address_row(address: Address) -> dict[str, Any]:
    return {"id": address.pk, "label": address.label, "region_code": address.region_id,
            "region": address.region.name, "detail": address.detail,
            "postcode": address.postcode, "is_default": address.is_default,
            "url": reverse("accounts:address_edit", args=[address.pk])}


def addresses_section(user: User, limit: int, offset: int) -> personal_space.SectionData:
    rows = addresses_for(user)
    return personal_space.SectionData(
        items=[address_row(a) for a in rows[offset:offset + limit]], count=rows.count(),
        url=reverse("accounts:addresses"), url_label="管理常用地址",
        extra={"limit": ADDRESS_LIMIT})


def register() -> None:
    personal_space.register(personal_space.Section(
        key="profile", title="个人信息", order=0, provide=profile_section,
        template="accounts/_my_profile.html"))
    personal_space.register(personal_space.Section(
        key="addresses", title="常用地址", order=80, provide=addresses_section,
        template="accounts/_my_addresses.html", empty="还没有保存地址。保存后，填写申请表时可直接选用。"))
