"""我的空间 as JSON (`/api/v1/me`): the caller's own sections (core.personal_space), the same
rows the page shows; a section's further rows a page at a time; the addresses kept to prefill
forms, added, changed and deleted (accounts.services: the same rules as the pages).
Applicants only. `spaces` lists the accounts whose space the caller may open (their own, and
the enterprises they are the legal representative of: accounts.space); `?account=<id>` reads
that space's sections instead of the caller's own."""

# No `from __future__ import annotations`: ninja resolves a view's annotations at import.

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from zhengwu.accounts import services as accounts
from zhengwu.accounts.models import Address, User
from zhengwu.accounts.my_space import address_row
from zhengwu.accounts.selectors import addresses_for
from zhengwu.accounts.space import space_of, space_row, spaces_for
from zhengwu.core import personal_space
from zhengwu.core.schemas import Pagination, PathId

router = Router(tags=["me"], auth=django_auth)


class SectionOut(Schema):
    key: str = Field(description="分区标识，如 cases、messages、accesses、profile、addresses")
    title: str = Field(description="分区标题")
    items: list[dict[str, Any]] = Field(description="前几行（GET /me/sections/{key} 可分页取全部）")
    count: int = Field(description="总行数")
    url: str = Field(description="该分区的完整列表页面，没有则为空")
    extra: dict[str, Any] = Field(description="分区的其他内容（如个人信息）")


class SpaceOut(Schema):
    id: int = Field(description="账号标识（作为 account 参数）")
    name: str
    kind: str = Field(description="person 或 enterprise")
    uscc: str = Field(description="企业的统一社会信用代码；个人为空")


class MeOut(Schema):
    spaces: list[SpaceOut] = Field(description="可进入的空间：本人，及本人任法定代表人的企业")
    sections: list[SectionOut]


class SectionPage(Schema):
    items: list[dict[str, Any]]
    count: int


def _applicant(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # django_auth let only signed-in users through
    personal_space.owner_check(user)
    return user


def _out(section: personal_space.Section, data: personal_space.SectionData) -> dict[str, Any]:
    return {"key": section.key, "title": data.title or section.title, "items": data.items,
            "count": data.count, "url": data.url, "extra": data.extra}


@router.get("", response=MeOut)
def me(request: HttpRequest, account: int | None = None) -> dict[str, Any]:
    """我的空间: every section that applies to the caller (or to the enterprise `account` they
    are the legal representative of: 403 `space.forbidden` otherwise), with its first rows."""
    user = _applicant(request)
    owner = space_of(user, account)
    out = []
    for section in personal_space.sections():
        if section.personal and owner.pk != user.pk:
            continue
        data = section.provide(owner, personal_space.OVERVIEW_ROWS, 0)
        if data is not None:
            out.append(_out(section, data))
    return {"spaces": [space_row(a) for a in spaces_for(user)], "sections": out}


@router.get("/sections/{key}", response=SectionPage)
def me_section(request: HttpRequest, key: str, page: Query[Pagination.Input],
               account: int | None = None) -> dict[str, Any]:
    """One section's rows, `limit`/`offset` as every list; `account` as for `GET /me`."""
    user = _applicant(request)
    owner = space_of(user, account)
    section = personal_space.section(key)
    if section is not None and section.personal and owner.pk != user.pk:
        section = None
    data = section.provide(owner, page.limit, page.offset) if section is not None else None
    if data is None:
        raise Http404("没有这个分区。")
    return {"items": data.items, "count": data.count}


# --- addresses ---------------------------------------------------------------------------------


class AddressIn(Schema):
    label: str = Field(description="名称，如“家”“单位”（最多 20 字）")
    region_code: str = Field(description="所在区划的统计用区划代码（12 位）")
    detail: str = Field(description="详细地址（最多 200 字）")
    postcode: str = Field("", description="邮政编码（6 位数字，可空）")
    is_default: bool = Field(False, description="设为默认地址（填表时优先带出）")


class AddressOut(Schema):
    id: int
    label: str
    region_code: str
    region: str = Field(description="区划名称")
    detail: str
    postcode: str
    is_default: bool
    url: str = Field(description="修改该地址的页面")


def _save(request: HttpRequest, body: AddressIn, address_id: int | None) -> dict[str, Any]:
    user = _applicant(request)
    data = accounts.AddressIn(label=body.label, region_code=body.region_code,
                              detail=body.detail, postcode=body.postcode,
                              is_default=body.is_default)
    try:
        address = accounts.address_save(user=user, data=data, address_id=address_id)
    except Address.DoesNotExist as error:  # another's is absent
        raise Http404("没有这个地址。") from error
    return address_row(address)


@router.get("/addresses", response=SectionPage)
def list_addresses(request: HttpRequest, page: Query[Pagination.Input]) -> dict[str, Any]:
    """The caller's addresses, the default first."""
    rows = addresses_for(_applicant(request))
    return {"items": [address_row(a) for a in rows[page.offset:page.offset + page.limit]],
            "count": rows.count()}


@router.post("/addresses", response={201: AddressOut})
def create_address(request: HttpRequest, body: AddressIn) -> Status[dict[str, Any]]:
    """Add an address (at most 20; 422 `address.limit` beyond)."""
    return Status(201, _save(request, body, None))


@router.put("/addresses/{address_id}", response=AddressOut)
def update_address(request: HttpRequest, address_id: PathId, body: AddressIn) -> dict[str, Any]:
    return _save(request, body, address_id)


@router.delete("/addresses/{address_id}", response={204: None})
def delete_address(request: HttpRequest, address_id: PathId) -> Status[None]:
    try:
        accounts.address_delete(user=_applicant(request), address_id=address_id)
    except Address.DoesNotExist as error:
        raise Http404("没有这个地址。") from error
    return Status(204, None)
