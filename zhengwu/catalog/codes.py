"""Service-item codes: 基本编码 and 实施编码 of the 政务服务事项 catalogue, and their code sets.

Pure functions, no Django. Sources (shared standards-notes §1):

- The layout is decoded from live national-platform data [D]; the text of GB/T 39554.1-2020
  《全国一体化政务服务平台 政务服务事项基本目录及实施清单 第1部分：编码要求》 was not available.
  - 基本编码, 12 digits ``SS TT MMMMM BBB``: SS is ``00`` for the national catalogue or the
    2-digit GB/T 2260 province code for provincially added items; TT is the 事项类型代码; MMMMM
    the main item and BBB the sub-item (``000`` when there is none; the 5 + 3 split is inferred).
  - 实施编码, 31 characters: the 实施主体's 18-character 统一社会信用代码 (GB 32100-2015, both
    check characters), 1 digit of 行使层级, then the 12-digit 基本编码. Neither code has a check
    character of its own; the only one inside is the USCC's.
- GB/T 39046-2020 gives the lengths as an..10 and an..24, which the live data contradicts, so the
  lengths here follow the data (standards-notes §1, "Conflict").
- Code sets from GB/T 39046-2020 Appendix A: A.1 事项类型 (`ITEM_TYPES`), A.2 行使层级
  (`LEVELS`). A.1 marks 11… and 21… as extensible; only the listed codes are accepted until a
  deployment needs another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from zhengwu.core.codes import CodeError, normalize_code, validate_uscc

__all__ = [
    "BASIC_CODE_LENGTH",
    "IMPLEMENTATION_CODE_LENGTH",
    "ITEM_TYPES",
    "LEVELS",
    "NATIONAL_PREFIX",
    "PROVINCES",
    "CatalogCodeError",
    "ImplementationCode",
    "make_basic_code",
    "make_implementation_code",
    "parse_implementation_code",
    "validate_basic_code",
    "validate_implementation_code",
]

BASIC_CODE_LENGTH: Final = 12
IMPLEMENTATION_CODE_LENGTH: Final = 31
USCC_LENGTH: Final = 18
MAIN_SEQ_MAX: Final = 99_999
SUB_SEQ_MAX: Final = 999
DIGITS: Final = "0123456789"

NATIONAL_PREFIX: Final = "00"

# GB/T 39046-2020 Table A.1 事项类型代码. 00 行政权力事项 is the parent of 01–10, not an item type.
ITEM_TYPES: Final[dict[str, str]] = {
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他类别事项",  # 其他行政权力
    "20": "公共服务事项",
}

# GB/T 39046-2020 Table A.2 行使层级代码.
LEVELS: Final[dict[str, str]] = {
    "1": "国家级",
    "2": "省级",
    "3": "市级",
    "4": "县级",
    "5": "镇（乡、街道）级",
    "6": "村（社区）级",
    "7": "分级管理",
}

# GB/T 2260 province-level division codes: the SS of a provincially added item.
PROVINCES: Final[dict[str, str]] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}


class CatalogCodeError(ValueError):
    """A 基本编码 or 实施编码 is malformed; the Chinese message says exactly what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImplementationCode:
    """A parsed 实施编码. The basic-code parts mirror the arguments of `make_basic_code`."""

    uscc: str
    level: int
    basic_code: str
    prefix: str
    item_type: str
    main_seq: int
    sub_seq: int

    @property
    def code(self) -> str:
        """The 31-character 实施编码."""
        return f"{self.uscc}{self.level}{self.basic_code}"

    @property
    def level_label(self) -> str:
        return LEVELS[str(self.level)]

    @property
    def item_type_label(self) -> str:
        return ITEM_TYPES[self.item_type]

    @property
    def is_national(self) -> bool:
        """True for an item of the national basic catalogue (prefix ``00``)."""
        return self.prefix == NATIONAL_PREFIX


def _check_prefix(prefix: str, where: str) -> None:
    if prefix != NATIONAL_PREFIX and prefix not in PROVINCES:
        raise CatalogCodeError(
            f"{where}前2位应为00（国家基本目录）或省级行政区划代码，实为“{prefix}”"
        )


