"""API schemas of the service hall (names prefixed Hall…, unique across apps): bounded input,
so bad input is a 422, never a 500."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

HallCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
ItemCode = Annotated[str, StringConstraints(min_length=1, max_length=31)]


class HallSlotQuery(Schema):
    date: str = Field(..., max_length=20, description="日期 YYYY-MM-DD")
    hall: str | None = Field(None, max_length=40, description="大厅编码（默认：市政务服务中心）")
    item: str | None = Field(None, max_length=31, description="事项实施编码（默认：任一事项）")


class HallSlotOut(Schema):
    start: str
    end: str
    window_group: str
    available: int


class HallSlotPage(Schema):
    items: list[HallSlotOut]
    count: int


class HallOut(Schema):
    code: str
    name: str
    kind: str
    region_code: str
    address: str
    phone: str
    illustrative: bool


class HallPage(Schema):
    items: list[HallOut]
    count: int


class HallBookIn(Schema):
    hall: HallCode | None = Field(None, description="大厅编码（默认：市政务服务中心）")
    item: ItemCode = Field(..., description="事项实施编码")
    start: str = Field(..., max_length=40, description="时段开始时间（ISO 8601，北京时间）")


class HallMoveIn(Schema):
    reason: str = Field("", max_length=200)


class HallAppointmentOut(Schema):
    code: str
    hall: str
    hall_name: str
    item: str
    item_name: str
    window_group: str
    start: str
    end: str
    after_hours: bool
    status: str
    status_label: str
    channel: str
    name: str
    id_number: str  # masked


class HallAppointmentPage(Schema):
    items: list[HallAppointmentOut]
    count: int


class HallPageQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


# --- the queue (取号叫号) ---------------------------------------------------------------------

GroupName = Annotated[str, StringConstraints(max_length=40)]


class HallTakeIn(Schema):
    hall: HallCode | None = Field(None, description="大厅编码（默认：市政务服务中心）")
    group: GroupName = Field("", description="窗口组（与 item 二选一）")
    item: str = Field("", max_length=31, description="事项实施编码（其窗口组）")
    priority: str = Field("", max_length=16, description="优先群体：elderly、disabled、pregnant")
    # For a caller, by hall staff (电话取号); a person takes a number for themselves without.
    name: str = Field("", max_length=150)
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)


class HallTicketOut(Schema):
    id: int
    number: str
    hall: str
    date: str
    window_group: str
    status: str
    status_label: str
    source: str
    priority: bool
    window: str
    taken_at: str
    called_at: str | None
    finished_at: str | None
    ahead: int


class HallTicketPage(Schema):
    items: list[HallTicketOut]
    count: int


class HallQueueQuery(Schema):
    hall: HallCode | None = Field(None, description="大厅编码（默认：市政务服务中心）")
    group: GroupName | None = Field(None, description="窗口组（默认：全部）")


class HallTransferIn(Schema):
    group: GroupName = Field(..., description="转往的窗口组")
    reason: str = Field("", max_length=200)


class HallDisplayCall(Schema):
    number: str
    window: str
    group: str
    voice: str


class HallDisplayRecent(Schema):
    number: str
    window: str


class HallDisplayWaiting(Schema):
    group: str
    prefix: str
    count: int


class HallDisplayOut(Schema):
    hall: str
    hall_name: str
    date: str
    version: int
    calling: list[HallDisplayCall]
    recent: list[HallDisplayRecent]
    waiting: list[HallDisplayWaiting]
    voice: str
    voice_id: str
class HallQueueFiguresQuery(Schema):
    hall: str = Field(..., max_length=40, description="大厅编码")
    start: str | None = Field(None, max_length=20, description="开始日期 YYYY-MM-DD（默认：今天）")
    end: str | None = Field(None, max_length=20, description="结束日期 YYYY-MM-DD（含；默认：今天）")


class HallQueueFigureOut(Schema):
    """One group's figures (docs/hall.md, 取号叫号统计); minutes rounded to 0.1, null when no
    number of the group has the time."""

    key: str
    label: str
    taken: int
    served: int
    abandoned: int
    waiting: int
    serving: int
    called: int = Field(..., description="已叫号的号数：等候时长只计这些号")
    left_uncalled: int = Field(..., description="未叫号即离开的号数（不计入等候时长）")
    wait_avg_minutes: float | None
    wait_p90_minutes: float | None = Field(..., description="P90 等候（最近秩法）")
    service_avg_minutes: float | None


class HallQueueFiguresOut(Schema):
    hall: str
    hall_name: str
    start: str
    end: str
    total: HallQueueFigureOut
    windows: list[HallQueueFigureOut]
    items: list[HallQueueFigureOut]
    hours: list[HallQueueFigureOut]
