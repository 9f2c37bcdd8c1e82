"""The search page's filters fold behind one 筛选 control (issue 16: on a 390 px phone five
dropdowns pushed the first result below the screen): closed until one is in use, then open
and counting what is chosen; the results still follow the search box."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from zhengwu.catalog.views import SEARCH_FILTERS

pytestmark = pytest.mark.django_db


def _fold(text: str) -> str:
    match = re.search(r"<details class=\"filters-fold\"[^>]*>", text)
    assert match, "no 筛选 control"
    return match.group(0)


def test_the_filters_are_folded_until_one_is_used(client: Client) -> None:
    text = client.get("/search/", {"q": "社保卡"}).content.decode()
    assert " open" not in _fold(text)
    assert "<summary>筛选" in text
    for name in SEARCH_FILTERS:  # each still in the form, inside the fold
        assert f'name="{name}"' in text.split('class="filters-fold"', 1)[1].split("</details>")[0]
    assert text.index("filters-fold") < text.index('id="results"')


def test_a_filter_in_use_opens_the_fold_and_is_counted(client: Client) -> None:
    text = client.get("/search/", {"q": "社保卡", "audience": "person", "level": "4"}).content.decode()
    assert " open" in _fold(text)
    assert "筛选（已选2项）" in text
