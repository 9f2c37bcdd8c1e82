"""The deadline sweep of joint reviews [16][20], safe to run twice or concurrently:

every session still collecting opinions whose answer deadline has passed gets its silent
required departments recorded as "no objection" (缺席默认, with a JointReviewAbsence against
each) and its combined result issued. Sessions are claimed with SKIP LOCKED where the database
has it (PostgreSQL); on SQLite write transactions are serialized (IMMEDIATE), and a claimed
session is re-read inside the transaction, so a second sweep finds it concluded and skips it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from zhengwu.jointreviews.models import JointReview, ReviewStatus
from zhengwu.jointreviews.services import deadline_close, deliver_soon

BATCH = 200


@dataclass
class SweepReport:
    concluded: int = 0
    defaulted: int = 0

    def summary(self) -> str:
        return (f"联合审查逾期出具意见 {self.concluded} 件，"
                f"缺席默认（视为无意见）{self.defaulted} 个部门")


def _claim(queryset: QuerySet[JointReview]) -> QuerySet[JointReview]:
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.select_for_update()


def conclude_overdue(now: dt.datetime, *, batch: int = BATCH) -> SweepReport:
    """Default and conclude every open session whose deadline is before `now`."""
    report = SweepReport()
    while True:
        with transaction.atomic():
            overdue = JointReview.objects.filter(
                status=ReviewStatus.SCHEDULED, answer_due_at__lt=now).order_by(
                "answer_due_at", "id")
            reviews = list(_claim(overdue.select_related("lead_department"))[:batch])
            if not reviews:
                return report
            for review in reviews:
                # The moves of the process engine, as the platform (ADR 0013).
                _, defaulted = deadline_close(review.pk, now=now)
                report.defaulted += defaulted
                report.concluded += 1
            deliver_soon()


def run(now: dt.datetime) -> SweepReport:
    return conclude_overdue(now)
