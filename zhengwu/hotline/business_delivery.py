"""Sending the 营商环境 weekly report: an in-app notice to the 营商环境 office's staff with the
week's summary and a link to /hotline/results/business/?week=…

Idempotent per ISO week: the notice's dedupe key is "hotline-business-report:<week>", and the
outbox keeps a (key, channel, recipient) once — a sweep running every few minutes, or the
command run twice, sends the week once. `sweep` reports the last complete week (so it goes out
on the Monday after it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from zhengwu.hotline import business_report, business_selectors
from zhengwu.hotline.business_report import BusinessReport
from zhengwu.notifications.models import OutboxItem
from zhengwu.notifications.services import notify

KEY = "hotline-business-report"


@dataclass(frozen=True)
class Sent:
    report: BusinessReport
    office: str  # "" when no office is configured / found
    recipients: int
    queued: int  # notices written now (0 when the week was sent before)


def link(week: str) -> str:
    return f"{reverse('hotline_results:business')}?week={week}"


def _key(week: str) -> str:
    return f"{KEY}:{week}"


def sent_before(week: str) -> bool:
    return OutboxItem.objects.filter(dedupe_key__startswith=f"{_key(week)}:").exists()


def report_send(*, week: str, now: dt.datetime) -> Sent:
    found = business_report_for(week, now=now)
    office = business_selectors.office()
    if office is None:
        return Sent(found, "", 0, 0)
    staff = list(business_selectors.office_staff(office))
    with transaction.atomic():
        queued = notify(recipients=staff, title=f"营商环境诉求周报（{week}）",
                        body=found.summary(), link=link(week), category="hotline",
                        dedupe_key=_key(week)) if staff else []
    return Sent(found, office.name, len(staff), len(queued))


def business_report_for(week: str, *, now: dt.datetime) -> BusinessReport:
    return business_selectors.report(week, now=now)


def sweep(now: dt.datetime) -> str:
    """The weekly report of the last complete week, once (cheap when already sent)."""
    week = business_report.last_week(now)
    if sent_before(week):
        return f"营商环境周报 {week} 已发送"
    sent = report_send(week=week, now=now)
    if not sent.office:
        return "营商环境周报：未找到营商环境办公室（HOTLINE_BUSINESS_OFFICE）"
    return f"营商环境周报 {week}：通知 {sent.queued} 人"
