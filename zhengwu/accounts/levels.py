"""What each real-name level may do (实名等级): configuration, read here and nowhere else.

settings.ZHENGWU_REALNAME_LEVELS maps an action to the least RealNameLevel it needs — by default
{"file": 2, "consult": 1, "book": 1, "rate": 1}: filing an application needs an identity
verified (L2), consulting, booking an appointment and rating a mobile number (L1). The
environment variable ZHENGWU_REALNAME_LEVELS (JSON) overrides single entries. Services ask
`level_refusal(user, action)` before they act; pages show its message with a link to the
实名认证 page. Staff accounts are not applicants: the window checks the ID card in person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.urls import reverse

from zhengwu.accounts.models import RealNameLevel, User, UserKind

FILE: Final = "file"
CONSULT: Final = "consult"
BOOK: Final = "book"
RATE: Final = "rate"

ACTION_LABELS: Final = {FILE: "网上申请办件", CONSULT: "咨询", BOOK: "预约", RATE: "评价"}


def required_level(action: str) -> RealNameLevel:
    """The least level `action` needs; an action not configured needs an identity (L2)."""
    configured = settings.ZHENGWU_REALNAME_LEVELS.get(action, RealNameLevel.IDENTITY)
    return RealNameLevel(int(configured))


@dataclass(frozen=True)
class LevelRefusal:
    """Why the account may not do `action` yet, and where to verify."""

    code: str
    message: str
    link: str


def level_refusal(user: User, action: str) -> LevelRefusal | None:
    """None when `user` may do `action`; else the refusal (code identity.level_too_low)."""
    if user.kind == UserKind.STAFF:
        return None
    needed = required_level(action)
    if user.realname_level >= needed:
        return None
    have = RealNameLevel(user.realname_level).label
    what = ACTION_LABELS.get(action, action)
    if needed >= RealNameLevel.IDENTITY:
        how = "请先在“实名认证”页面核验姓名和身份证号码，或携带居民身份证到政务服务大厅窗口当面核验。"
        if user.kind == UserKind.ENTERPRISE:
            how = "请携带营业执照到政务服务大厅窗口核验单位身份。"
    else:
        how = "请先验证手机号。"
    return LevelRefusal(
        "identity.level_too_low",
        f"{what}需要实名等级“{needed.label}”，您的账号当前为“{have}”。{how}",
        reverse("accounts:verify"))
