"""Rules of the 12-digit 统计用区划代码 (NBS 编制规则), pure.

Township segment (digits 7–9): 001–099 街道, 100–199 镇, 200–399 乡.
Village segment (digits 10–12): 001–199 居委会/社区, 200–399 村委会.
"""

from __future__ import annotations

import re

from zhengwu.regions.models import PREFIX_LENGTH, RegionLevel

_CODE = re.compile(r"^\d{12}$")


class RegionCodeError(ValueError):
    pass


def level_of(code: str) -> RegionLevel:
    """The level a well-formed code denotes, from where its trailing zeros begin."""
    if not _CODE.match(code):
        raise RegionCodeError(f"区划代码应为12位数字：{code!r}")
    if code[2:] == "0" * 10:
        return RegionLevel.PROVINCE
    if code[4:] == "0" * 8:
        return RegionLevel.CITY
    if code[6:] == "0" * 6:
        return RegionLevel.COUNTY
    if code[9:] == "000":
        township = int(code[6:9])
        if township < 100:
            return RegionLevel.STREET
        if township < 200:
            return RegionLevel.TOWN
        return RegionLevel.TOWNSHIP
    return RegionLevel.COMMUNITY if int(code[9:]) < 200 else RegionLevel.VILLAGE


def prefix_of(code: str, level: str) -> str:
    return code[: PREFIX_LENGTH[RegionLevel(level)]]


def validate_region_code(code: str, level: str | None = None) -> str:
    """Return the code if it is 12 digits and agrees with the declared level."""
    actual = level_of(code)
    if level is not None and RegionLevel(level) != actual:
        # Village segments ≥ 400 and township codes outside the ranges exist in special zones;
        # only the coarse level (province/city/county/township/village) must agree.
        coarse = {RegionLevel.STREET: "t", RegionLevel.TOWN: "t", RegionLevel.TOWNSHIP: "t",
                  RegionLevel.COMMUNITY: "v", RegionLevel.VILLAGE: "v"}
        if coarse.get(RegionLevel(level), level) != coarse.get(actual, actual):
            raise RegionCodeError(f"区划代码 {code} 的层级应为 {actual.label}，而不是 {level}")
    return code
