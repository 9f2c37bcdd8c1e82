"""The public texts of a published 12345 answer are prefilled with personal data removed
(hotline.redact): mobiles, 18-digit IDs, 固话 and e-mails entirely (no digits kept), names after
我叫/本人 and the caller's own name wherever it appears masked to the surname."""

from __future__ import annotations

import pytest

from zhengwu.hotline.redact import redact


@pytest.mark.parametrize(("text", "expected"), [
    # 11-digit mobiles, alone, with +86 and with separators; an order number is not a phone.
    ("请回电13812345678。", "请回电（已隐去电话号码）。"),
    ("电话：+86 138-1234-5678", "电话：（已隐去电话号码）"),
    ("工单号GD202612070001不变", "工单号GD202612070001不变"),
    # 18-digit IDs, an X at the end too; the ID is masked before any mobile inside it.
    ("身份证号430481199001011234", "身份证号（已隐去身份证号码）"),
    ("身份证43048119900101123X已提交", "身份证（已隐去身份证号码）已提交"),
    # 固话 with an area code, with or without the hyphen.
    ("办公室电话0734-4321234", "办公室电话（已隐去电话号码）"),
    ("拨打07344321234", "拨打（已隐去电话号码）"),
    # Names after 我叫/本人/姓名.
    ("我叫张三，住在蔡子池街道。", "我叫张*，住在蔡子池街道。"),
    ("本人李四光反映：路灯不亮", "本人李**反映：路灯不亮"),
    ("姓名：欧阳娜娜。", "姓名：欧***。"),
    # E-mail addresses.
    ("邮箱zhang.san@example.com", "邮箱（已隐去电子邮箱）"),
    # Nothing personal: unchanged (money, dates and short numbers stay).
    ("罚款2000元，2026年12月7日前整改。", "罚款2000元，2026年12月7日前整改。"),
])
def test_masks_personal_data(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_callers_own_name_anywhere() -> None:
    text = "王五反映小区噪音。经核查，已告知王五先生处理结果。"
    assert redact(text, names=["王五"]) == "王*反映小区噪音。经核查，已告知王*先生处理结果。"


def test_one_character_and_blank_names_are_ignored() -> None:
    # A one-character "name" would mask that character everywhere in the text.
    assert redact("王家村的路灯", names=["王", " "]) == "王家村的路灯"


def test_idempotent() -> None:
    text = "我叫张三，电话13812345678，身份证430481199001011234。"
    once = redact(text, names=["张三"])
    assert redact(once, names=["张三"]) == once
    assert "13812345678" not in once and "199001011234" not in once and "张三" not in once
