"""Shared set-up of the marketplace tests: an intermediary service type, agencies listed."""

from __future__ import annotations

import datetime as dt

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.tests.consented import consented
from zhengwu.catalog.models import ServiceItem
from zhengwu.market import agencies
from zhengwu.market.models import Agency

USCCS = {"91430481MA4L010063": "耒阳示例机械制造有限公司", "91430481MA4L01014X": "耒阳示例建材有限公司",
         "91430481MA4L01022Q": "耒阳示例物流有限公司", "91430481MA4L01030K": "耒阳示例软件科技有限公司"}


def service_type() -> ServiceItem:
    item = ServiceItem.objects.order_by("pk").first()
    assert item is not None
    item.is_intermediary = True
    item.save(update_fields=["is_intermediary"])
    return item


def enterprise(uscc: str) -> User:
    user = User.objects.filter(uscc=uscc, kind=UserKind.ENTERPRISE).first()
    return user or consented(User.objects.create(
        username=f"e{uscc[-6:]}", kind=UserKind.ENTERPRISE, uscc=uscc,
        display_name=USCCS.get(uscc, uscc)))


def agency_in(item: ServiceItem, *, name: str = "耒阳示例咨询有限公司",
              valid_from: dt.date = dt.date(2025, 1, 1),
              valid_to: dt.date = dt.date(2028, 12, 31)) -> agencies.AgencyIn:
    return agencies.AgencyIn(
        name=name, staff_count=12, fee_description="按国家和省收费标准下浮10%",
        service_type_ids=[item.pk], qualifications=[agencies.QualificationIn(
            name="工程咨询单位资信", level="乙级", certificate_number="ZX-2025-001",
            valid_from=valid_from, valid_to=valid_to)])


def listed(item: ServiceItem, uscc: str, **kwargs: object) -> Agency:
    user = enterprise(uscc)
    agency = agencies.agency_register(user=user, data=agency_in(
        item, name=USCCS.get(uscc, "耒阳示例咨询有限公司"), **kwargs))  # type: ignore[arg-type]
    return agencies.agency_move(uscc=agency.uscc, user=User.objects.get(username="catalog"),
                                move=agencies.AgencyMoveIn("verify"))
