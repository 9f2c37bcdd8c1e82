"""办理地区 drills down and 部门 follows it (issue 16: at province scale the search page rendered
8,607 options and took ~630 ms). A county deployment offers its townships as before; a
deployment that marks no home region (a province platform) starts from the province and shows
the children of each region on the way to the one picked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from zhengwu.catalog.search_form import INDENT, SearchForm
from zhengwu.departments.models import Department, DepartmentKind
from zhengwu.regions.models import Region

pytestmark = pytest.mark.django_db
TOWN = "430481100000"  # 黄市镇, a town of the Leiyang pack


def options(form: SearchForm, name: str) -> list[tuple[str, str]]:
    field: Any = form.fields[name]
    return [(str(v), str(label)) for v, label in field.choices]


def test_a_county_deployment_offers_its_county_and_townships() -> None:
    form = SearchForm()
    regions = options(form, "region")
    home = Region.objects.get(home=True)
    assert regions[1] == (home.code, home.name)
    townships = Region.objects.filter(parent=home, level__in=["street", "town", "township"])
    assert {code for code, _ in regions[2:]} == {r.code for r in townships}
    assert all(label.startswith(INDENT) for _, label in regions[2:])
    departments = {int(v) for v, _ in options(form, "department")[1:]}
    expected = set(Department.objects.filter(region__code__startswith=home.prefix).exclude(
        kind=DepartmentKind.VILLAGE).values_list("pk", flat=True))
    assert departments == expected


def test_a_picked_township_narrows_the_departments_to_its_own() -> None:
    form = SearchForm({"q": "社保", "region": TOWN})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == TOWN
    departments = {int(v) for v, _ in options(form, "department")[1:]}
    assert departments == set(Department.objects.filter(region_id=TOWN).values_list("pk", flat=True))


def test_a_province_platform_drills_down_from_the_province() -> None:
    Region.objects.filter(home=True).update(home=False)
    first = options(SearchForm(), "region")
    assert [label for _, label in first[1:]] == ["湖南省", INDENT + "衡阳市"]
    county = options(SearchForm({"region": "430400000000"}), "region")
    assert (("430481000000", INDENT * 2 + "耒阳市")) in county
    assert not any(code.startswith("430481") and code != "430481000000" for code, _ in county)
    town = options(SearchForm({"region": TOWN}), "region")
    assert (TOWN, INDENT * 3 + "黄市镇") in town
    assert len(town) < 40  # the path's children, not every region
    # Departments: the province's own when nothing is picked (the pack has none there).
    assert options(SearchForm(), "department") == [("", "全部部门")]


@pytest.mark.parametrize("value", ["999999999999", "430481100200", "abc", "4" * 40])
def test_a_region_that_cannot_be_picked_is_refused_in_words(client: Client, value: str) -> None:
    """A village (its township is picked instead), an unknown code, garbage: a message on the
    page, never a 500, and the words typed stay in the box."""
    form = SearchForm({"q": "社保", "region": value})
    assert not form.is_valid()
    response = client.get("/search/", {"q": "社保卡", "region": value})
    assert response.status_code == 200
    text = response.content.decode()
    assert "办理地区无效：请从列表中选择地区。" in text
    assert 'value="社保卡"' in text


def test_a_department_from_a_link_stays_shown_though_outside_the_region() -> None:
    outside = Department.objects.exclude(region_id=TOWN).exclude(
        kind=DepartmentKind.VILLAGE).first()
    assert outside is not None
    form = SearchForm({"q": "社保", "region": TOWN, "department": str(outside.pk)})
    assert form.is_valid(), form.errors
    assert (str(outside.pk), outside.name) in options(form, "department")


def test_changing_the_region_re_renders_the_picker_out_of_band(client: Client) -> None:
    response = client.get("/search/", {"q": "社保卡", "region": TOWN}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    block = re.search(r'<div id="place-filters"[^>]*hx-swap-oob="innerHTML"[^>]*>(.*?)</div>',
                      text, re.S)
    assert block, text[:500]
    assert f'<option value="{TOWN}" selected>' in block.group(1)
    full = client.get("/search/", {"q": "社保卡", "region": TOWN}).content.decode()
    assert "hx-swap-oob" not in full
    assert "{#" not in full and "{#" not in text  # no template comment shown as text
    assert 'hx-trigger="submit, change from:#search-filters"' in full
