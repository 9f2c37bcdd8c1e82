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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

from zhengwu.hall.slots import Session, SessionKind
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


# --- the queue (取号叫号, ADR 0020) ---------------------------------------------------------

# Priority groups (优先群体) offered when taking a number; HALL_QUEUE_PRIORITY_GROUPS in the
# settings replaces the list. "elderly" is also derived from the ID number's birth date.
PRIORITY_GROUPS: dict[str, str] = {"elderly": "70岁以上老人", "disabled": "残疾人",
                                   "pregnant": "孕妇"}
ELDERLY = "elderly"


def priority_groups() -> dict[str, str]:
    return dict(getattr(settings, "HALL_QUEUE_PRIORITY_GROUPS", PRIORITY_GROUPS))


def elderly_age() -> int:
    return int(getattr(settings, "HALL_QUEUE_ELDERLY_AGE", 70))


def requeue_limit() -> int:
    """How many times staff may put a passed (过号) number back in the queue."""
    return int(getattr(settings, "HALL_QUEUE_REQUEUE_LIMIT", 1))


def take_early_minutes() -> int:
    """How long before the hall opens its kiosk gives numbers (HALL_QUEUE_TAKE_EARLY_MINUTES)."""
    return int(getattr(settings, "HALL_QUEUE_TAKE_EARLY_MINUTES", 60))


def take_refusal(now: dt.datetime, sessions: Sequence[Session], *,
                 early_minutes: int) -> Refusal | None:
    """取号时间: a walk-in takes a number on a day the hall serves walk-ins — `sessions` are the
    day's (slots.sessions_on: the official calendar, the hall's hours and exceptions) — from
    `early_minutes` before the first walk-in session until the last one ends. 预约延时 sessions
    serve appointments only (their numbers come from checking in, not from here)."""
    walk_in = [s for s in sessions if s.kind != SessionKind.BY_APPOINTMENT]
    if not walk_in:
        return Refusal("hall.take_closed", "今天大厅不办理现场取号（法定节假日、休息日或闭厅），"
                                           "请在办公日前来，或网上预约。")
    local = now.astimezone(SHANGHAI)
    day = local.date()
    opens = dt.datetime.combine(day, min(s.start for s in walk_in), SHANGHAI) \
        - dt.timedelta(minutes=early_minutes)
    closes = dt.datetime.combine(day, max(s.end for s in walk_in), SHANGHAI)
    if local < opens:
        return Refusal("hall.take_not_yet", f"今天{opens:%H:%M}起开始取号，请稍后再来。")
    if local >= closes:
        return Refusal("hall.take_over", f"今天的现场取号已于{closes:%H:%M}结束，"
                                         "请在下一个办公日前来，或网上预约。")
    return None


def pad_minutes() -> int:
    """How long after finishing the window's rating pad offers the number to rate."""
    return int(getattr(settings, "HALL_PAD_MINUTES", 10))


def birth_date(id_number: str) -> dt.date | None:
    """The birth date in an 18-digit citizen ID number (digits 7–14), or None."""
    digits = id_number.strip()
    if len(digits) != 18 or not digits[6:14].isdigit():
        return None
    try:
        return dt.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return None


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def priority_for(chosen: str, id_number: str, day: dt.date) -> str:
    """The priority group a number is taken in: the one chosen (if configured), else
    "elderly" when the ID number says the person is `elderly_age()` or older on `day`."""
    if chosen and chosen in priority_groups():
        return chosen
    born = birth_date(id_number)
    if born is not None and age_on(born, day) >= elderly_age() and ELDERLY in priority_groups():
        return ELDERLY
    return ""


def ticket_number(prefix: str, seq: int) -> str:
    """The number shown: the group's letter and the hall's running number of the day."""
    return f"{prefix}{seq:03d}"


@dataclass(frozen=True)
class Queued:
    """A waiting number as the ordering sees it."""

    id: int
    queued_at: dt.datetime
    priority: str = ""
    slot_start: dt.datetime | None = None


def queue_key(row: Queued, now: dt.datetime) -> tuple[int, dt.datetime, int]:
    """Appointments whose slot has begun first, at their slot's time; then the priority
    groups; then everyone else, each by the time they joined the queue (ties: the id)."""
    if row.slot_start is not None and row.slot_start <= now:
        return (0, row.slot_start, row.id)
    if row.priority:
        return (1, row.queued_at, row.id)
    return (2, row.queued_at, row.id)


def queue_order(rows: Iterable[Queued], now: dt.datetime) -> list[Queued]:
    """The waiting numbers of a window group, the next to call first."""
    return sorted(rows, key=lambda row: queue_key(row, now))


def ticket_move_refusal(*, action: str, requeues: int, limit: int) -> Refusal | None:
    if action == "requeue" and requeues >= limit:
        return Refusal("hall.requeue_limit", f"过号的号码只能重新排队{limit}次，请重新取号。")
    return None


def voice_text(number: str, window: str) -> str:
    """What the announcer says (and the screen's speech synthesis reads)."""
    return f"请{number}号到{window}号窗口办理"


def visit_key(hall_code: str, day: dt.date, number: str) -> str:
    """The key of a finished number's service event (好差评 kind "visit"): the hall, the day
    and the number, unique since numbers run per hall per day."""
    return f"{hall_code}-{day:%Y%m%d}-{number}"