def _check_item_type(item_type: str, where: str) -> None:
    if item_type not in ITEM_TYPES:
        known = "、".join(ITEM_TYPES)
        raise CatalogCodeError(f"{where}的事项类型代码应为 {known} 之一，实为“{item_type}”")


def validate_basic_code(s: str) -> str:
    """Return the canonical 12-digit 基本编码, or raise `CatalogCodeError`.

    Checks: 12 ASCII digits; prefix ``00`` or a province code; a known 事项类型 code.
    """
    code = normalize_code(s)
    if len(code) != BASIC_CODE_LENGTH:
        raise CatalogCodeError(f"基本编码应为12位，实为{len(code)}位")
    for index, char in enumerate(code):
        if char not in DIGITS:
            raise CatalogCodeError(f"基本编码应全为数字，第{index + 1}位为“{char}”")
    _check_prefix(code[:2], "基本编码")
    _check_item_type(code[2:4], "基本编码")
    return code


def parse_implementation_code(s: str) -> ImplementationCode:
    """Split a 31-character 实施编码 into its parts, validating each; raise `CatalogCodeError`."""
    code = normalize_code(s)
    if len(code) != IMPLEMENTATION_CODE_LENGTH:
        raise CatalogCodeError(
            f"实施编码应为31位（18位统一社会信用代码＋1位行使层级＋12位基本编码），实为{len(code)}位"
        )
    try:
        uscc = validate_uscc(code[:USCC_LENGTH])
    except CodeError as error:
        raise CatalogCodeError(f"实施编码前18位（实施主体代码）无效：{error.message}") from error
    level = code[USCC_LENGTH]
    if level not in LEVELS:
        raise CatalogCodeError(f"实施编码第19位（行使层级）应为1–7，实为“{level}”")
    try:
        basic = validate_basic_code(code[USCC_LENGTH + 1 :])
    except CatalogCodeError as error:
        raise CatalogCodeError(f"实施编码后12位无效：{error.message}") from error
    return ImplementationCode(
        uscc=uscc,
        level=int(level),
        basic_code=basic,
        prefix=basic[:2],
        item_type=basic[2:4],
        main_seq=int(basic[4:9]),
        sub_seq=int(basic[9:]),
    )


def validate_implementation_code(s: str) -> str:
    """Return the canonical 31-character 实施编码, or raise `CatalogCodeError`."""
    return parse_implementation_code(s).code


def make_basic_code(*, prefix: str, item_type: str, main_seq: int, sub_seq: int = 0) -> str:
    """Build a 12-digit 基本编码 from its parts; raise `CatalogCodeError` if a part is out of range.

    ``prefix`` is ``00`` or a province code, ``item_type`` a key of `ITEM_TYPES`, ``main_seq``
    0–99999 and ``sub_seq`` 0–999 (0 when the item has no sub-items).
    """
    prefix = normalize_code(prefix)
    item_type = normalize_code(item_type)
    _check_prefix(prefix, "基本编码")
    _check_item_type(item_type, "基本编码")
    # bool is an int subclass; True as a sequence number is a bug at the call site.
    if isinstance(main_seq, bool) or not 0 <= main_seq <= MAIN_SEQ_MAX:
        raise CatalogCodeError(f"主项序号应在0–{MAIN_SEQ_MAX}之间，实为{main_seq}")
    if isinstance(sub_seq, bool) or not 0 <= sub_seq <= SUB_SEQ_MAX:
        raise CatalogCodeError(f"子项序号应在0–{SUB_SEQ_MAX}之间，实为{sub_seq}")
    return f"{prefix}{item_type}{main_seq:05d}{sub_seq:03d}"


def make_implementation_code(*, uscc: str, level: int, basic_code: str) -> str:
    """Build a 31-character 实施编码; each part is validated, raising `CatalogCodeError`."""
    if isinstance(level, bool) or str(level) not in LEVELS:
        raise CatalogCodeError(f"行使层级应为1–7，实为{level}")
    try:
        canonical_uscc = validate_uscc(uscc)
    except CodeError as error:
        raise CatalogCodeError(f"实施主体代码无效：{error.message}") from error
    return f"{canonical_uscc}{level}{validate_basic_code(basic_code)}"
