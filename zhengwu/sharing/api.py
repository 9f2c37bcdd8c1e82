"""数据共享 as JSON (`/api/v1/sharing`): the catalogue, the caller's own data-use log (also
`GET /api/v1/me/sections/data_uses`), the holder's preview of their own data, and a
shared-data request of the caller's own case (another's is a 404)."""

# No `from __future__ import annotations`: ninja resolves a view's annotations at import.

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.accounts.space import space_of
from zhengwu.core import personal_space
from zhengwu.core.schemas import Pagination, PathId
from zhengwu.sharing.models import ITEM_CODE_PATTERN, SharingRequest
from zhengwu.sharing.selectors import catalogue, request_for_applicant, use_rows, uses_for
from zhengwu.sharing.services import item_labels, shared_data_preview

router = Router(tags=["sharing"])
ItemCode = Annotated[str, Path(pattern=ITEM_CODE_PATTERN, description="共享数据项编码")]


class SharedFieldOut(Schema):
    key: str
    label: str


class SharedItemOut(Schema):
    code: str = Field(description="数据项编码")
    name: str
    provider: str = Field(description="提供部门")
    subject_kind: str = Field(description="person 个人 / enterprise 企业")
    fields: list[SharedFieldOut]
    legal_basis: str = Field(description="共享依据")
    requesters: str = Field(description="共享条件：可申请的部门与用途")
    illustrative: bool = Field(description="示例数据")


class DataUseOut(Schema):
    seq: int = Field(description="记录序号（哈希链）")
    at: dt.datetime
    kind: str = Field(description="preview、use_in_case、verification、qr_scan、download、"
                                  "ex_officio_check、shared_data_query")
    kind_label: str
    who: str = Field(description="使用人（工作人员姓名，或“本人”“公众”）")
    role: str = Field(description="使用人的角色")
    department: str
    case_number: str
    basis: str = Field(description="consent、legal_basis、holder、presented")
    basis_label: str
    basis_text: str = Field(description="依据（法定依据须写明）")
    purpose: str
    what: str = Field(description="证照或共享数据项名称")
    licence_id: str
    item_code: str
    url: str = Field(description="该次调用取得的共享数据（本人办件的共享数据查询），没有则为空")


class DataUsePage(Schema):
    items: list[DataUseOut]
    count: int


class LabelledValue(Schema):
    label: str
    value: str


class SharedPreviewOut(Schema):
    item: str
    rows: list[LabelledValue]


class SharingRequestOut(Schema):
    id: int
    case_number: str
    item: str
    provider: str
    purpose: str
    basis: str
    basis_text: str
    at: dt.datetime
    rows: list[LabelledValue]
    data_sm3: str


def _holder(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    personal_space.owner_check(user)
    return user


def _rows(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for label, value in pairs]


@router.get("/items", response=list[SharedItemOut])
def items(request: HttpRequest) -> list[dict[str, Any]]:
    """共享数据目录: every item, its provider, fields and legal basis."""
    return [{"code": i.code, "name": i.name, "provider": i.provider.name,
             "subject_kind": i.subject_kind, "fields": i.fields, "legal_basis": i.legal_basis,
             "requesters": i.requesters, "illustrative": i.illustrative} for i in catalogue()]


@router.get("/uses", response=DataUsePage, auth=django_auth)
def uses(request: HttpRequest, page: Query[Pagination.Input],
         account: int | None = None) -> dict[str, Any]:
    """谁用了我的证照和数据: the caller's own uses, newest first (`limit`/`offset`); with
    `account`, those of an enterprise the caller is the legal representative of (as `GET
    /api/v1/me` lists the spaces; 403 `space.forbidden` for any other)."""
    rows = uses_for(space_of(_holder(request), account))
    return {"items": use_rows(list(rows[page.offset:page.offset + page.limit])),
            "count": rows.count()}


@router.post("/items/{code}/preview", response=SharedPreviewOut, auth=django_auth)
def preview(request: HttpRequest, code: ItemCode) -> dict[str, Any]:
    """The caller's own data for one item (logged as their preview); 404 `sharing.no_data`
    when the provider holds none."""
    user = _holder(request)
    data = shared_data_preview(user=user, item_code=code)
    item = catalogue().get(code=code)
    return {"item": item.name, "rows": _rows(item_labels(item, data))}


@router.get("/requests/{request_id}", response=SharingRequestOut, auth=django_auth)
def request_detail(request: HttpRequest, request_id: PathId) -> dict[str, Any]:
    """A shared data item fetched for the caller's own case; another's is a 404."""
    try:
        req = request_for_applicant(_holder(request), request_id)
    except SharingRequest.DoesNotExist as error:
        raise Http404 from error
    return {"id": req.pk, "case_number": req.case_number, "item": req.item.name,
            "provider": req.item.provider.name, "purpose": req.purpose, "basis": req.basis,
            "basis_text": req.basis_text, "at": req.created_at,
            "rows": _rows(item_labels(req.item, req.data)), "data_sm3": req.data_sm3}
