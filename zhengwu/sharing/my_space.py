"""我的空间's section “谁用了我的证照和数据” (core.personal_space): the latest uses of the
person's own licences and shared data, read from the use log through a selector scoped to the
person. The full list is /my/data-uses/; the API is `GET /api/v1/me/sections/data_uses` (the
registry's paging) and `GET /api/v1/sharing/uses`."""

from __future__ import annotations

from django.urls import reverse

from zhengwu.accounts.models import User
from zhengwu.core import personal_space
from zhengwu.sharing.selectors import use_rows, uses_for

SECTION_KEY = "data_uses"


def uses_section(user: User, limit: int, offset: int) -> personal_space.SectionData:
    uses = uses_for(user)
    return personal_space.SectionData(
        items=use_rows(list(uses[offset:offset + limit])), count=uses.count(),
        url=reverse("sharing:my_uses"))


def register() -> None:
    personal_space.register(personal_space.Section(
        key=SECTION_KEY, title="谁用了我的证照和数据", order=65, provide=uses_section,
        template="sharing/_my_uses.html",
        empty="还没有人使用过您的电子证照或共享数据。每次预览、办件使用、核验、扫码、下载和依职能核查都会记在这里。"))
