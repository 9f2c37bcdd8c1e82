"""Regions nest by code prefix (统计用区划代码 编制规则): the loader refuses a parent whose code
does not begin the region's, so that region_ancestors and the search picker can find a
region's ancestors and their children in one query each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.core.audit import SYSTEM
from zhengwu.core.errors import InvalidInput
from zhengwu.regions.models import Region
from zhengwu.regions.selectors import picker_tree, region_ancestors
from zhengwu.regions.services import RegionRow, regions_load

pytestmark = pytest.mark.django_db

ROWS = [RegionRow("990000000000", "测试省", "province", ""),
        RegionRow("990100000000", "测试市", "city", "990000000000"),
        RegionRow("990102000000", "测试区", "county", "990100000000"),
        RegionRow("990102100000", "测试镇", "town", "990102000000"),
        RegionRow("990102100200", "测试村", "village", "990102100000"),
        RegionRow("990200000000", "另一市", "city", "990000000000")]


def test_ancestors_come_in_one_query_from_the_province_down() -> None:
    regions_load(rows=ROWS, actor=SYSTEM)
    village = Region.objects.get(code="990102100200")
    with CaptureQueriesContext(connection) as queries:
        chain = region_ancestors(village)
    assert [r.name for r in chain] == ["测试省", "测试市", "测试区", "测试镇", "测试村"]
    assert len(queries) == 1


def test_the_picker_opens_the_path_in_one_query_for_the_children() -> None:
    regions_load(rows=ROWS, actor=SYSTEM)
    province = Region.objects.get(code="990000000000")
    county = Region.objects.get(code="990102000000")
    with CaptureQueriesContext(connection) as queries:
        tree = picker_tree(county, [province])
    assert [(r.name, depth) for r, depth in tree] == [
        ("测试省", 0), ("测试市", 1), ("测试区", 2), ("测试镇", 3), ("另一市", 1)]
    assert len(queries) == 2  # the ancestors, then every list the walk opens


def test_a_parent_whose_code_does_not_begin_the_regions_is_refused_whole() -> None:
    rows = [*ROWS, RegionRow("990301000000", "错挂区", "county", "990100000000")]
    with pytest.raises(InvalidInput) as refused:
        regions_load(rows=rows, actor=SYSTEM)
    assert "区划代码 990301000000 不在上级区划 990100000000 之下" in str(refused.value)
    assert not Region.objects.filter(code__startswith="99").exists()
