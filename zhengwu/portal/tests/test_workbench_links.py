"""Every link the workbench shows a member of staff opens for them: a link to a page its user
may not open (403) or that does not exist (404) is a defect, not a detail. And the pages a
role works on are linked from the workbench at all (the hall, 好差评, 办不成事, 帮代办)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from zhengwu.accounts.models import User

pytestmark = pytest.mark.django_db

STAFF = ("clerk", "reviewer", "chief", "proxy", "catalog", "supervisor", "hotline", "admin",
         "hallmgr")
# What each role must find there (the capability's entry page).
MUST_LINK = {
    "clerk": ("hall:staff", "unresolved:staff_new"),
    "reviewer": ("openness:staff_list", "openness:staff_column", "market:projects",
                 "inspections:inspectors"),
    "catalog": ("market:review", "market:experts", "market:complaints"),
    "chief": ("hall:staff", "evaluations:staff_list", "unresolved:staff_list",
              "openness:staff_list"),
    "hallmgr": ("hall:staff", "unresolved:staff_overview", "assistance:home"),
    "proxy": ("assistance:home",),
    "supervisor": ("evaluations:indicators", "unresolved:staff_overview", "openness:staff_list",
                   "market:projects", "inspections:inspectors", "market:complaints"),
}
HREF = re.compile(r'href="(/[^"#?]*)[^"]*"')


@pytest.mark.parametrize("username", STAFF)
def test_every_workbench_link_opens_for_its_user(username: str, client_for: Any) -> None:
    client = client_for(User.objects.get(username=username))
    page = client.get(reverse("staff:workbench"))
    assert page.status_code == 200
    main = page.content.decode().split('<main', 1)[1].split("</main>", 1)[0]
    links = sorted({href for href in HREF.findall(main)
                    if not href.startswith(("/admin/", "/static/"))})
    for name in MUST_LINK.get(username, ()):
        assert reverse(name) in links, (username, name)
    for href in links:
        assert client.get(href).status_code == 200, (username, href)


def test_every_link_of_the_home_page_opens_for_anyone(client_for: Any) -> None:
    """The portal's navigation, cards and footer (the hall, 好差评公开, 办不成事反映 …)."""
    client = client_for(None)
    page = client.get("/").content.decode()
    links = sorted(set(HREF.findall(page)) - {"/"})
    for name in ("hall:list", "hall:book", "evaluations:public", "unresolved:new",
                 "unresolved:public", "openness:column"):
        assert reverse(name) in links, name
    for href in links:
        if href.startswith("/static/"):
            continue
        # 长辈版 switches the mode and goes back (302); everything else is a page.
        assert client.get(href).status_code == (302 if href == reverse("portal:elder") else 200), \
            href
