"""The sections of 我的空间 that accounts owns: the profile (who the platform knows the person
to be, at which real-name level) and the addresses kept to prefill forms. Registered in
AccountsConfig.ready() (core.personal_space)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhengwu.accounts import mandates
from zhengwu.accounts.models import Address, Authorization, RealNameLevel, User, UserKind
from zhengwu.accounts.selectors import addresses_for
from zhengwu.accounts.services import ADDRESS_LIMIT
from zhengwu.core import clock, personal_space
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
    return personal_space.SectionData(items=[], count=0, extra={"profile": profile},
                                      title="企业信息" if enterprise else "")


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


def _authorization_row(authorization: Authorization, *, given: bool, today: Any) -> dict[str, Any]:
    other = authorization.agent if given else authorization.principal
    scope = "全部事项" if authorization.scope_all else f"{len(authorization.item_codes)}个事项"
    if authorization.revoked_at is not None:
        state = "已撤销"
    elif not mandates.usable(authorization, today):
        state = "未生效或已过期" if authorization.confirmed_at or authorization.letter_pending \
            else "待委托人确认"
    else:
        state = "有效（委托书待窗口核验）" if authorization.letter_pending else "有效"
    return {"title": f"{'授权给' if given else '受托于'} {other}",
            "meta": f"{authorization.get_kind_display()} · {scope} · "
                    f"{authorization.starts_on:%Y-%m-%d} 至 {authorization.ends_on:%Y-%m-%d} · "
                    f"{state}",
            "url": reverse("accounts:authorizations")}


def authorizations_section(user: User, limit: int, offset: int) -> personal_space.SectionData:
    """My authorizations, given (by me or the enterprise I represent) and received, newest
    first; the 授权管理 page grants, confirms and revokes them."""
    today = clock.today()
    rows = [(a, True) for a in mandates.authorizations_given(user)] + \
        [(a, False) for a in mandates.authorizations_received(user)]
    rows.sort(key=lambda pair: (pair[0].created_at, pair[0].pk), reverse=True)
    return personal_space.SectionData(
        items=[_authorization_row(a, given=given, today=today)
               for a, given in rows[offset:offset + limit]],
        count=len(rows), url=reverse("accounts:authorizations"), url_label="授权管理")


def register() -> None:
    personal_space.register(personal_space.Section(
        key="profile", title="个人信息", order=0, provide=profile_section,
        template="accounts/_my_profile.html"))
    personal_space.register(personal_space.Section(
        key="addresses", title="常用地址", order=80, provide=addresses_section,
        template="accounts/_my_addresses.html", empty="还没有保存地址。保存后，填写申请表时可直接选用。",
        personal=True))
    personal_space.register(personal_space.Section(
        key="authorizations", title="我的授权", order=70, provide=authorizations_section,
        empty="没有授权。企业可授权经办人代为办理，个人可委托他人代办。"))
    personal_space.register_link("profile", personal_space.Link(
        "去实名认证", "accounts:verify",
        when=lambda user: user.realname_level < RealNameLevel.IDENTITY))
    personal_space.register_link("profile", personal_space.Link("更换手机号", "accounts:phone_change"))
    personal_space.register_link("profile", personal_space.Link(
        "注销账号", "accounts:close", when=lambda user: user.kind == UserKind.PERSON))
