"""The holder's licences as JSON: `GET /api/v1/licences/mine` — the rows 我的证照 shows
(licences.my_space), masked, the caller's own only."""

# No `from __future__ import annotations`: ninja resolves a view's annotations at import.

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.accounts.space import space_of
from zhengwu.core.schemas import Pagination
from zhengwu.licences.my_space import licence_row
from zhengwu.licences.selectors import licences_of_holder

router = Router(tags=["licences"], auth=django_auth)


class LicenceOut(Schema):
    identifier: str = Field(description="证照标识（GB/T 36904）")
    title: str = Field(description="证照类型名称")
    type_code: str = Field(description="证照类型代码")
    version: int
    holder_name: str = Field(description="持证主体（个人姓名脱敏）")
    holder_id: str = Field(description="证件号码（个人脱敏；企业为统一社会信用代码）")
    issuer: str = Field(description="颁证机构")
    status: str = Field(description="valid、suspended、revoked、superseded、expired")
    status_label: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None = Field(description="空为长期有效")
    pdf_url: str = Field(description="下载 PDF（仅持证人本人，记录日志）")
    credential_url: str = Field(description="下载签名数据 JSON（仅持证人本人，记录日志）")
    verify_url: str = Field(description="公开核验短地址（二维码内容为同一地址，协议和主机名为大写）")


class LicencePage(Schema):
    items: list[LicenceOut]
    count: int


@router.get("/mine", response=LicencePage)
def licences_mine(request: HttpRequest, page: Query[Pagination.Input],
                  account: int | None = None) -> dict[str, Any]:
    """我的证照: the caller's licences, newest first (superseded versions left out); with
    `account`, those of an enterprise the caller is the legal representative of (its id, as
    `GET /api/v1/me` lists the spaces; 403 `space.forbidden` for any other)."""
    user = request.user
    assert isinstance(user, User)  # django_auth
    licences = licences_of_holder(space_of(user, account))
    return {"items": [licence_row(licence)
                      for licence in licences[page.offset:page.offset + page.limit]],
            "count": licences.count()}
