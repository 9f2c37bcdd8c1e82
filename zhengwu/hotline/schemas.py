"""What comes in to the hotline's services, as ninja Schemas (the API reads them from JSON,
the pages and the import build them from forms and rows): an order taken (OrderIn) and a
move on one (OrderMoveIn). Lengths are the model's; the rules are checked in services.
Defaults sit after the annotation so that type checkers see them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema


class OrderIn(Schema):
    kind: Annotated[str, Field(max_length=12, description="诉求类型：consult/help/complaint/"
                                                          "report/suggestion/praise")]
    title: Annotated[str, Field(max_length=100, description="标题")]
    content: Annotated[str, Field(max_length=4000, description="诉求内容")]
    caller_name: Annotated[str, Field(max_length=50, description="诉求人姓名")]
    caller_phone: Annotated[str, Field(max_length=20,
                                       description="联系电话（与电子邮箱至少填一项）")] = ""
    caller_email: Annotated[str, Field(max_length=120, description="电子邮箱（选填）")] = ""
    category_code: Annotated[str, Field(max_length=20, description="诉求分类编码（选填）")] = ""
    region_code: Annotated[str, Field(max_length=12, description="区划编码（选填）")] = ""
    address: Annotated[str, Field(max_length=200, description="地址（选填）")] = ""
    latitude: Annotated[Decimal | None, Field(ge=-90, le=90, max_digits=9,
                                              decimal_places=6)] = None
    longitude: Annotated[Decimal | None, Field(ge=-180, le=180, max_digits=9,
                                               decimal_places=6)] = None
    enterprise_uscc: Annotated[str, Field(max_length=18,
                                          description="企业统一社会信用代码（营商环境诉求）")] = ""
    urgency: Annotated[str, Field(max_length=8, description="normal/urgent")] = "normal"
    confidential: Annotated[bool, Field(description="保密（举报人保护）")] = False
    publish_consent: Annotated[bool, Field(
        description="同意在办结后公开诉求和答复（隐去个人信息）；默认不同意")] = False
    external_id: Annotated[str, Field(max_length=64,
                                      description="来源平台的编号（导入时去重）")] = ""


class OrderMoveIn(Schema):
    action: Annotated[str, Field(
        max_length=20, description="dispatch/sign/return/return_approve/return_reject/answer/"
                                   "callback/close/redo/reopen/escalate/delegate/"
                                   "extend_request/extend_approve/extend_deny/urge/supervise/"
                                   "direct/merge/publish/publish_decline/"
                                   "consent_withdraw")]
    note: Annotated[str, Field(max_length=2000, description="说明或理由")] = ""
    department_id: Annotated[int | None, Field(ge=1, le=2**31 - 1,
                                               description="派单、改派、下派的部门")] = None
    by: Annotated[str, Field(max_length=8, description="派单依据：rule/model/manual")] = "manual"
    reply: Annotated[str, Field(max_length=4000, description="答复内容（answer、direct）")] = ""
    resolved: Annotated[bool | None, Field(description="回访：问题是否解决")] = None
    satisfaction: Annotated[str, Field(max_length=12,
                                       description="回访：satisfied/basic/unsatisfied")] = ""
    days: Annotated[int | None, Field(ge=1, le=60, description="延期的工作日数")] = None
    into: Annotated[str, Field(max_length=24, description="合并至的工单编号")] = ""
    card: Annotated[str, Field(max_length=8, description="亮牌颜色：yellow/red（电子监察）")] = ""
    public_title: Annotated[str, Field(max_length=100, description="公开标题（publish）")] = ""
    public_question: Annotated[str, Field(max_length=4000,
                                          description="公开的诉求内容，已隐去个人信息（publish）")] = ""
    public_answer: Annotated[str, Field(max_length=4000,
                                        description="公开的答复内容，已隐去个人信息（publish）")] = ""
