"""The Leiyang pack: size, real divisions, valid codes, idempotent loading, clear errors."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from zhengwu.catalog.codes import parse_implementation_code
from zhengwu.catalog.models import ItemImplementation, Level
from zhengwu.core.codes import is_valid_uscc
from zhengwu.departments.models import Department
from zhengwu.packs.loader import PackError, pack_load
from zhengwu.regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_pack_has_the_plans_1600_implementations_across_three_levels():
    implementations = ItemImplementation.objects.filter(status="published")
    assert implementations.count() >= 1600
    levels = set(implementations.values_list("level", flat=True))
    assert {Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE} <= levels


def test_the_divisions_are_the_2023_table():
    county = Region.objects.get(code="430481000000")
    assert county.name == "耒阳市"
    assert county.children.count() == 30
    assert Region.objects.filter(code__startswith="430481", level__in=["community", "village"]).count() == 380
    assert Region.objects.get(code="430481214000").name == "大和圩乡"


def test_every_code_is_valid():
    assert all(is_valid_uscc(u) for u in Department.objects.values_list("uscc", flat=True))
    for impl in ItemImplementation.objects.select_related("department", "item").iterator():
        parsed = parse_implementation_code(impl.code)
        assert parsed.uscc == impl.department.uscc
        assert parsed.level == impl.level
        assert parsed.basic_code == impl.item.basic_code


def test_loading_again_changes_nothing():
    report = pack_load(settings.ZHENGWU_DEFAULT_PACK)
    assert (report.regions, report.departments, report.synonyms, report.people) == (0, 0, 0, 0)
    assert (report.catalog.created, report.catalog.updated) == (0, 0)


def test_a_broken_pack_loads_nothing(tmp_path: Path):
    pack = tmp_path / "pack"
    shutil.copytree(settings.ZHENGWU_DEFAULT_PACK, pack, ignore=shutil.ignore_patterns("tools"))
    lines = (pack / "implementations.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace("430481", "999999", 1)
    (pack / "implementations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (pack / "departments.csv").write_text(
        (pack / "departments.csv").read_text(encoding="utf-8"), encoding="utf-8")
    count = ItemImplementation.objects.count()
    with pytest.raises(PackError):
        pack_load(pack)
    assert ItemImplementation.objects.count() == count


def test_the_pack_marks_its_home_region():
    from zhengwu.regions.selectors import home_region

    assert home_region().code == "430481000000"
