"""The monthly 12345 ledger (台账) as xlsx (issue 13 §4): one row per work order accepted in
the month, with its dates, kind, category, department, deadlines, status, a reply summary, the
callback's result, 直办 and whether it ran over. Never the caller's name, phone or account.

Every text cell is written as text, so a reply that starts with "=" is never a formula
(spreadsheet formula injection).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from zhengwu.core import clock
from zhengwu.hotline.models import Satisfaction, Status, WorkOrder

REPLY_CHARS = 100
COLUMNS = ("工单编号", "受理时间", "诉求类型", "来源渠道", "诉求分类", "承办部门", "派单时间",
           "签收期限", "签收时间", "办理期限", "答复时间", "办结时间", "状态", "答复摘要",
           "是否解决", "满意度", "直办", "是否超期", "退单次数", "重启次数")
OPEN_END = (Status.CLOSED, Status.MERGED)


def _at(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def overdue(order: WorkOrder, *, now: dt.datetime) -> bool:
    """Past its deadline: closed after it, or still open after it."""
    if order.due_at is None:
        return False
    if order.status in OPEN_END:
        return order.closed_at is not None and order.closed_at > order.due_at
    return now > order.due_at


def summary(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= REPLY_CHARS else flat[:REPLY_CHARS - 1] + "…"


def ledger_row(order: WorkOrder, *, now: dt.datetime) -> list[Any]:
    satisfaction = Satisfaction(order.satisfaction).label if order.satisfaction else ""
    return [
        order.number, _at(order.accepted_at), order.get_kind_display(),
        order.get_channel_display(), order.category.name if order.category else "",
        order.department.name if order.department else "", _at(order.dispatched_at),
        _at(order.sign_due_at), _at(order.signed_at), _at(order.due_at), _at(order.answered_at),
        _at(order.closed_at), order.get_status_display(), summary(order.reply),
        _yes(order.resolved), satisfaction, _yes(order.direct),
        _yes(overdue(order, now=now)), order.return_count, order.reopen_count,
    ]


def _cells(sheet: WriteOnlyWorksheet, values: list[Any]) -> list[Cell]:
    cells: list[Cell] = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with "="
        cells.append(cell)
    return cells


def to_xlsx(orders: Iterable[WorkOrder], *, month: str, now: dt.datetime) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"12345台账{month}")
    sheet.append(_cells(sheet, list(COLUMNS)))
    for order in orders:
        sheet.append(_cells(sheet, ledger_row(order, now=now)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
