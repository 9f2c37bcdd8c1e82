"""`zhengwu hotline_business_report [--week YYYY-Www]`: build the 营商环境 weekly report (issue 13
§4, measure 28), print it and send it to the 营商环境 office's staff (an in-app notice with a
link to /hotline/results/business/). The default week is the last complete one (Beijing). A
week is sent once: running it again prints the report and queues nothing new."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengwu.core import clock
from zhengwu.hotline import business_delivery, business_report
from zhengwu.hotline.business_report import BadWeek
from zhengwu.hotline.results import SHANGHAI


class Command(BaseCommand):
    help = "生成营商环境诉求周报并通知营商环境办公室（默认上一个完整自然周，北京时间）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", default="", help="周次 YYYY-Www，例如 2026-W49")
        parser.add_argument("--no-send", action="store_true", help="只输出，不发送通知")

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        try:
            week = business_report.week_parse(options["week"], now=now)
        except BadWeek as error:
            raise CommandError(str(error)) from error
        if options["no_send"]:
            found = business_delivery.business_report_for(week, now=now)
            self._print(found)
            return
        sent = business_delivery.report_send(week=week, now=now)
        self._print(sent.report)
        if not sent.office:
            raise CommandError("未找到营商环境办公室：请在 settings.HOTLINE_BUSINESS_OFFICE 中填写该部门的全称。")
        if sent.recipients == 0:
            self.stdout.write(f"{sent.office} 没有工作人员账号，未发送通知。")
        elif sent.queued == 0:
            self.stdout.write(f"本周报此前已发送给 {sent.office}，未重复发送。")
        else:
            self.stdout.write(f"已通知 {sent.office} {sent.queued} 人。")

    def _print(self, found: business_report.BusinessReport) -> None:
        self.stdout.write(found.summary())
        for title, groups in (("按承办部门", found.departments), ("按诉求分类", found.categories)):
            self.stdout.write(f"{title}：")
            for group in groups:
                r = group.rates
                self.stdout.write(f"  {group.label}：受理 {r.received}，办结 {r.closed}，"
                                  f"按期 {r.closed_on_time}，响应率 {r.response_percent}，"
                                  f"解决率 {r.resolution_percent}，满意率 {r.satisfaction_percent}")
        self.stdout.write(f"逾期未办结：{len(found.overdue)} 件")
        for row in found.overdue:
            self.stdout.write(f"  {row.number} {row.department} 期限 "
                              f"{row.due_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")
