"""我的空间 as JSON (`/api/v1/me`): the caller's own sections (core.personal_space), the same
rows the page shows; a section's further rows a page at a time. Applicants only."""

# No `from __future__ import annotations`: ninja resolves a view's annotations at import.

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from zhengwu.accounts.models import User
from zhengwu.core import personal_space
from zhengwu.core.schemas import Pagination

router = Router(tags=["me"], auth=django_auth)


class SectionOut(Schema):
    key: str = Field(description="分区标识，如 cases、messages、accesses、profile、addresses")
    title: str = Field(description="分区标题")
    items: list[dict[str, Any]] = Field(description="前几行（GET /me/sections/{key} 可分页取全部）")
    count: int = Field(description="总行数")
    url: str = Field(description="该分区的完整列表页面，没有则为空")
    extra: dict[str, Any] = Field(description="分区的其他内容（如个人信息）")


class MeOut(Schema):
    sections: list[SectionOut]


class SectionPage(Schema):
    items: list[dict[str, Any]]
    count: int


def _applicant(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # django_auth let only signed-in users through
    if user.is_staff:
        raise PermissionDenied("我的空间是办事群众和企业的个人空间，工作人员不可使用。")
    return user


def _out(section: personal_space.Section, data: personal_space.SectionData) -> dict[str, Any]:
    return {"key": section.key, "title": section.title, "items": data.items,
            "count": data.count, "url": data.url, "extra": data.extra}


@router.get("", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    """我的空间: every section that applies to the caller, with its first rows."""
    user = _applicant(request)
    out = []
    for section in personal_space.sections():
        data = section.provide(user, personal_space.OVERVIEW_ROWS, 0)
        if data is not None:
            out.append(_out(section, data))
    return {"sections": out}


@router.get("/sections/{key}", response=SectionPage)
def me_section(request: HttpRequest, key: str,
               page: Query[Pagination.Input]) -> dict[str, Any]:
    """One section's rows, `limit`/`offset` as every list."""
    user = _applicant(request)
    section = personal_space.section(key)
    data = section.provide(user, page.limit, page.offset) if section is not None else None
    if data is None:
        raise Http404("没有这个分区。")
    return {"items": data.items, "count": data.count}
