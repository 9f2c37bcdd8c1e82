"""The API's shapes for 帮代办 and 创业管家."""

from __future__ import annotations

from ninja import Field, Schema


class AssistanceItemOut(Schema):
    basic_code: str
    name: str
    case_number: str = Field(description="办件编号（未申报为空）")
    status: str
    status_label: str
    due_at: str | None = Field(None, description="办结期限（ISO 8601）")
    waiting_on: str = Field(description="待谁办理")
    done: bool


class AssistanceProjectOut(Schema):
    id: int
    name: str
    enterprise: str
    uscc: str
    agent: str
    status: str
    authorization: str = Field(description="授权状态")
    authorization_ends_on: str | None = None
    fee: int = Field(0, description="帮代办免费：恒为 0")
    items: list[AssistanceItemOut]


class AssistanceProjectPage(Schema):
    items: list[AssistanceProjectOut]
    count: int


class AssistanceCaseOut(Schema):
    number: str
    item: str
    status: str
    due_at: str | None = None


class AssistanceMessageOut(Schema):
    at: str
    from_enterprise: bool
    sender: str
    body: str


class AssistanceButlerOut(Schema):
    id: int
    enterprise: str
    uscc: str
    manager: str
    started_at: str
    ended_at: str | None = None
    cases: list[AssistanceCaseOut] = Field(description="企业办件（仅在任的创业管家可见，每次查看留痕）")
    messages: list[AssistanceMessageOut]


class AssistanceMessageIn(Schema):
    body: str = Field(..., min_length=1, max_length=2000)
