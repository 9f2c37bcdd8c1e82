"""Attempt counters shared by every process: sign-in, the second factor, the public progress
lookup (ADR 0011).

Why a table and not the cache: the cache is a file cache per host, whose `incr` is a read and
a write (not atomic across gunicorn processes). Each check here is one transaction holding the
rows' locks (SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction takes the
database write lock at BEGIN), so N concurrent attempts against a limit of L let exactly L
through.

A check *reserves* a slot before the guarded work runs, and work that turned out fine gives it
back (`release`) or wipes the counter (`clear`): counting first is what keeps the limit exact
under concurrency. Rows are keyed by an HMAC of rule and subject, so no address, user name or
ID number is stored. Time is the real clock (django.utils.timezone), never the platform's
frozen demo clock: a frozen clock would make every block permanent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.accounts.models import Throttle


@dataclass(frozen=True)
class Rule:
    """`limit` attempts per `window` seconds (counted from the first attempt of a window).

    With `delay` > 0 the rule is progressive instead: the attempts past `limit` are let through
    one at a time, each after a wait twice as long as the one before (delay, 2·delay, …, at most
    `max_delay` seconds), so a guesser slows down and the count never locks anyone out.
    """

    name: str
    limit: int
    window: int
    delay: int = 0
    max_delay: int = 0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds, for the Retry-After header when refused
    remaining: int = 0  # attempts left in the window after this one (fixed rules)


def _key(rule: Rule, subject: str) -> str:
    message = f"{rule.name}\0{subject}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _seconds(delta: dt.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def attempt(*checks: tuple[Rule, str]) -> Verdict:
    """Count one attempt against every (rule, subject) at once, or none if any refuses."""
    now = timezone.now()
    keyed = sorted(((_key(rule, subject), rule) for rule, subject in checks), key=lambda k: k[0])
    keys = [key for key, _ in keyed]
    with transaction.atomic():
        Throttle.objects.bulk_create([Throttle(key=key, window_ends=now) for key in keys],
                                     ignore_conflicts=True)
        rows = {row.key: row for row in
                Throttle.objects.select_for_update().filter(key__in=keys).order_by("key")}
        waits: list[dt.timedelta] = []
        for key, rule in keyed:
            row = rows[key]
            if row.window_ends <= now:  # a new window
                row.count, row.blocked_until, row.window_ends = 0, None, now
            if row.blocked_until is not None and row.blocked_until > now:
                waits.append(row.blocked_until - now)
            elif not rule.delay and row.count >= rule.limit:
                waits.append(row.window_ends - now)
        if waits:
            return Verdict(allowed=False, retry_after=_seconds(max(waits)))
        remaining = []
        for key, rule in keyed:
            row = rows[key]
            if row.count == 0:
                row.window_ends = now + dt.timedelta(seconds=rule.window)
            row.count += 1
            if rule.delay and row.count > rule.limit:
                wait = min(rule.delay * 2 ** (row.count - rule.limit - 1), rule.max_delay)
                row.blocked_until = now + dt.timedelta(seconds=wait)
                row.window_ends = max(row.window_ends, row.blocked_until)
            elif not rule.delay:
                remaining.append(rule.limit - row.count)
            row.save(update_fields=["count", "window_ends", "blocked_until"])
        return Verdict(allowed=True, remaining=min(remaining, default=0))


def release(rule: Rule, subject: str) -> None:
    """Give back the slot of an attempt that turned out fine (a case found, a right password)."""
    Throttle.objects.filter(key=_key(rule, subject), count__gt=0).update(count=F("count") - 1)


def clear(rule: Rule, subject: str) -> None:
    """Forget the subject's count and any wait (e.g. the pair after a successful sign-in)."""
    Throttle.objects.filter(key=_key(rule, subject)).delete()


def remember(rule: Rule, subject: str) -> None:
    """Note that something happened (e.g. a sign-in from this address) for `rule.window`."""
    ends = timezone.now() + dt.timedelta(seconds=rule.window)
    Throttle.objects.update_or_create(key=_key(rule, subject),
                                      defaults={"count": 1, "window_ends": ends,
                                                "blocked_until": None})


def remembered(rule: Rule, subject: str) -> bool:
    return Throttle.objects.filter(key=_key(rule, subject), count__gte=1,
                                   window_ends__gt=timezone.now()).exists()


def sweep() -> int:
    """Delete counters whose window is over (they would restart from zero anyway)."""
    now = timezone.now()
    deleted, _ = Throttle.objects.filter(window_ends__lte=now).exclude(
        blocked_until__gt=now).delete()
    return deleted
