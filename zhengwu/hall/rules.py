"""The booking rules, pure (ADR 0018): how far ahead, how many open appointments a person
may hold, one per item per day, the cancellation cut-off and the no-show restriction.

The no-show rule: when a person has missed `no_show_limit` appointments (default 3) within
`no_show_window_days` (90), booking is restricted for `restriction_days` (30) counted from the
start of the appointment that made it the last of those. Every number is a setting
(HALL_* in config/settings, documented in docs/hall.md); a person is the ID number, so the
rules hold for bookings on the web, by phone through staff and by API alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from zhengwu.workdays.calendar import SHANGHAI


@dataclass(frozen=True)
class BookingPolicy:
    days_ahead: int = 14  # the last day that can be booked: today + days_ahead
    max_open: int = 3  # booked, not yet served or missed, per person
    per_item_per_day: int = 1
    cancel_cutoff_minutes: int = 120  # an applicant cancels up to this long before the start
    no_show_limit: int = 3
    no_show_window_days: int = 90
    restriction_days: int = 30
    check_in_early_minutes: int = 60  # check-in opens this long before the start


def policy() -> BookingPolicy:
    """The policy in force (settings HALL_*)."""
    return BookingPolicy(
        days_ahead=settings.HALL_BOOKING_DAYS_AHEAD, max_open=settings.HALL_MAX_OPEN_APPOINTMENTS,
        per_item_per_day=settings.HALL_PER_ITEM_PER_DAY,
        cancel_cutoff_minutes=settings.HALL_CANCEL_CUTOFF_MINUTES,
        no_show_limit=settings.HALL_NO_SHOW_LIMIT,
        no_show_window_days=settings.HALL_NO_SHOW_WINDOW_DAYS,
        restriction_days=settings.HALL_NO_SHOW_RESTRICTION_DAYS,
        check_in_early_minutes=settings.HALL_CHECK_IN_EARLY_MINUTES)


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    field: str = ""  # the form field the message belongs next to


def restricted_until(no_shows: Iterable[dt.datetime], now: dt.datetime,
                     rules: BookingPolicy) -> dt.datetime | None:
    """The end of the restriction in force at `now`, or None: every run of `no_show_limit`
    no-shows within `no_show_window_days` restricts for `restriction_days` from the last."""
    missed = sorted(no_shows)
    window = dt.timedelta(days=rules.no_show_window_days)
    length = dt.timedelta(days=rules.restriction_days)
    until: dt.datetime | None = None
    for last in range(rules.no_show_limit - 1, len(missed)):
        first = missed[last - rules.no_show_limit + 1]
        if missed[last] - first <= window and missed[last] <= now:
            end = missed[last] + length
            if end > now and (until is None or end > until):
                until = end
    return until


def booking_refusal(*, now: dt.datetime, start: dt.datetime, open_count: int,
                    same_item_same_day: int, restriction: dt.datetime | None,
                    rules: BookingPolicy) -> Refusal | None:
    """Why a person may not book the slot starting at `start` now, or None."""
    today = now.astimezone(SHANGHAI).date()
    if start <= now:
        return Refusal("hall.slot_past", "该时段已过，请选择其他时段。", "slot")
    if start.astimezone(SHANGHAI).date() > today + dt.timedelta(days=rules.days_ahead):
        return Refusal("hall.too_far_ahead",
                       f"只能预约{rules.days_ahead}天以内的时段。", "date")
    if restriction is not None:
        until = restriction.astimezone(SHANGHAI)
        return Refusal("hall.restricted",
                       f"您在{rules.no_show_window_days}天内已有{rules.no_show_limit}次预约未到，"
                       f"{until:%Y年%m月%d日 %H:%M}前不能预约。", "")
    if open_count >= rules.max_open:
        return Refusal("hall.too_many",
                       f"您已有{open_count}个未办理的预约，最多可同时保留{rules.max_open}个。", "")
    if same_item_same_day >= rules.per_item_per_day:
        return Refusal("hall.same_day", "同一事项同一天只能预约一次。", "date")
    return None


def cancel_refusal(*, now: dt.datetime, start: dt.datetime, rules: BookingPolicy
                   ) -> Refusal | None:
    """An applicant cancels up to `cancel_cutoff_minutes` before the start."""
    if now > start - dt.timedelta(minutes=rules.cancel_cutoff_minutes):
        hours = rules.cancel_cutoff_minutes / 60
        text = f"{hours:g}小时" if rules.cancel_cutoff_minutes % 60 == 0 else \
            f"{rules.cancel_cutoff_minutes}分钟"
        return Refusal("hall.cancel_too_late", f"预约开始前{text}内不能取消，如需帮助请致电大厅。")
    return None


def check_in_refusal(*, now: dt.datetime, start: dt.datetime, end: dt.datetime,
                     rules: BookingPolicy) -> Refusal | None:
    """Check-in opens `check_in_early_minutes` before the start and closes at the end."""
    if now < start - dt.timedelta(minutes=rules.check_in_early_minutes):
        return Refusal("hall.check_in_early",
                       f"预约开始前{rules.check_in_early_minutes}分钟起方可签到。")
    if now > end:
        return Refusal("hall.check_in_late", "已过预约时段，请重新取号或预约。")
    return None
